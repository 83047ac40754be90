import type { BlobInput, InferRequest, InferResult, InferWireRequest, RunnerHealth, StoredOutput } from "../../../schema/runner";
import { RunnerFailure } from "../errors";
import type { EdgeLink } from "./edge-link";
import { ConnectFailure, downloadBlob, uploadBlob } from "./transfer";

/**
 * The runner's half of media by reference, around the kernels (which keep seeing bytes): blob inputs of a
 * request are downloaded from the edge before it runs, and outputs larger than the request's
 * `upload.inline_max_bytes` are uploaded to the edge after, the result carrying their key instead
 * (schema/runner.ts StoredOutputSchema). Counters for /health show what moved which way.
 */
const PARALLEL = 4;

/** Extensions the edge maps back to the content types kernels produce; anything else stays inline. */
const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
  "image/gif": "gif",
  "image/tiff": "tiff",
  "image/avif": "avif",
  "image/bmp": "bmp",
  "audio/wav": "wav",
  "audio/mpeg": "mp3",
  "audio/ogg": "ogg",
  "audio/flac": "flac",
  "audio/mp4": "m4a",
  "audio/aac": "aac",
  "video/mp4": "mp4",
  "video/webm": "webm",
  "video/quicktime": "mov",
};

type MediaOutput = { content_type: string; data: Uint8Array; stored?: StoredOutput };

/** Runs `work` on up to PARALLEL items at a time, in order of the items. */
async function eachLimited<T>(items: T[], work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, lane));
}

export class MediaTransport {
  private readonly counters = {
    last_request_bytes: 0,
    max_request_bytes: 0,
    last_result_bytes: 0,
    blobs_downloaded: 0,
    blob_bytes_downloaded: 0,
    blobs_uploaded: 0,
    blob_bytes_uploaded: 0,
  };

  constructor(readonly link: EdgeLink) {}

  health(): NonNullable<RunnerHealth["media"]> {
    return { ...this.link.state(), ...this.counters };
  }

  noteRequest(bytes: number): void {
    this.counters.last_request_bytes = bytes;
    this.counters.max_request_bytes = Math.max(this.counters.max_request_bytes, bytes);
  }

  noteResult(bytes: number): void {
    this.counters.last_result_bytes = bytes;
  }

  /** The request with every blob input downloaded (kernels get bytes, as they always did). */
  async materialize(request: InferWireRequest, signal: AbortSignal): Promise<InferRequest> {
    if (request.kernel !== "image" && request.kernel !== "audio" && request.kernel !== "video") return request;
    const parts = request.kernel === "image" ? request.images : request.media;
    if (parts.every((p) => p instanceof Uint8Array)) return request as InferRequest;
    const bytes: Uint8Array[] = new Array(parts.length);
    await eachLimited(parts, async (part, i) => {
      if (part instanceof Uint8Array) {
        bytes[i] = part;
        return;
      }
      const blob = (part as BlobInput).blob;
      try {
        bytes[i] = await downloadBlob(this.link.edgeUrl, this.link.token, blob, `media input ${i}`, signal);
      } catch (err) {
        if (err instanceof ConnectFailure) this.link.lost(err.message);
        throw err;
      }
      this.counters.blobs_downloaded++;
      this.counters.blob_bytes_downloaded += blob.size;
    });
    return (request.kernel === "image" ? { ...request, images: bytes } : { ...request, media: bytes }) as InferRequest;
  }

  /** The result with its large outputs uploaded, when the request allows it and the edge is reachable. */
  async store(request: InferRequest, result: InferResult, signal: AbortSignal): Promise<InferResult> {
    if (request.kernel !== "image" && request.kernel !== "audio" && request.kernel !== "video") return result;
    const upload = request.upload;
    if (!upload || !this.link.usable) return result;
    const outputs: MediaOutput[] = result.kernel === "image" ? result.images : result.kernel === "audio" || result.kernel === "video" ? result.outputs : [];
    await eachLimited(outputs, async (output, i) => {
      const ext = EXTENSIONS[output.content_type.split(";")[0].trim().toLowerCase()];
      if (!ext || output.data.byteLength <= upload.inline_max_bytes || !this.link.usable) return;
      let stored: { key: string; size: number };
      try {
        stored = await uploadBlob(this.link.edgeUrl, this.link.token, upload.url.replace("{name}", `${i}.${ext}`), output.data, `output ${i}`, signal);
      } catch (err) {
        // Unreachable now: this output (and the rest) go back inline, as they would to a runner without an edge.
        if (err instanceof ConnectFailure) return this.link.lost(err.message);
        throw err;
      }
      this.counters.blobs_uploaded++;
      this.counters.blob_bytes_uploaded += stored.size;
      output.stored = stored;
      output.data = new Uint8Array(0);
    });
    if (signal.aborted) throw RunnerFailure.cancelled();
    return result;
  }
}
