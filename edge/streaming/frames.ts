/** Wire framings of stream messages (DESIGN.md section 5). Bodies arrive already serialised as JSON. */
export type StreamFormat = "sse" | "ndjson";

const encoder = new TextEncoder();

export function messageFrame(format: StreamFormat, seq: number, json: string): Uint8Array {
  return encoder.encode(format === "sse" ? `id: ${seq}\ndata: ${json}\n\n` : `${json}\n`);
}

export const SSE_DONE = encoder.encode("data: [DONE]\n\n");
export const SSE_KEEPALIVE = encoder.encode(": keepalive\n\n");

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
};
