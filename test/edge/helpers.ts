import { createParser, type EventSourceMessage } from "eventsource-parser";
import { expect } from "vitest";
import { call, echoWorkflow } from "./users";

/** Saves a workflow as `user` and returns its id. */
export async function saved(user: string, body: unknown = echoWorkflow()): Promise<string> {
  const res = await call(user, "POST", "/api/workflows", body);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Reads a Server-Sent-Events response to its end with a real SSE parser. */
export async function sseEvents(res: Response): Promise<{ events: EventSourceMessage[]; comments: string[] }> {
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c) });
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) parser.feed(decoder.decode(chunk, { stream: true }));
  return { events, comments };
}

/** A tiny but real PNG header (signature + IHDR), then `extra` bytes of padding. */
export function pngBytes(width: number, height: number, extra = 0): Uint8Array {
  const out = new Uint8Array(33 + extra);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const v = new DataView(out.buffer);
  v.setUint32(16, width);
  v.setUint32(20, height);
  out.set([8, 6, 0, 0, 0], 24);
  for (let i = 33; i < out.length; i++) out[i] = (i * 13) % 256;
  return out;
}
