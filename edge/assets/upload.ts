import {
  bareContentType,
  contentTypeForName,
  DEFAULT_CONTENT_TYPE,
  extensionForContentType,
  extensionOf,
} from "../../engine/media/content-types";
import { AssetCreateSchema, type AssetCreate } from "../../schema/assets";
import type { AssetRow } from "../../schema/tables";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { getStorageConfig } from "../storage/config";
import { keyOwner, objectKey } from "../storage/keys";
import { StreamingUpload, tooLarge } from "../storage/upload";
import { multipartBoundary, parseMultipart, type PartSink } from "./multipart";
import { AssetRepository, FOLDER, newAssetId } from "./repository";

/** Room for the form's own framing and small fields on top of the file itself. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;
const MAX_FIELD_BYTES = 64 * 1024;

/** Collects a small text field; refuses one larger than MAX_FIELD_BYTES. */
class FieldSink implements PartSink {
  private chunks: Uint8Array[] = [];
  private size = 0;
  text = "";
  constructor(private readonly name: string) {}
  write(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.size > MAX_FIELD_BYTES) throw new ApiError("payload_too_large", `The ${this.name === "body" ? "JSON body" : `form field '${this.name}'`} is larger than ${MAX_FIELD_BYTES} bytes`);
    this.chunks.push(chunk.slice());
  }
  end(): void {
    const all = new Uint8Array(this.size);
    let offset = 0;
    for (const c of this.chunks) {
      all.set(c, offset);
      offset += c.length;
    }
    this.text = new TextDecoder().decode(all);
  }
}

function parseMetadata(text: string, where = "the 'json' form field"): AssetCreate {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ApiError("invalid_request", `Malformed JSON in ${where}`);
  }
  const parsed = AssetCreateSchema.safeParse(raw);
  if (!parsed.success) validationHook({ success: false, error: parsed.error, target: "json" });
  return parsed.data!;
}

/** A display name from a client's file name: its last path segment, without control characters. */
function cleanName(filename: string | undefined): string | undefined {
  if (!filename) return undefined;
  const base = filename.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return base ? base.slice(0, 512) : undefined;
}

/** The content type and extension a file is stored under: from the metadata, the part, or its file name. */
function fileType(declared: string | undefined, partType: string | undefined, filename: string | undefined): { contentType: string; ext: string } {
  let contentType = bareContentType(declared) || bareContentType(partType);
  if (!contentType || contentType === DEFAULT_CONTENT_TYPE) contentType = filename ? contentTypeForName(filename) : DEFAULT_CONTENT_TYPE;
  let ext = extensionForContentType(contentType);
  if (ext === "bin") {
    const fromName = extensionOf(filename ?? "");
    if (/^[a-z0-9]{1,12}$/.test(fromName)) ext = fromName;
  }
  // What the storage routes will serve it as.
  return { contentType: contentTypeForName(`x.${ext}`) === DEFAULT_CONTENT_TYPE ? contentType : contentTypeForName(`x.${ext}`), ext };
}

export interface UploadOptions {
  /** `/api/images/upload`: the file must be an image. */
  imagesOnly?: boolean;
  /** `POST /api/assets`: a JSON body, or a form without a file, may create a folder. */
  allowFolder?: boolean;
}

/**
 * Receives an asset upload: `multipart/form-data` with the file in a `file` field and, optionally, metadata
 * in a `json` field (AssetCreate). The file streams into R2 (in parts) while the form is read, under
 * MAX_UPLOAD_BYTES; the D1 row is written once the file is stored, so a failed upload leaves nothing behind.
 */
export async function receiveUpload(env: Env, request: Request, userId: string, options: UploadOptions = {}): Promise<AssetRow> {
  const repo = new AssetRepository(db(env.DB), userId);
  const contentType = request.headers.get("Content-Type");

  if (options.allowFolder && /^\s*application\/json\s*(;|$)/i.test(contentType ?? "")) {
    // Read under a small cap: this route is exempt from MAX_BODY_BYTES.
    const field = new FieldSink("body");
    if (request.body) {
      const reader = request.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          field.write(value);
        }
      } catch (err) {
        await reader.cancel().catch(() => undefined);
        throw err instanceof ApiError ? err : new ApiError("invalid_request", "Could not read the request body");
      }
    }
    field.end();
    return createFolder(repo, parseMetadata(field.text, "request body"));
  }

  const boundary = multipartBoundary(contentType);
  if (!boundary) throw new ApiError("invalid_request", "Expected a multipart/form-data body with a 'file' field (and optionally a 'json' metadata field)");
  if (!request.body) throw new ApiError("invalid_request", "The request has no body");
  const { maxUploadBytes } = getStorageConfig(env);
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > maxUploadBytes + FORM_OVERHEAD_BYTES) throw tooLarge(maxUploadBytes);

  const id = newAssetId();
  let meta: AssetCreate | undefined;
  let file: { upload: StreamingUpload; contentType: string; filename?: string } | undefined;
  let fileDone = false;
  let otherBytes = 0;
  try {
    await parseMultipart(request.body, boundary, (part) => {
      if (part.name === "file") {
        if (file) throw new ApiError("invalid_request", "The form has more than one 'file' field");
        const { contentType: type, ext } = fileType(meta?.content_type, part.contentType, part.filename);
        if (options.imagesOnly && !type.startsWith("image/")) {
          throw new ApiError("invalid_request", `Only images can be uploaded here, got ${type}`);
        }
        const key = objectKey("assets", keyOwner(env, userId), `${id}.${ext}`);
        const upload = new StreamingUpload(env.STORAGE, key, { contentType: type, maxBytes: maxUploadBytes });
        file = { upload, contentType: type, filename: part.filename };
        return {
          write: (chunk) => upload.write(chunk),
          end: () => {
            fileDone = true;
          },
        };
      }
      const field = new FieldSink(part.name);
      // Everything besides the file shares one small budget, whatever the number of fields.
      const counted = (c: Uint8Array) => {
        otherBytes += c.length;
        if (otherBytes > FORM_OVERHEAD_BYTES) throw new ApiError("payload_too_large", `The form's fields besides 'file' are larger than ${FORM_OVERHEAD_BYTES} bytes`);
        field.write(c);
      };
      if (part.name === "json") {
        return {
          write: counted,
          end: () => {
            field.end();
            meta = parseMetadata(field.text);
          },
        };
      }
      return { write: counted, end: () => undefined }; // other fields are read and ignored
    });
    if (!file) {
      if (options.allowFolder && meta?.content_type === FOLDER) return await createFolder(repo, meta);
      throw new ApiError("invalid_request", "The form has no 'file' field");
    }
    if (!fileDone) throw new ApiError("invalid_request", "The file part did not end");
    if (meta?.content_type === FOLDER) throw new ApiError("invalid_request", "A folder cannot have a file");
    await repo.checkFolder(meta?.parent_id);
    const stored = await file.upload.finish();
    try {
      return await repo.create({
        id,
        parent_id: meta?.parent_id ?? null,
        name: meta?.name ?? cleanName(file.filename) ?? `${id}.${stored.key.slice(stored.key.lastIndexOf(".") + 1)}`,
        content_type: file.contentType,
        size: stored.size,
        storage_key: stored.key,
        metadata: meta?.metadata ?? null,
        workflow_id: meta?.workflow_id ?? null,
        job_id: null,
        node_id: null,
      });
    } catch (err) {
      await env.STORAGE.delete(stored.key);
      throw err;
    }
  } catch (err) {
    await (file as { upload: StreamingUpload } | undefined)?.upload.abort();
    throw err;
  }
}

async function createFolder(repo: AssetRepository, meta: AssetCreate): Promise<AssetRow> {
  if (meta.content_type !== FOLDER) throw new ApiError("invalid_request", "Only folders are created without a file: send content_type 'folder', or upload a file as multipart/form-data");
  if (!meta.name) throw new ApiError("validation_error", "A folder needs a name", [{ path: "name", message: "required" }]);
  await repo.checkFolder(meta.parent_id);
  return repo.create({
    parent_id: meta.parent_id ?? null,
    name: meta.name,
    content_type: FOLDER,
    size: null,
    storage_key: null,
    metadata: meta.metadata ?? null,
    workflow_id: meta.workflow_id ?? null,
    job_id: null,
    node_id: null,
  });
}
