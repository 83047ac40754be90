import type { Model } from "../../schema/models";
import { multipartBoundary, parseMultipart, type PartSink } from "../assets/multipart";
import { getConfig } from "../config/config";
import type { Env } from "../config/env";
import { ApiError } from "../errors/api-error";
import { StreamingUpload } from "../storage/upload";
import { checkModelName, manifestKey, newFileKey } from "./keys";
import { commitManifest, presentModel } from "./manifest";
import { InvalidModelError, OnnxStructureCheck } from "./onnx-check";

/**
 * `POST /api/models/upload`: a model file as `multipart/form-data` (a `file` part and an optional `name`
 * field) or as a raw `application/octet-stream` body with `?name=`. The bytes stream once through the ONNX
 * structure check, a SHA-256 digest (workerd's DigestStream) and an R2 upload in parts; nothing is buffered
 * beyond one part. Only when the whole file passed is the manifest written, in one atomic step, which is also
 * what replaces an existing model of that name: a failed upload leaves nothing behind and the old version
 * untouched.
 */

/** Room for the form's framing and its small fields on top of the file itself. */
const FORM_OVERHEAD_BYTES = 64 * 1024;
const MAX_NAME_FIELD_BYTES = 4 * 1024;

/**
 * The 422 for bytes that are not a model. The contract's 422 type is `validation_error`; `details` carries
 * the `invalid_model` code so clients can tell it from other validation failures.
 */
function invalidModel(err: InvalidModelError): ApiError {
  return new ApiError("validation_error", err.message, [{ path: "file", code: "invalid_model", message: err.message }]);
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError("payload_too_large", `The model is larger than ${maxBytes} bytes (MAX_MODEL_BYTES)`);
}

/** A content type worth recording (`type/subtype`, lower case), or the generic one. */
function bareType(raw: string | null | undefined): string {
  const t = (raw ?? "").split(";")[0].trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/.test(t) ? t : "application/octet-stream";
}

/** A name from a client's file name: its last path segment, when there is one. */
function nameFromFilename(filename: string | undefined): string | undefined {
  const base = filename?.split(/[\\/]/).pop()?.trim();
  return base ? base : undefined;
}

/** The three consumers every byte of the file goes through, in this order: size limit, ONNX check, digest, R2. */
class ModelFileSink {
  private readonly check: OnnxStructureCheck;
  private readonly digest = new crypto.DigestStream("SHA-256");
  private readonly digestWriter = this.digest.getWriter();
  // Read only on success; an aborted upload rejects it, which must not surface as an unhandled rejection.
  private readonly digestResult = this.digest.digest.then((d) => d, () => null);
  private readonly upload: StreamingUpload;
  private size = 0;
  ended = false;

  constructor(
    bucket: R2Bucket,
    readonly fileKey: string,
    readonly contentType: string,
    private readonly maxBytes: number,
  ) {
    this.check = new OnnxStructureCheck(maxBytes);
    this.upload = new StreamingUpload(bucket, fileKey, { contentType, maxBytes });
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.size += chunk.length;
    if (this.size > this.maxBytes) throw tooLarge(this.maxBytes);
    try {
      this.check.write(chunk);
    } catch (err) {
      // A field announcing more bytes than the limit allows: too large, known before the bytes arrive.
      if (err instanceof InvalidModelError && err.tooLarge) throw new ApiError("payload_too_large", `The model is larger than ${this.maxBytes} bytes (MAX_MODEL_BYTES): ${err.message}`);
      throw err instanceof InvalidModelError ? invalidModel(err) : err;
    }
    await this.digestWriter.write(chunk);
    await this.upload.write(chunk);
  }

  /** Completes the file object once the bytes passed the check; returns its size and SHA-256. */
  async finish(): Promise<{ size: number; sha256: string }> {
    try {
      this.check.finish();
    } catch (err) {
      throw err instanceof InvalidModelError ? invalidModel(err) : err;
    }
    await this.digestWriter.close();
    const digest = await this.digestResult;
    if (!digest) throw new Error("the SHA-256 digest failed");
    const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    const stored = await this.upload.finish();
    return { size: stored.size, sha256 };
  }

  /** Drops whatever was sent to R2 (a multipart upload that was never completed leaves no object). */
  async abort(): Promise<void> {
    await this.digestWriter.abort().catch(() => undefined);
    await this.upload.abort();
  }
}

async function pump(body: ReadableStream<Uint8Array>, sink: ModelFileSink): Promise<void> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await sink.write(value);
    }
    sink.ended = true;
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    throw err;
  }
}

/** Collects the small `name` field. */
function nameField(onText: (text: string) => void): PartSink {
  const chunks: Uint8Array[] = [];
  let size = 0;
  return {
    write: (chunk) => {
      size += chunk.length;
      if (size > MAX_NAME_FIELD_BYTES) throw new ApiError("invalid_request", `The form field 'name' is longer than ${MAX_NAME_FIELD_BYTES} bytes`);
      chunks.push(chunk.slice());
    },
    end: () => {
      const all = new Uint8Array(size);
      let offset = 0;
      for (const c of chunks) {
        all.set(c, offset);
        offset += c.length;
      }
      onText(new TextDecoder().decode(all));
    },
  };
}

/** Receives one model upload for `userId`; returns the stored model and whether it replaced one. */
export async function receiveModelUpload(env: Env, request: Request, userId: string): Promise<{ model: Model; replaced: boolean }> {
  const config = getConfig(env);
  const problem = config.problems.find((p) => p.startsWith("MAX_MODEL_BYTES"));
  if (problem) throw new ApiError("unavailable", `Model uploads are not available: ${problem}`);
  const maxBytes = config.maxModelBytes;
  const bucket = env.STORAGE;

  const queryName = new URL(request.url).searchParams.get("name");
  if (queryName !== null) checkModelName(queryName);
  const contentType = request.headers.get("Content-Type");
  const boundary = multipartBoundary(contentType);
  const raw = !boundary && (contentType === null || /^\s*application\/octet-stream\s*(;|$)/i.test(contentType));
  if (!boundary && !raw) {
    throw new ApiError("invalid_request", "Expected multipart/form-data with a 'file' part (and optionally 'name'), or an application/octet-stream body with ?name=");
  }
  if (!request.body) throw new ApiError("invalid_request", "The request has no body: send the model file");
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > maxBytes + (boundary ? FORM_OVERHEAD_BYTES : 0)) throw tooLarge(maxBytes);

  let sink: ModelFileSink | undefined;
  let name = queryName ?? undefined;
  try {
    if (raw) {
      if (name === undefined) throw new ApiError("invalid_request", "A raw upload needs the model's name as ?name=");
      sink = new ModelFileSink(bucket, newFileKey(userId), "application/octet-stream", maxBytes);
      await pump(request.body, sink);
    } else {
      let formName: string | undefined;
      let filename: string | undefined;
      let otherBytes = 0;
      await parseMultipart(request.body, boundary!, (part) => {
        if (part.name === "file") {
          if (sink) throw new ApiError("invalid_request", "The form has more than one 'file' part");
          filename = part.filename;
          const fileSink = new ModelFileSink(bucket, newFileKey(userId), bareType(part.contentType), maxBytes);
          sink = fileSink;
          return { write: (chunk) => fileSink.write(chunk), end: () => void (fileSink.ended = true) };
        }
        if (part.name === "name") return nameField((text) => (formName = text));
        // Other fields are read and dropped, under one small budget whatever their number.
        return {
          write: (chunk) => {
            otherBytes += chunk.length;
            if (otherBytes > FORM_OVERHEAD_BYTES) throw new ApiError("payload_too_large", `The form's fields besides 'file' are larger than ${FORM_OVERHEAD_BYTES} bytes`);
          },
          end: () => undefined,
        };
      });
      if (!sink) throw new ApiError("invalid_request", "The form has no 'file' part");
      if (!sink.ended) throw new ApiError("invalid_request", "The file part did not end");
      name = formName?.trim() || name || nameFromFilename(filename);
      if (name === undefined) throw new ApiError("invalid_request", "The model needs a name: a 'name' field, ?name=, or a file name on the 'file' part");
    }
    const key = manifestKey(userId, checkModelName(name));
    const file = await sink.finish();
    let committed;
    try {
      committed = await commitManifest(bucket, key, { file: sink.fileKey, sha256: file.sha256, size: file.size, contentType: sink.contentType });
    } catch (err) {
      await bucket.delete(sink.fileKey).catch(() => undefined);
      throw err;
    }
    const previous = committed.previous;
    if (previous && previous.file !== sink.fileKey) {
      // The replaced version's bytes; a download that read the old manifest just now retries once (serveModel).
      await bucket.delete(previous.file).catch((err) => console.warn(`[models] could not delete replaced file ${previous.file}`, err));
    }
    return {
      model: presentModel(committed.object, { file: sink.fileKey, sha256: file.sha256, size: file.size, contentType: sink.contentType }),
      replaced: committed.previous !== null,
    };
  } catch (err) {
    await (sink as ModelFileSink | undefined)?.abort();
    throw err;
  }
}
