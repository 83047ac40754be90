import type { IncomingMessage } from "node:http";
import { RunnerFailure } from "../errors";

/**
 * Reads a request body into one freshly allocated buffer, refusing it with 413 as soon as it passes `limit`
 * (from Content-Length when sent, else while reading). It reads Node's IncomingMessage directly: going
 * through the web Request that hono would build costs more than the rest of a small inference. With a
 * Content-Length the buffer is allocated up front and each chunk is copied in as it arrives, so the copy
 * overlaps the upload instead of following it. The buffer belongs to this request alone, so the msgpack
 * views into it can be transferred to a worker thread.
 */
export function readBody(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  const tooLarge = () => RunnerFailure.invalidRequest(`request body is larger than ${limit} bytes (GPU_RUNNER_MAX_BODY_BYTES)`, 413);
  const header = incoming.headers["content-length"];
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    let body = declared !== undefined && Number.isSafeInteger(declared) ? new Uint8Array(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (failure: RunnerFailure) => {
      cleanup();
      // The rest of the body is left unread; @hono/node-server drains or closes the connection.
      reject(failure);
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.byteLength > limit) return fail(tooLarge());
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
