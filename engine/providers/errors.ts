import type { ProviderConfig } from "./types";

/** OpenAI's error `type` values as this server uses them. */
export type ChatErrorType = "invalid_request_error" | "authentication_error" | "permission_error" | "rate_limit_error" | "server_error";

/**
 * A failure of the chat layer with OpenAI's error fields and the HTTP status the `/v1` routes answer with.
 * Messages never carry an upstream key, a provider's base URL or a stack.
 */
export class ChatError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ChatErrorType | string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Headers for the client (Retry-After of an upstream 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ChatError";
  }

  toBody(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

const MAX_MESSAGE = 500;

/** Removes what must not reach a client: configured keys, key-like tokens, provider URLs and hosts. */
export function redact(text: string, providers: readonly ProviderConfig[]): string {
  let out = text;
  for (const p of providers) {
    if (p.apiKey && p.apiKey.length >= 4) out = out.split(p.apiKey).join("***");
    out = out.split(p.baseUrl).join(`<${p.name}>`);
    try {
      const host = new URL(p.baseUrl).host;
      if (host) out = out.split(host).join(`<${p.name}>`);
    } catch {
      // baseUrl was validated when it was configured
    }
  }
  out = out
    .replace(/\b(sk|pk|rk)-[A-Za-z0-9_*.-]{6,}/g, "$1-***")
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 ***")
    .replace(/\b(api[_-]?key|x-api-key|authorization|token)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, "$1$2***")
    // File paths with a file name (stack frames, config files) say how the provider is built.
    .replace(/(?<![\w:/\\])(?:[A-Za-z]:)?(?:[\\/][\w.@-]+){2,}\.\w+(?::\d+)*/g, "<path>");
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}...` : out;
}

interface UpstreamErrorFields {
  message?: string;
  type?: string;
  code?: string | null;
  param?: string | null;
}

/** The `error` object of an OpenAI- or Anthropic-style error body, if the text is one. */
function errorFields(bodyText: string): UpstreamErrorFields {
  try {
    const body = JSON.parse(bodyText) as unknown;
    if (!body || typeof body !== "object") return {};
    const err = (body as { error?: unknown }).error;
    if (typeof err === "string") return { message: err }; // Ollama, some vLLM versions
    if (!err || typeof err !== "object") {
      const detail = (body as { detail?: unknown; message?: unknown }).detail ?? (body as { message?: unknown }).message;
      return typeof detail === "string" ? { message: detail } : {};
    }
    const e = err as Record<string, unknown>;
    return {
      message: typeof e.message === "string" ? e.message : undefined,
      type: typeof e.type === "string" ? e.type : undefined,
      code: typeof e.code === "string" ? e.code : typeof e.code === "number" ? String(e.code) : null,
      param: typeof e.param === "string" ? e.param : null,
    };
  } catch {
    return {};
  }
}

/**
 * Maps a provider's error response to the error the client gets: other 400-class errors keep their status and
 * (redacted) message, since it says what to fix; a rejected server key is a 401 naming the setting; 404 is
 * `model_not_found`; 429 keeps Retry-After; 5xx become 502 (503 when the provider says it is overloaded, 504
 * on its gateway timeout). 401/404/429/5xx messages are this server's own, never the provider's text.
 */
export function upstreamError(provider: ProviderConfig, all: readonly ProviderConfig[], status: number, bodyText: string, model: string, retryAfter?: string | null): ChatError {
  const fields = errorFields(bodyText);
  const upstreamMessage = fields.message ? redact(fields.message, all) : "";
  const from = `provider '${provider.name}'`;
  const keyName = provider.kind === "anthropic" && provider.name === "anthropic" ? "ANTHROPIC_API_KEY" : provider.name === "openai" ? "OPENAI_API_KEY" : "CHAT_PROVIDERS";
  if (status === 401) {
    return new ChatError(401, `The ${from} rejected the API key configured on this server (${keyName})`, "authentication_error", "provider_authentication_failed");
  }
  if (status === 403) {
    return new ChatError(403, upstreamMessage || `The ${from} refused access to model '${model}'`, "permission_error", fields.code ?? "permission_denied");
  }
  if (status === 404) {
    return new ChatError(404, `The model '${model}' does not exist on ${from}, or it is not available to this server`, "invalid_request_error", "model_not_found", "model");
  }
  if (status === 429) {
    const headers: Record<string, string> = retryAfter ? { "Retry-After": retryAfter } : {};
    const quota = fields.code === "insufficient_quota";
    return new ChatError(429, quota ? `The ${from} reports that this server's quota is used up` : `The ${from} is rate limiting requests; retry later`, "rate_limit_error", quota ? "insufficient_quota" : "rate_limit_exceeded", null, headers);
  }
  if (status >= 400 && status < 500) {
    return new ChatError(status, upstreamMessage || `The ${from} rejected the request (HTTP ${status})`, "invalid_request_error", fields.code ?? null, fields.param ?? null);
  }
  if (status === 503 || status === 529) {
    return new ChatError(503, `The ${from} is overloaded or unavailable; try again later`, "server_error", "provider_unavailable");
  }
  if (status === 504) return new ChatError(504, `The ${from} timed out`, "server_error", "provider_timeout");
  // A provider's own 5xx text can carry its internals (stack traces, hosts): only the status is passed on.
  return new ChatError(502, `The ${from} failed (HTTP ${status})`, "server_error", "provider_error");
}

/** A network failure reaching a provider (the cause is logged by the caller, never sent). */
export function unreachable(provider: ProviderConfig): ChatError {
  return new ChatError(502, `Could not reach provider '${provider.name}'`, "server_error", "provider_unreachable");
}

/** A provider that sent no answer (response headers) within CHAT_UPSTREAM_TIMEOUT_SECONDS. */
export function timedOut(provider: ProviderConfig, timeoutMs: number): ChatError {
  return new ChatError(504, `Provider '${provider.name}' did not answer within ${+(timeoutMs / 1000).toFixed(3)} s`, "server_error", "provider_timeout");
}

/** A stream that broke off after it had started. */
export function brokenStream(provider: string): ChatError {
  return new ChatError(502, `The stream from provider '${provider}' broke off`, "server_error", "provider_stream_error");
}

/** The abort reason of a signal, or a generic AbortError. */
export function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException("The operation was aborted", "AbortError");
}

export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError");
}

/** The SSE event that reports a failure mid-stream, then ends the stream as OpenAI streams end. */
export function sseErrorEvent(err: ChatError): string {
  return `data: ${JSON.stringify(err.toBody())}\n\ndata: [DONE]\n\n`;
}
