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
 * Passes a proxied chat response through untouched and reports the tokens it used once it has ended: a JSON
 * completion's `usage`, or the usage chunk a stream ends with (sent when the client asked for
 * `stream_options.include_usage`). A stream without one reports a request with no tokens. Only the stream's
 * last bytes are kept, and nothing is parsed until it ends.
 */
export function meterChatResponse(res: Response, report: (tokens: { tokens_in: number; tokens_out: number } | null) => Promise<void>, defer: (p: Promise<unknown>) => void): Response {
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
  let tail: Uint8Array[] = [];
  let tailBytes = 0;
  let reported = false;
  const finish = () => {
    if (reported) return;
    reported = true;
    const all = new Uint8Array(tailBytes);
    let offset = 0;
    for (const part of tail) {
      all.set(part, offset);
      offset += part.length;
    }
    defer(report(usageInSseTail(new TextDecoder().decode(all))));
  };
  const meter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      tail.push(chunk);
      tailBytes += chunk.length;
      while (tail.length > 1 && tailBytes - tail[0].length >= TAIL_BYTES) tailBytes -= tail.shift()!.length;
    },
    flush: finish,
  });
  // A client that leaves early still counts as a request; its tokens are unknown.
  const body = res.body.pipeThrough(meter);
  const reader = body.getReader();
  const out = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      tail = [];
      tailBytes = 0;
      finish();
      return reader.cancel(reason);
    },
  });
  return new Response(out, { status: res.status, headers: res.headers });
}
