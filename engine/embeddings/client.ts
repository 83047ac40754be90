import { resolveModel } from "../providers/routing";
import type { ChatSettings, ProviderConfig } from "../providers/types";

/**
 * Text embeddings over OpenAI's `POST /v1/embeddings` protocol, through the providers the chat settings
 * configure (OPENAI_API_KEY, CHAT_PROVIDERS: Ollama, vLLM, LM Studio ... all speak it). Model names route as
 * chat model names do (`provider:model`, or a bare name to the default provider), so `nomic-embed-text` with
 * an Ollama provider as default, or `ollama:nomic-embed-text`, both work.
 */
export interface EmbeddingService {
  /** One embedding per input, in order. An empty model means the server's default embedding model. */
  embed(model: string, input: string[], signal?: AbortSignal): Promise<number[][]>;
}

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface EmbeddingOptions {
  /** What an empty model name means. Default `text-embedding-3-small`. */
  defaultModel?: string;
  fetch?: FetchFn;
  /** Inputs per request. Default 128. */
  batchSize?: number;
  /** Upper bound on inputs per call. Default 2,048. */
  maxInputs?: number;
}

export const DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small";
const MAX_ERROR_CHARS = 300;

export class EmbeddingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmbeddingError";
  }
}

/** An OpenAI-compatible provider for `name`: embeddings exist only there (Anthropic has no such endpoint). */
function route(settings: ChatSettings, name: string): { provider: ProviderConfig; model: string } {
  const openaiKind = settings.providers.filter((p) => p.kind === "openai");
  if (settings.problems.length > 0) throw new EmbeddingError(`the provider settings are invalid: ${settings.problems[0]}`);
  if (openaiKind.length === 0) {
    throw new EmbeddingError("no embedding provider is configured on this server: set OPENAI_API_KEY or an OpenAI-compatible server in CHAT_PROVIDERS");
  }
  const colon = name.indexOf(":");
  const explicit = colon > 0 && settings.providers.some((p) => p.name === name.slice(0, colon).toLowerCase());
  let routed: { provider: ProviderConfig; model: string } | undefined;
  try {
    routed = resolveModel(settings, name);
  } catch {
    // Ollama tags (`nomic-embed-text:latest`) contain a colon that names no provider: the name is the model.
  }
  if (routed && (routed.provider.kind === "openai" || explicit)) {
    if (routed.provider.kind !== "openai") throw new EmbeddingError(`provider '${routed.provider.name}' has no embeddings endpoint`);
    return routed;
  }
  const fallback = openaiKind.find((p) => p.name === settings.defaultModel?.provider) ?? openaiKind[0];
  return { provider: fallback, model: name };
}

function redact(text: string, provider: ProviderConfig): string {
  let out = text;
  if (provider.apiKey && provider.apiKey.length >= 4) out = out.split(provider.apiKey).join("***");
  return out.split(provider.baseUrl).join(`<${provider.name}>`).slice(0, MAX_ERROR_CHARS);
}

export class OpenAIEmbeddingService implements EmbeddingService {
  private readonly fetchFn: FetchFn;

  constructor(
    private readonly settings: ChatSettings,
    private readonly options: EmbeddingOptions = {},
  ) {
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async embed(model: string, input: string[], signal?: AbortSignal): Promise<number[][]> {
    if (input.length === 0) return [];
    const max = this.options.maxInputs ?? 2048;
    if (input.length > max) throw new EmbeddingError(`at most ${max} texts can be embedded at once, got ${input.length}`);
    const { provider, model: upstreamModel } = route(this.settings, model.trim() || this.options.defaultModel || DEFAULT_EMBEDDING_MODEL);
    const size = Math.max(1, this.options.batchSize ?? 128);
    const out: number[][] = [];
    for (let i = 0; i < input.length; i += size) {
      out.push(...(await this.request(provider, upstreamModel, input.slice(i, i + size), signal)));
    }
    return out;
  }

  private async request(provider: ProviderConfig, model: string, input: string[], signal?: AbortSignal): Promise<number[][]> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    const timeoutMs = this.settings.upstreamTimeoutMs;
    const timer = timeoutMs ? setTimeout(() => controller.abort(new EmbeddingError(`provider '${provider.name}' sent no answer within ${timeoutMs} ms`)), timeoutMs) : undefined;
    let res: Response;
    try {
      res = await this.fetchFn(`${provider.baseUrl}/embeddings`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(provider.apiKey ? { Authorization: `Bearer ${provider.apiKey}` } : {}) },
        body: JSON.stringify({ model, input, encoding_format: "float" }),
        signal: controller.signal,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      const reason = controller.signal.reason;
      if (reason instanceof EmbeddingError) throw reason;
      throw new EmbeddingError(`provider '${provider.name}' could not be reached for embeddings: ${redact(err instanceof Error ? err.message : String(err), provider)}`);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        const body = JSON.parse(text) as { error?: { message?: unknown } | string };
        message = typeof body.error === "string" ? body.error : typeof body.error?.message === "string" ? body.error.message : text;
      } catch {
        // not JSON: the text itself
      }
      throw new EmbeddingError(`embeddings request to provider '${provider.name}' (model '${model}') failed with HTTP ${res.status}: ${redact(message, provider)}`);
    }
    let data: unknown;
    try {
      data = (JSON.parse(text) as { data?: unknown }).data;
    } catch {
      throw new EmbeddingError(`provider '${provider.name}' answered the embeddings request with something other than JSON`);
    }
    if (!Array.isArray(data) || data.length !== input.length) {
      throw new EmbeddingError(`provider '${provider.name}' returned ${Array.isArray(data) ? data.length : "no"} embeddings for ${input.length} inputs`);
    }
    const items = data as { index?: unknown; embedding?: unknown }[];
    const ordered = items.every((d) => typeof d.index === "number") ? [...items].sort((a, b) => (a.index as number) - (b.index as number)) : items;
    return ordered.map((d, i) => {
      const e = d.embedding;
      if (!Array.isArray(e) || e.length === 0 || !e.every((x) => typeof x === "number" && Number.isFinite(x))) {
        throw new EmbeddingError(`provider '${provider.name}' returned an invalid embedding for input ${i} (base64 or empty)`);
      }
      return e as number[];
    });
  }
}
