import { callProvider, failed, type CallContext, type FetchFn } from "../openai";
import type { ProviderConfig } from "../types";
import { MediaProviderError } from "./types";

/** How a media call reaches a provider: the chat layer's fetch, timeout, error mapping and redaction. */
export interface MediaCall {
  provider: ProviderConfig;
  model: string;
  fetch: FetchFn;
  providers: readonly ProviderConfig[];
  signal?: AbortSignal;
  timeoutMs?: number;
  log: (message: string, err?: unknown) => void;
}

function context(call: MediaCall): CallContext {
  return { fetch: call.fetch, providers: call.providers, signal: call.signal, timeoutMs: call.timeoutMs, log: call.log };
}

function authHeaders(provider: ProviderConfig, extra: Record<string, string> = {}): Record<string, string> {
  return provider.apiKey ? { ...extra, authorization: `Bearer ${provider.apiKey}` } : extra;
}

/**
 * Sends a request to `{baseUrl}{path}`: a JSON body, a multipart form (FormData sets its own boundary), or none.
 * Provider errors become the chat layer's errors (status, a redacted message naming the provider and model).
 */
export async function send(call: MediaCall, method: "GET" | "POST", path: string, body?: unknown, accept = "application/json"): Promise<Response> {
  const init: RequestInit = { method, headers: authHeaders(call.provider, { accept }) };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers = authHeaders(call.provider, { accept, "content-type": "application/json" });
    init.body = JSON.stringify(body);
  }
  const res = await callProvider(call.provider, `${call.provider.baseUrl}${path}`, init, context(call));
  if (!res.ok) return failed(call.provider, res, call.model, context(call));
  return res;
}

/** The whole body, refused once it passes `maxBytes` (a provider could answer with anything). */
export async function readBounded(res: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw new MediaProviderError(`${what} is ${declared} bytes, over the limit of ${maxBytes}`);
  }
  if (!res.body) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new MediaProviderError(`${what} is over the limit of ${maxBytes} bytes`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** A JSON answer, bounded; `what` names it in errors. */
export async function readJson(res: Response, call: MediaCall, maxBytes: number, what: string): Promise<unknown> {
  const text = new TextDecoder().decode(await readBounded(res, maxBytes, `${what} from provider '${call.provider.name}'`));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MediaProviderError(`provider '${call.provider.name}' answered the ${what} request (model '${call.model}') with something other than JSON`);
  }
}

/** A part of a multipart form, named with an extension the provider can tell the format by. */
export function filePart(bytes: Uint8Array, contentType: string, baseName: string, ext: string): File {
  return new File([bytes as Uint8Array<ArrayBuffer>], `${baseName}.${ext}`, { type: contentType });
}

/** Sleeps, ending early (with the abort reason) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
