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
  /**
   * Called once the stream is over, for the usage meter: with its last TAIL_BYTES when `keepTail` is set
   * (the relay only) and it ended normally, else with null (it broke off, the client left, or no tail kept).
   */
  onEnd?: (tail: string | null) => void;
  /** The relay keeps the stream's tail for onEnd (a stream that carries a usage chunk). */
  keepTail?: boolean;
}

/** How much of a stream's end `tail` gets: its usage chunk is the last event before `[DONE]`. */
const TAIL_BYTES = 16 * 1024;
/** What one read of a byte stream (a fetch body) may return: whatever has arrived, up to this. */
const READ_BYTES = 64 * 1024;

type ChunkReader = { read(): Promise<ReadableStreamReadResult<Uint8Array>>; cancel(reason?: unknown): Promise<void> };

/**
 * A byte stream (an upstream's fetch body) is read with a BYOB reader into a large buffer, so one read takes
 * everything that has arrived instead of one network read's worth: fewer trips through JavaScript when the
 * stream is fast. A stream made in JavaScript (a translation) is read chunk by chunk.
 */
function chunkReader(body: ReadableStream<Uint8Array>): ChunkReader {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    return body.getReader();
  }
  // One buffer, handed back by each read: what arrived is copied out (its own bytes only), the buffer reused.
  let buffer = new ArrayBuffer(READ_BYTES);
  return {
    async read() {
      const result = await byob.read(new Uint8Array(buffer));
      if (result.done || !result.value) return { done: true, value: undefined };
      buffer = result.value.buffer as ArrayBuffer;
      return { done: false, value: result.value.slice() };
    },
    cancel: (reason) => byob.cancel(reason),
  };
}

function joined(parts: Uint8Array[], bytes: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(bytes);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
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

/*
 * Two ways to relay a completion's SSE stream to the client (docs/architecture.md#9-chat-proxy):
 * - pipeSse, the native path, for an OpenAI-protocol upstream whose stream needs nothing done to it (it is
 *   already in the client's format): the runtime streams the bytes, no JavaScript runs per chunk, as fast as
 *   a Worker that only returns `fetch(...).body` (`npm run bench -- chat` prints the share);
 * - forwardSse, the JavaScript relay, for a stream that needs per-chunk work: Anthropic's events translated
 *   (made in JavaScript anyway), or a stream whose usage chunk the meter needs. It adds mid-stream
 *   keepalives, the error event when the upstream breaks off and a missing final [DONE], which need to see
 *   every chunk; its cost is in the same bench (about half the native path's throughput).
 * Both start the same way while the upstream has not answered yet (awaitUpstream: keepalives, and the
 * error event if it then fails).
 */

/**
 * The JavaScript relay: forwards an OpenAI-format SSE body as it arrives, bytes untouched (no parsing), and
 * adds what a client needs from a proxy:
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
 * The native path, for an OpenAI-format stream that needs no per-chunk work: the upstream's body is the
 * response's body, which workerd streams to the client in C++ with no JavaScript per chunk (exactly what the
 * passthrough Worker in `npm run bench -- chat` does). A client that disconnects cancels it, which closes the
 * upstream request. What it cannot do, and forwardSse does:
 * - keepalives once the upstream's body has started: nothing sees whether the stream has gone silent, and
 *   nothing can be written into a body the runtime is pumping;
 * - the `data: {"error"}` event when the upstream breaks off: workerd ends the response where the upstream's
 *   body failed, and no JavaScript can write after it. (A pipe into a stream of ours does not help: workerd
 *   (1.2026x) leaves a pipe's destination unwritable once its source failed, with or without
 *   preventAbort/preventClose; a second stream in between is refused, "Inter-TransformStream pipeTo() is not
 *   implemented"; a JavaScript TransformStream in between runs per chunk again.) The client sees the stream
 *   stop without `data: [DONE]`, the sign of a cut stream;
 * - adding a `data: [DONE]` the upstream left out (the bytes are never looked at).
 */
export function pipeSse(upstream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return upstream;
}

/** The native path after awaitUpstream opened the response: the runtime pipes the body into it. */
function pipeSseInto(upstream: ReadableStream<Uint8Array>, writable: WritableStream<Uint8Array>, options: ForwardOptions): void {
  upstream
    .pipeTo(writable)
    .catch((err) =>
      console.warn(`[chat] the stream from '${options.provider}' ended early (it broke off, or the client left)`, err instanceof Error ? err.message : err),
    )
    .finally(() => options.onEnd?.(null));
}

/**
 * A streamed completion whose upstream has not answered within keepaliveMs: the response (200, SSE) starts
 * now with a keepalive, and more follow while the upstream thinks. Then its stream is forwarded, or its
 * failure goes out as the error event. A client that goes away meanwhile is noticed (its stream is
 * cancelled), and `abort` stops the upstream request: without an open response, a proxy in front (wrangler
 * dev's, in `npm start`) holds the connection to this Worker open after its client has gone, and the
 * upstream would think on for nobody.
 */
export function awaitUpstream(
  upstream: Promise<ReadableStream<Uint8Array>>,
  abort: () => void,
  options: ForwardOptions & { native?: boolean },
): ReadableStream<Uint8Array> {
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter() as WritableStreamDefaultWriter<Uint8Array>;
  let gone = false;
  let handedOver = false; // to the native pipe, which releases this writer (rejecting `closed`)
  writer.closed.catch(() => {
    if (handedOver) return;
    gone = true;
    abort();
  });
  const keepalive = () => void writer.write(KEEPALIVE).catch(() => {});
  keepalive();
  const timer = setInterval(keepalive, options.keepaliveMs);
  upstream.then(
    (body) => {
      clearInterval(timer);
      if (gone) {
        options.onEnd?.(null);
        return void body.cancel().catch(() => {});
      }
      if (!options.native) return forwardSseInto(body, writer, options);
      // Keepalives already written stay queued ahead of the pipe. From here a client that leaves cancels the
      // pipe, and with it the upstream body.
      handedOver = true;
      writer.releaseLock();
      pipeSseInto(body, writable as WritableStream<Uint8Array>, options);
    },
    (err: unknown) => {
      clearInterval(timer);
      options.onEnd?.(null);
      if (gone) return;
      const chatError = err instanceof ChatError ? err : brokenStream(options.provider);
      writer.write(encoder.encode(sseErrorEvent(chatError))).catch(() => {});
      writer.close().catch(() => {});
    },
  );
  return readable as ReadableStream<Uint8Array>;
}

async function pump(body: ReadableStream<Uint8Array>, writer: WritableStreamDefaultWriter<Uint8Array>, options: ForwardOptions): Promise<void> {
  const reader = chunkReader(body);
  let clientGone = false;
  let tail: Uint8Array[] = [];
  let tailBytes = 0;
  let tailSent = false;
  const endTail = (ended: boolean) => {
    if (tailSent) return;
    tailSent = true;
    options.onEnd?.(ended && options.keepTail ? new TextDecoder().decode(joined(tail, tailBytes)) : null);
    tail = [];
  };
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
    const out = joined(batch, batchBytes);
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
        endTail(false);
        if (clientGone) return;
        console.warn(`[chat] stream from provider '${options.provider}' broke off`, err instanceof Error ? err.message : err);
        flush();
        write(encoder.encode(sseErrorEvent(brokenStream(options.provider))));
        await writer.close();
        return;
      }
      if (clientGone) return endTail(false);
      if (result.done) {
        endTail(true);
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
      if (options.keepTail) {
        tail.push(chunk);
        tailBytes += chunk.length;
        while (tail.length > 1 && tailBytes - tail[0].length >= TAIL_BYTES) tailBytes -= (tail.shift() as Uint8Array).length;
      }
      // The cap grows with the stream, so the first events of a burst (the first tokens) are not held back.
      if (batchBytes >= Math.min(MAX_BATCH, Math.max(MIN_BATCH, writtenBytes))) flush();
      else if (flushTimer === undefined) flushTimer = setTimeout(flush, 0);
      // Backpressure: a slow client slows the upstream read instead of growing our queue.
      if (writer.desiredSize !== null && writer.desiredSize <= 0) await writer.ready;
    }
  } catch (err) {
    if (!clientGone) throw err;
  } finally {
    endTail(false);
    clearInterval(keepalive);
    if (flushTimer !== undefined) clearTimeout(flushTimer);
  }
}
