import { anthropicChat, anthropicModels } from "./anthropic";
import { brokenStream, ChatError } from "./errors";
import { openAIChat, openAIModels, type CallContext, type FetchFn, type UpstreamModel } from "./openai";
import { listedModelId, resolveModel, type Route } from "./routing";
import { openAIChunks } from "./sse";
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, ChatResult, ChatSettings, LanguageModelService, ModelEntry, ProviderConfig } from "./types";

export interface ChatServiceOptions {
  /** Defaults to the global fetch. */
  fetch?: FetchFn;
  /** How long a provider's model list is reused. Default 60 s. */
  modelsTtlMs?: number;
  /** How long a provider whose model list failed is left out before it is asked again. Default 10 s. */
  modelsFailureTtlMs?: number;
  /** Timeout of one provider's model list request. Default 5 s. */
  modelsTimeoutMs?: number;
  /** Where failures are logged; never returned to clients. Default console.warn. */
  log?: (message: string, err?: unknown) => void;
  now?: () => number;
}

/**
 * A signal of one call's own that follows `signal` until `release()`. callProvider links the upstream request
 * to the signal it is given for as long as that signal lives, which for a request's signal is the request;
 * a workflow job's signal outlives thousands of LLM calls, so each call links to it only while it runs.
 */
function callScope(signal: AbortSignal | undefined): { signal?: AbortSignal; release(): void } {
  if (!signal) return { release: () => {} };
  const controller = new AbortController();
  const follow = () => controller.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener("abort", follow, { once: true });
  return { signal: controller.signal, release: () => signal.removeEventListener("abort", follow) };
}

interface CachedModels {
  expires: number;
  models: UpstreamModel[] | null;
}

/**
 * The provider layer: routes a model name to a configured provider, calls it, and answers in OpenAI's format.
 * One instance serves one configuration (per isolate in the Worker); it holds the model-list cache.
 */
export class ChatService implements LanguageModelService {
  private readonly fetchFn: FetchFn;
  private readonly log: (message: string, err?: unknown) => void;
  private readonly now: () => number;
  private readonly modelCache = new Map<string, CachedModels>();

  constructor(
    readonly settings: ChatSettings,
    private readonly options: ChatServiceOptions = {},
  ) {
    // A wrapper rather than the bare global: workerd refuses fetch called with another `this`.
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.log = options.log ?? ((message, err) => console.warn(message, err instanceof Error ? err.message : (err ?? "")));
    this.now = options.now ?? (() => Date.now());
  }

  /** A 503 naming every invalid setting, while there are any. */
  private checkSettings(): void {
    if (this.settings.problems.length > 0) {
      throw new ChatError(503, `The chat providers are misconfigured: ${this.settings.problems.join("; ")}`, "server_error", "provider_misconfigured");
    }
  }

  resolve(model: string): Route {
    this.checkSettings();
    return resolveModel(this.settings, model);
  }

  private context(signal?: AbortSignal): CallContext {
    return { fetch: this.fetchFn, providers: this.settings.providers, signal, timeoutMs: this.settings.upstreamTimeoutMs, log: this.log };
  }

  async chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResult> {
    const { provider, model } = this.resolve(request.model);
    const ctx = this.context(signal);
    const response = provider.kind === "anthropic" ? await anthropicChat(provider, request, model, ctx) : await openAIChat(provider, request, model, ctx);
    return { response, provider: provider.name, model, stream: request.stream === true };
  }

  async *streamChat(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatCompletionChunk> {
    const call = callScope(signal);
    try {
      yield* this.streamChatWithin(request, call.signal);
    } finally {
      call.release();
    }
  }

  private async *streamChatWithin(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatCompletionChunk> {
    const result = await this.chat({ ...request, stream: true }, signal);
    const response = result.response;
    if (!response.body) throw brokenStream(result.provider);
    if (/json/i.test(response.headers.get("content-type") ?? "")) {
      // A server that ignored `stream: true` and answered with one completion: its message as one chunk.
      const completion = (await response.json()) as ChatCompletion;
      const choice = completion.choices?.[0];
      yield {
        id: completion.id,
        object: "chat.completion.chunk",
        created: completion.created,
        model: completion.model,
        choices: [{ index: 0, delta: { role: "assistant", content: choice?.message?.content ?? "", ...(choice?.message?.tool_calls ? { tool_calls: choice.message.tool_calls.map((c, index) => ({ index, ...c })) } : {}) }, finish_reason: choice?.finish_reason ?? "stop" }],
        usage: completion.usage ?? null,
      };
      return;
    }
    yield* openAIChunks(response.body, result.provider, signal);
  }

  /** A non-streamed completion, parsed. */
  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatCompletion> {
    const call = callScope(signal);
    try {
      const result = await this.chat({ ...request, stream: false }, call.signal);
      return (await result.response.json()) as ChatCompletion;
    } finally {
      call.release();
    }
  }

  private async providerModels(provider: ProviderConfig): Promise<UpstreamModel[] | null> {
    const now = this.now();
    const cached = this.modelCache.get(provider.name);
    if (cached && cached.expires > now) return cached.models;
    let models: UpstreamModel[] | null = null;
    try {
      const ctx = this.context(AbortSignal.timeout(this.options.modelsTimeoutMs ?? 5000));
      models = provider.kind === "anthropic" ? await anthropicModels(provider, ctx) : await openAIModels(provider, ctx);
    } catch (err) {
      this.log(`[chat] leaving provider '${provider.name}' out of the model list: it failed`, err instanceof ChatError ? err.message : err);
    }
    const ttl = models ? (this.options.modelsTtlMs ?? 60_000) : (this.options.modelsFailureTtlMs ?? 10_000);
    this.modelCache.set(provider.name, { expires: this.now() + ttl, models });
    return models;
  }

  /**
   * Every configured provider's models (each list cached briefly; a failing provider is left out and
   * logged) plus the aliases. Ids are listed so that they route back to where they came from.
   */
  async listModels(): Promise<ModelEntry[]> {
    this.checkSettings();
    const lists = await Promise.all(this.settings.providers.map((p) => this.providerModels(p)));
    const seen = new Set<string>();
    const entries: ModelEntry[] = [];
    const add = (entry: ModelEntry) => {
      if (seen.has(entry.id)) return;
      seen.add(entry.id);
      entries.push(entry);
    };
    this.settings.providers.forEach((provider, i) => {
      for (const m of lists[i] ?? []) add({ id: listedModelId(this.settings, provider, m.id), object: "model", created: m.created, owned_by: provider.name });
    });
    for (const alias of Object.keys(this.settings.aliases)) {
      let owner = "alias";
      try {
        owner = resolveModel(this.settings, alias).provider.name;
      } catch {
        // an alias whose provider is not configured is still listed; using it reports why it fails
      }
      add({ id: alias, object: "model", created: 0, owned_by: owner });
    }
    return entries;
  }
}
