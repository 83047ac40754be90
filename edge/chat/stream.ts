import { brokenStream, ChatError, sseErrorEvent } from "../../engine/providers/errors";

const encoder = new TextEncoder();
const KEEPALIVE = encoder.encode(": keepalive\n\n");
const DONE = encoder.encode("data: [DONE]\n\n");
const DONE_TAIL = /\[DONE\]\s*$/;

/** Bytes that arrived together are written together, up to this many per write (less early in a stream). */
const MAX_BATCH = 64 * 1024;
const MIN_BATCH = 256;

export interface ForwardOptions {
  /** A `: keepalive` comment goes out when the stream was silent this long (SSE_KEEPALIVE_MS). */
  keepaliveMs: number;
  provider: string;
}

/** Whether a chunk ends with a blank line, i.e. between two SSE events. */
function endsEvent(chunk: Uint8Array): boolean {
  const n = chunk.length;
  return n >= 2 && chunk[n - 1] === 10 && (chunk[n - 2] === 10 || (n >= 3 && chunk[n - 2] === 13 && chunk[n - 3] === 10));
}

function endedWithDone(previous: Uint8Array | undefined, last: Uint8Array | undefined): boolean {
  if (!last) return false;
  const decoder = new TextDecoder();
  const tail = last.length >= 16 || !previous ? decoder.decode(last.subarray(-64)) : decoder.decode(previous.subarray(-64)) + decoder.decode(last);
  return DONE_TAIL.test(tail);
}

/**
 * Forwards an OpenAI-format SSE body as it arrives, bytes untouched (no parsing), and adds what a client
 * needs from a proxy:
 * - `: keepalive` comments while the upstream is silent for keepaliveMs (only ever between two events);
 * - `data: {"error": ...}` then `data: [DONE]` when the upstream breaks off mid-stream;
 * - a final `data: [DONE]` when the upstream ended without one;
 * - when the client disconnects, the upstream body is cancelled, which closes the upstream request.
 *
 * Nothing waits for more data: a chunk is written as soon as the event loop is idle (a zero-delay timer).
 * Chunks that are already there by then (a burst, far faster than a model writes tokens) are written
 * together, up to a cap that grows with the bytes sent so far (from MIN_BATCH to MAX_BATCH), which keeps a
 * fast stream from paying one write per SSE event without holding back its first tokens.
 */
export function forwardSse(upstream: ReadableStream<Uint8Array>, options: ForwardOptions): ReadableStream<Uint8Array> {
  const { readable, writable } = new IdentityTransformStream();
  forwardSseInto(upstream, writable.getWriter(), options);
  return readable as ReadableStream<Uint8Array>;
}

/** forwardSse into a response stream that is already open (see `awaitUpstream`). */
export function forwardSseInto(upstream: ReadableStream<Uint8Array>, writer: WritableStreamDefaultWriter<Uint8Array>, options: ForwardOptions): void {
  pump(upstream, writer, options).catch((err) =>
    console.warn(`[chat] forwarding the stream from '${options.provider}' failed`, err instanceof Error ? err.message : err),
  );
}

/**
 * A streamed completion whose upstream has not answered within keepaliveMs: the response (200, SSE) starts
 * now with a keepalive, and more follow while the upstream thinks. Then its stream is forwarded, or its
 * failure goes out as the error event. A client that goes away meanwhile is noticed (its stream is
 * cancelled), and `abort` stops the upstream request: without an open response, a proxy in front (wrangler
 * dev's, in `npm start`) holds the connection to this Worker open after its client has gone, and the
 * upstream would think on for nobody.
 */
export function awaitUpstream(upstream: Promise<ReadableStream<Uint8Array>>, abort: () => void, options: ForwardOptions): ReadableStream<Uint8Array> {
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter() as WritableStreamDefaultWriter<Uint8Array>;
  let gone = false;
  writer.closed.catch(() => {
    gone = true;
    abort();
  });
  const keepalive = () => void writer.write(KEEPALIVE).catch(() => {});
  keepalive();
  const timer = setInterval(keepalive, options.keepaliveMs);
  upstream.then(
    (body) => {
      clearInterval(timer);
      if (gone) return void body.cancel().catch(() => {});
      forwardSseInto(body, writer, options);
    },
    (err: unknown) => {
      clearInterval(timer);
      if (gone) return;
      const chatError = err instanceof ChatError ? err : brokenStream(options.provider);
      writer.write(encoder.encode(sseErrorEvent(chatError))).catch(() => {});
      writer.close().catch(() => {});
    },
  );
  return readable as ReadableStream<Uint8Array>;
}

async function pump(body: ReadableStream<Uint8Array>, writer: WritableStreamDefaultWriter<Uint8Array>, options: ForwardOptions): Promise<void> {
  const reader = body.getReader();
  let clientGone = false;
  // The client disconnected: the response's readable side was cancelled, which errors our writable side.
  writer.closed.catch(() => {
    clientGone = true;
    reader.cancel().catch(() => {});
  });
  const write = (bytes: Uint8Array) => {
    writer.write(bytes).catch(() => {});
  };

  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let writtenBytes = 0;
  const flush = () => {
    if (flushTimer !== undefined) {
      clearTimeout(flushTimer);
      flushTimer = undefined;
    }
    if (batch.length === 0) return;
    let out = batch[0];
    if (batch.length > 1) {
      out = new Uint8Array(batchBytes);
      let offset = 0;
      for (const part of batch) {
        out.set(part, offset);
        offset += part.length;
      }
    }
    batch = [];
    batchBytes = 0;
    writtenBytes += out.length;
    write(out);
  };

  let boundary = true; // everything sent so far ends between two events
  let lastActivity = Date.now();
  let last: Uint8Array | undefined;
  let previous: Uint8Array | undefined;
  const keepalive = setInterval(
    () => {
      if (clientGone || batch.length > 0 || !boundary || Date.now() - lastActivity < options.keepaliveMs) return;
      lastActivity = Date.now();
      write(KEEPALIVE);
    },
    Math.max(10, Math.floor(options.keepaliveMs / 2)),
  );

  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (err) {
        if (clientGone) return;
        console.warn(`[chat] stream from provider '${options.provider}' broke off`, err instanceof Error ? err.message : err);
        flush();
        write(encoder.encode(sseErrorEvent(brokenStream(options.provider))));
        await writer.close();
        return;
      }
      if (clientGone) return;
      if (result.done) {
        flush();
        if (!endedWithDone(previous, last)) write(DONE);
        await writer.close();
        return;
      }
      const chunk = result.value;
      if (chunk.length === 0) continue;
      previous = last;
      last = chunk;
      boundary = endsEvent(chunk);
      lastActivity = Date.now();
      batch.push(chunk);
      batchBytes += chunk.length;
      // The cap grows with the stream, so the first events of a burst (the first tokens) are not held back.
      if (batchBytes >= Math.min(MAX_BATCH, Math.max(MIN_BATCH, writtenBytes))) flush();
      else if (flushTimer === undefined) flushTimer = setTimeout(flush, 0);
      // Backpressure: a slow client slows the upstream read instead of growing our queue.
      if (writer.desiredSize !== null && writer.desiredSize <= 0) await writer.ready;
    }
  } catch (err) {
    if (!clientGone) throw err;
  } finally {
    clearInterval(keepalive);
    if (flushTimer !== undefined) clearTimeout(flushTimer);
  }
}
