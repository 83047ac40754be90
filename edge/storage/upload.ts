import { ApiError } from "../errors/api-error";

/**
 * Writing request bodies to R2 without holding them in memory. A body of known length (Content-Length) is
 * handed to `put` as the stream it is. A body of unknown length (chunked, or one file inside a multipart
 * form) goes through `StreamingUpload`: a fixed buffer of PART_BYTES is filled and sent as one part of an R2
 * multipart upload each time it is full, so memory stays at one part whatever the size; a body that fits in
 * one part becomes a plain `put`.
 */
export const PART_BYTES = 8 * 1024 * 1024;

export function tooLarge(maxBytes: number): ApiError {
  return new ApiError("payload_too_large", `The upload is larger than ${maxBytes} bytes (MAX_UPLOAD_BYTES)`);
}

export class StreamingUpload {
  private buffer: Uint8Array;
  private filled = 0;
  private total = 0;
  private upload: R2MultipartUpload | null = null;
  private readonly parts: R2UploadedPart[] = [];
  private done = false;

  constructor(
    private readonly bucket: R2Bucket,
    readonly key: string,
    private readonly options: { contentType: string; maxBytes: number; partBytes?: number },
  ) {
    this.buffer = new Uint8Array(options.partBytes ?? PART_BYTES);
  }

  get size(): number {
    return this.total;
  }

  /** Adds bytes; sends a part whenever the buffer fills. Throws a 413 once the total passes maxBytes. */
  async write(chunk: Uint8Array): Promise<void> {
    this.total += chunk.length;
    if (this.total > this.options.maxBytes) throw tooLarge(this.options.maxBytes);
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, this.buffer.length - this.filled);
      this.buffer.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.buffer.length) await this.sendPart();
    }
  }

  private async sendPart(): Promise<void> {
    this.upload ??= await this.bucket.createMultipartUpload(this.key, { httpMetadata: { contentType: this.options.contentType } });
    // R2 wants every part but the last the same size: the buffer's.
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, this.buffer));
    this.filled = 0;
  }

  /** Stores what was written; returns the object. */
  async finish(): Promise<R2Object> {
    this.done = true;
    if (!this.upload) {
      return this.bucket.put(this.key, this.buffer.subarray(0, this.filled), { httpMetadata: { contentType: this.options.contentType } });
    }
    if (this.filled > 0) this.parts.push(await this.upload.uploadPart(this.parts.length + 1, this.buffer.subarray(0, this.filled)));
    return this.upload.complete(this.parts);
  }

  /** Drops a partial upload (nothing was stored yet). */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.upload?.abort().catch(() => undefined);
  }
}

/** Streams a body to R2 under `key`: directly when its length is known, in parts otherwise. */
export async function putBody(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array> | null,
  options: { contentLength: number | null; contentType: string; maxBytes: number },
): Promise<R2Object> {
  const httpMetadata = { contentType: options.contentType };
  if (body === null) return bucket.put(key, new Uint8Array(0), { httpMetadata });
  if (options.contentLength !== null) {
    if (options.contentLength > options.maxBytes) throw tooLarge(options.maxBytes);
    // A FixedLengthStream gives R2 the length it needs whatever kind of stream the body is, and fails the
    // write if the body turns out shorter or longer than it said.
    const fixed = new FixedLengthStream(options.contentLength);
    const piping = body.pipeTo(fixed.writable).catch(() => undefined);
    try {
      const object = await bucket.put(key, fixed.readable, { httpMetadata });
      await piping;
      return object;
    } catch (err) {
      throw new ApiError("invalid_request", `The upload failed: the body did not match its Content-Length (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  const upload = new StreamingUpload(bucket, key, { contentType: options.contentType, maxBytes: options.maxBytes });
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await upload.write(value);
    }
    return await upload.finish();
  } catch (err) {
    await upload.abort();
    await reader.cancel().catch(() => undefined);
    throw err;
  }
}

/** The request's Content-Length: null when absent, a 400 when malformed. */
export function contentLengthOf(request: Request): number | null {
  const raw = request.headers.get("Content-Length");
  if (raw === null) return null;
  if (!/^\d+$/.test(raw.trim())) throw new ApiError("invalid_request", "Invalid Content-Length header");
  return Number(raw.trim());
}
