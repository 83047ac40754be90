/** Methods whose bodies the API reads; a body on any other method is left alone. */
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** How much of a refused body is read and dropped, at most, before the connection is given up. */
const DRAIN_MAX_BYTES = 1024 * 1024 * 1024;
const DRAIN_MAX_MS = 120_000;

export type BodyRead =
  | { ok: true; request: Request; bytes: Uint8Array | null }
  /** Over the limit; `rest` is what is left of the body, unread. */
  | { ok: false; rest: ReadableStream<Uint8Array> };

/**
 * Reads a request body under `maxBytes`. A declared Content-Length over the limit is refused without reading a
 * byte; a body of unknown length (chunked) is read into memory only until it crosses the limit.
 */
export async function readLimitedBody(request: Request, maxBytes: number): Promise<BodyRead> {
  const body = request.body;
  if (!body || !BODY_METHODS.has(request.method)) return { ok: true, request, bytes: null };
  const declared = request.headers.get("content-length");
  if (declared !== null && !request.headers.has("transfer-encoding")) {
    const length = Number(declared);
    if (!Number.isFinite(length) || length > maxBytes) return { ok: false, rest: body };
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      reader.releaseLock();
      return { ok: false, rest: body };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, request: new Request(request, { body: bytes }), bytes };
}

/** Reads and drops what is left of a body, up to the drain bounds; past them the body is cancelled. */
async function drain(rest: ReadableStream<Uint8Array>): Promise<void> {
  const reader = rest.getReader();
  const deadline = Date.now() + DRAIN_MAX_MS;
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > DRAIN_MAX_BYTES || Date.now() > deadline) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away: nothing left to drop.
  }
}

/**
 * Sends a refusal (a 413) at once while the refused body is still arriving. The refusal's bytes go out
 * whole with their Content-Length, so the client has its answer immediately; the response only ends once the
 * rest of the body has been read and dropped. Two reasons: a Worker cannot read its request after its response
 * has ended, and leaving it unread makes the HTTP server in front (workerd, wrangler dev's proxy) drop the
 * connection mid-upload, which clients see as a reset or a 503 "Your worker restarted mid-request".
 */
export async function refuseWhileDraining(refusal: Response, rest: ReadableStream<Uint8Array>): Promise<Response> {
  const bytes = new Uint8Array(await refusal.arrayBuffer());
  const { readable, writable } = new FixedLengthStream(bytes.byteLength);
  const writer = writable.getWriter();
  void writer.write(bytes).catch(() => {});
  void drain(rest).finally(() => writer.close().catch(() => {}));
  return new Response(readable, { status: refusal.status, headers: refusal.headers });
}
