import { tokensOf } from "./record";

/** How much of a stream's end is kept to find its usage chunk (the last event before `[DONE]`). */
const TAIL_BYTES = 16 * 1024;

/** The `usage` of the last SSE `data:` event that has one, in a stream's tail. */
export function usageInSseTail(tail: string): { tokens_in: number; tokens_out: number } | null {
  const lines = tail.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (!line.startsWith("data:") || !line.includes('"usage"')) continue;
    try {
      const found = tokensOf((JSON.parse(line.slice(5).trim()) as { usage?: unknown }).usage);
      if (found) return found;
    } catch {
      // a line cut off at the tail's start: look further up
    }
  }
  return null;
}

/**
 * What the route that forwards a streamed answer knows of its usage (set on the request's hono context): a
 * stream asked for `stream_options.include_usage` hands over its last bytes once it has ended (null when it
 * broke off or the client left); one that was not can carry no usage chunk and resolves to null at once, so
 * the request is counted when its answer starts, without anything watching the stream for its end.
 */
export type StreamUsage = Promise<string | null>;

declare module "hono" {
  interface ContextVariableMap {
    /** Set by /v1/chat/completions for a streamed answer (see meterChatResponse). */
    chatStreamUsage: StreamUsage;
  }
}

type Tokens = { tokens_in: number; tokens_out: number };

/**
 * Reports the tokens a proxied chat response used once they are known: a JSON completion's `usage`, or the
 * usage chunk a stream ends with (sent when the client asked for `stream_options.include_usage`).
 *
 * A stream the route forwards is returned untouched, and its usage comes from the route (`streamUsage`):
 * wrapping the stream here would put JavaScript on every chunk of a body the runtime otherwise streams
 * natively, and a stream not asked for usage has nothing to find. A stream the route said nothing about (a
 * tool-loop answer) passes through a pull-based stream here that keeps its last TAIL_BYTES and parses them
 * when it ends. A client that leaves early still counts as a request; its tokens are unknown.
 */
export function meterChatResponse(
  res: Response,
  report: (tokens: Tokens | null) => Promise<void>,
  defer: (p: Promise<unknown>) => void,
  streamUsage?: StreamUsage,
): Response {
  if (res.status !== 200 || !res.body) return res;
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("application/json")) {
    defer(
      res
        .clone()
        .json()
        .then((body) => report(tokensOf((body as { usage?: unknown }).usage)))
        .catch(() => report(null)),
    );
    return res;
  }
  if (!type.includes("text/event-stream")) return res;
  if (streamUsage) {
    defer(streamUsage.then((tail) => report(tail === null ? null : usageInSseTail(tail))).catch(() => report(null)));
    return res;
  }
  return new Response(meterStream(res.body, (tokens) => defer(report(tokens))), { status: res.status, headers: res.headers });
}

/** `body`, its bytes untouched; `done` gets the usage in its tail once it ends (null when cancelled or absent). */
function meterStream(body: ReadableStream<Uint8Array>, done: (tokens: Tokens | null) => void): ReadableStream<Uint8Array> {
  let tail: Uint8Array[] = [];
  let tailBytes = 0;
  let reported = false;
  const finish = (found: boolean) => {
    if (reported) return;
    reported = true;
    if (!found) return done(null);
    const all = new Uint8Array(tailBytes);
    let offset = 0;
    for (const part of tail) {
      all.set(part, offset);
      offset += part.length;
    }
    done(usageInSseTail(new TextDecoder().decode(all)));
  };
  // One pull-based stream rather than a TransformStream plus a reader: a single JavaScript step per chunk,
  // and `cancel` sees a client that leaves (a TransformStream does not tell its transformer).
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (err) {
        finish(false);
        throw err;
      }
      if (result.done) {
        controller.close();
        return finish(true);
      }
      const chunk = result.value;
      controller.enqueue(chunk);
      tail.push(chunk);
      tailBytes += chunk.length;
      while (tail.length > 1 && tailBytes - tail[0].length >= TAIL_BYTES) tailBytes -= (tail.shift() as Uint8Array).length;
    },
    cancel(reason) {
      tail = [];
      tailBytes = 0;
      finish(false);
      return reader.cancel(reason);
    },
  });
}
