import { decode, decodeMulti, encode } from "@msgpack/msgpack";
import { INFER_STREAM_CONTENT_TYPE, type InferFrame, type InferRequestInput, MSGPACK_CONTENT_TYPE } from "../../../schema/runner";

/** A runner to talk to: its base URL and bearer token. */
export interface RunnerAddress {
  url: string;
  token: string;
}

export const authHeaders = (token: string) => ({ Authorization: `Bearer ${token}` });

export interface MsgpackResponse {
  status: number;
  contentType: string | null;
  body: unknown;
}

/** POST /v1/infer with a msgpack body (or raw bytes, for malformed-body tests); decodes the msgpack answer. */
export async function postInfer(runner: RunnerAddress, body: InferRequestInput | Uint8Array, init: { signal?: AbortSignal; token?: string } = {}): Promise<MsgpackResponse> {
  const res = await fetch(`${runner.url}/v1/infer`, {
    method: "POST",
    headers: { ...authHeaders(init.token ?? runner.token), "Content-Type": MSGPACK_CONTENT_TYPE },
    body: (body instanceof Uint8Array ? body : encode(body, { ignoreUndefined: true })) as BodyInit,
    signal: init.signal,
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, contentType: res.headers.get("content-type"), body: bytes.byteLength ? decode(bytes) : undefined };
}

/** POST /v1/infer asking for the frame stream; returns every frame once the stream ends. */
export async function streamInfer(runner: RunnerAddress, body: InferRequestInput): Promise<{ status: number; contentType: string | null; frames: InferFrame[] }> {
  const res = await fetch(`${runner.url}/v1/infer`, {
    method: "POST",
    headers: { ...authHeaders(runner.token), "Content-Type": MSGPACK_CONTENT_TYPE, Accept: INFER_STREAM_CONTENT_TYPE },
    body: encode(body, { ignoreUndefined: true }) as BodyInit,
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, contentType: res.headers.get("content-type"), frames: [...decodeMulti(bytes)] as InferFrame[] };
}

export async function getJson(runner: RunnerAddress, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${runner.url}${path}`, { headers: authHeaders(runner.token) });
  return { status: res.status, body: await res.json() };
}

export async function postJson(runner: RunnerAddress, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${runner.url}${path}`, { method: "POST", headers: authHeaders(runner.token) });
  return { status: res.status, body: await res.json() };
}

/** Polls `probe` until it returns a truthy value: tests wait for states, never for fixed times (the test timeout ends a wait that never succeeds). */
export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, intervalMs = 10): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
