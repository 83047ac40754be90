import { isAbort, timedOut, unreachable, upstreamError } from "./errors";
import type { ChatRequest, ProviderConfig } from "./types";

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface CallContext {
  fetch: FetchFn;
  /** Every configured provider: what error messages are redacted against. */
  providers: readonly ProviderConfig[];
  signal?: AbortSignal;
  /** How long the provider may take to send response headers (then a 504); none when absent. */
  timeoutMs?: number;
  log: (message: string, err?: unknown) => void;
}

/**
 * A fetch whose network failure becomes a 502 naming the provider, and whose silence past `timeoutMs` before
 * the response headers becomes a 504 (an abort by the caller stays an abort). Once the headers are in, only
 * the caller's signal governs the body: a stream may legitimately run for a long time.
 */
export async function callProvider(provider: ProviderConfig, url: string, init: RequestInit, ctx: CallContext): Promise<Response> {
  // One controller fed by the caller's signal and the timer: AbortSignal.any cost a proxied request more in
  // workerd than the rest of this function.
  const controller = new AbortController();
  const caller = ctx.signal;
  if (caller?.aborted) controller.abort(caller.reason);
  else caller?.addEventListener("abort", () => controller.abort(caller.reason), { once: true });
  let timedOutWaiting = false;
  const timer = ctx.timeoutMs
    ? setTimeout(() => {
        timedOutWaiting = true;
        controller.abort();
      }, ctx.timeoutMs)
    : undefined;
  try {
    return await ctx.fetch(url, { ...init, signal: controller.signal });
  } catch (err) {
    if (timedOutWaiting && !caller?.aborted) {
      ctx.log(`[chat] provider '${provider.name}' sent no answer within ${ctx.timeoutMs} ms`);
      throw timedOut(provider, ctx.timeoutMs!);
    }
    if (isAbort(err, caller)) throw caller?.reason ?? err;
    ctx.log(`[chat] provider '${provider.name}' unreachable`, err);
    throw unreachable(provider);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads an error response and maps it (never includes the provider's URL or key). */
export async function failed(provider: ProviderConfig, res: Response, model: string, ctx: CallContext): Promise<never> {
  const text = await res.text().catch(() => "");
  throw upstreamError(provider, ctx.providers, res.status, text, model, res.headers.get("retry-after"));
}

/**
 * OpenAI and OpenAI-compatible servers: the request goes out as it came (with the routed model name) and the
 * response comes back untouched, so the proxy can forward its bytes as they arrive.
 */
export async function openAIChat(provider: ProviderConfig, request: ChatRequest, model: string, ctx: CallContext): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: request.stream ? "text/event-stream" : "application/json",
  };
  if (provider.apiKey) headers.authorization = `Bearer ${provider.apiKey}`;
  const body = JSON.stringify(request.model === model ? request : { ...request, model });
  const res = await callProvider(provider, `${provider.baseUrl}/chat/completions`, { method: "POST", headers, body }, ctx);
  if (!res.ok) return failed(provider, res, model, ctx);
  return res;
}

export interface UpstreamModel {
  id: string;
  created: number;
}

/** `GET {base}/models` of an OpenAI-compatible server. */
export async function openAIModels(provider: ProviderConfig, ctx: CallContext): Promise<UpstreamModel[]> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (provider.apiKey) headers.authorization = `Bearer ${provider.apiKey}`;
  const res = await callProvider(provider, `${provider.baseUrl}/models`, { method: "GET", headers }, ctx);
  if (!res.ok) return failed(provider, res, "", ctx);
  const body = (await res.json()) as { data?: unknown };
  if (!Array.isArray(body.data)) throw new Error(`provider '${provider.name}' returned a model list without data`);
  return body.data
    .filter((m): m is { id: string; created?: unknown } => !!m && typeof (m as { id?: unknown }).id === "string")
    .map((m) => ({ id: m.id, created: typeof m.created === "number" ? m.created : 0 }));
}
