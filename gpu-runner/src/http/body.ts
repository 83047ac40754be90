import type { IncomingMessage } from "node:http";
import { RunnerFailure } from "../errors";
import { firstLargeBinOffset } from "./msgpack-scan";

/** Widest tensor element (float64, int64): the alignment the first tensor's bytes are placed at. */
const ALIGN = 8;

/**
 * A buffer for a body of `length` bytes whose first large msgpack bin (located in `head`, the first chunk)
 * will start `ALIGN`-aligned. Not zero-filled: every byte of the returned view is written before it is used,
 * and the few padding bytes around it are zeroed so no stale memory travels with it to a worker.
 */
function alignedBody(length: number, head: Uint8Array): Uint8Array {
  const offset = firstLargeBinOffset(head);
  const pad = offset === undefined ? 0 : (ALIGN - (offset % ALIGN)) % ALIGN;
  const whole = Buffer.allocUnsafeSlow(length + ALIGN - 1);
  whole.fill(0, 0, pad);
  whole.fill(0, pad + length);
  return new Uint8Array(whole.buffer, pad, length);
}

/**
 * Reads a request body into one freshly allocated buffer, refusing it with 413 as soon as it passes `limit`
 * (from Content-Length when sent, else while reading). It reads Node's IncomingMessage directly: going
 * through the web Request that hono would build costs more than the rest of a small inference. With a
 * Content-Length the buffer is allocated up front and each chunk is copied in as it arrives, so the copy
 * overlaps the upload instead of following it; it is laid out so the first tensor's bytes are aligned
 * (alignedBody). The buffer belongs to this request alone, so the msgpack views into it can be transferred
 * to a worker thread.
 */
export function readBody(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  const tooLarge = () => RunnerFailure.invalidRequest(`request body is larger than ${limit} bytes (GPU_RUNNER_MAX_BODY_BYTES)`, 413);
  const header = incoming.headers["content-length"];
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    // Allocated at the first chunk, which tells where the first tensor's bytes will fall.
    const expected = declared !== undefined && Number.isSafeInteger(declared) && declared > 0 ? declared : undefined;
    let body: Uint8Array | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (failure: RunnerFailure) => {
      cleanup();
      // The rest of the body is left unread; @hono/node-server drains or closes the connection.
      reject(failure);
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.byteLength > limit) return fail(tooLarge());
      if (size === 0 && expected !== undefined && chunks.length === 0) body = alignedBody(expected, chunk);
      if (body && size + chunk.byteLength <= body.byteLength) body.set(chunk, size);
      else {
        // No or a wrong Content-Length (Node rejects bodies longer than it): collect and join at the end.
        if (body) chunks.push(Buffer.from(body.subarray(0, size)));
        body = undefined;
        chunks.push(chunk);
      }
      size += chunk.byteLength;
    };
    const onEnd = () => {
      cleanup();
      if (body && size === body.byteLength) return resolve(body);
      const joined = new Uint8Array(size);
      let offset = 0;
      for (const chunk of body ? [body.subarray(0, size)] : chunks) {
        joined.set(chunk, offset);
        offset += chunk.byteLength;
      }
      resolve(joined);
    };
    const onError = (err: Error) => fail(RunnerFailure.invalidRequest(`could not read the request body: ${err.message}`));
    const cleanup = () => {
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("error", onError);
    };
    incoming.on("data", onData);
    incoming.on("end", onEnd);
    incoming.on("error", onError);
  });
}
