import { createParser, type EventSourceMessage } from "eventsource-parser";
import { brokenStream, ChatError, isAbort } from "./errors";
import type { ChatCompletionChunk } from "./types";

const encoder = new TextEncoder();

export function encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** One SSE `data:` event carrying a JSON value. */
export function dataEvent(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** Parses a byte stream of Server-Sent Events as they arrive. Read errors propagate to the caller. */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<EventSourceMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => queue.push(e), onError: () => {} });
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        finished = true;
        // An event the server did not terminate with a blank line still counts at the end of the stream.
        parser.feed(`${decoder.decode()}\n\n`);
      } else {
        parser.feed(decoder.decode(value, { stream: true }));
      }
      if (queue.length > 0) {
        const ready = queue;
        queue = [];
        for (const event of ready) yield event;
      }
      if (finished) return;
    }
  } finally {
    if (!finished) reader.cancel().catch(() => {});
    else reader.releaseLock();
  }
}

/** The ChatError an in-stream `{"error": {...}}` event stands for. */
export function streamedError(error: unknown, provider: string): ChatError {
  const e = (error && typeof error === "object" ? error : { message: String(error) }) as Record<string, unknown>;
  const message = typeof e.message === "string" && e.message ? e.message : `Provider '${provider}' reported an error mid-stream`;
  const type = typeof e.type === "string" ? e.type : "server_error";
  const code = typeof e.code === "string" ? e.code : null;
  const status = type === "rate_limit_error" || code === "rate_limit_exceeded" ? 429 : type === "invalid_request_error" ? 400 : 502;
  return new ChatError(status, message, type, code);
}

/**
 * The chunks of an OpenAI-format SSE stream, up to `data: [DONE]`. An error event, or a stream that breaks
 * off, throws a ChatError (an abort propagates as itself).
 */
export async function* openAIChunks(body: ReadableStream<Uint8Array>, provider: string, signal?: AbortSignal): AsyncGenerator<ChatCompletionChunk> {
  const events = sseEvents(body);
  for (;;) {
    let next: IteratorResult<EventSourceMessage>;
    try {
      next = await events.next();
    } catch (err) {
      if (isAbort(err, signal)) throw signal?.reason ?? err;
      throw brokenStream(provider);
    }
    if (next.done) return;
    const data = next.value.data;
    if (data === "[DONE]") {
      await events.return(undefined);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      continue; // not JSON: nothing a chunk consumer can use
    }
    if (parsed && typeof parsed === "object" && "error" in parsed && (parsed as { error: unknown }).error) {
      await events.return(undefined);
      throw streamedError((parsed as { error: unknown }).error, provider);
    }
    yield parsed as ChatCompletionChunk;
  }
}
