/** Wire framings of stream messages (docs/architecture.md#5-stream-messages-sse-and-ndjson). */
export type StreamFormat = "sse" | "ndjson" | "msgpack";

const encoder = new TextEncoder();

/** A message body already serialised as JSON, framed for SSE (with its `id:`) or NDJSON. */
export function textFrame(format: "sse" | "ndjson", seq: number, json: string): string {
  return format === "sse" ? `id: ${seq}\ndata: ${json}\n\n` : `${json}\n`;
}

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export const SSE_DONE = "data: [DONE]\n\n";
export const SSE_KEEPALIVE = ": keepalive\n\n";

export const STREAM_HEADERS: Record<StreamFormat, Record<string, string>> = {
  sse: {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",
  },
  ndjson: {
    "Content-Type": "application/x-ndjson; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
  },
  // Internal: a job's stream to the WebSocket connections that follow it.
  msgpack: { "Content-Type": "application/vnd.nodetool-edge.msgpack-frames" },
};
