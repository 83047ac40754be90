import { ChatError } from "./errors";
import type { ChatSettings, ProviderConfig } from "./types";

/** Name prefixes that pick a provider when it is configured (docs/architecture.md#9-chat-proxy). */
export const NAME_PREFIXES: readonly { prefix: string; provider: string }[] = [
  { prefix: "gpt-", provider: "openai" },
  { prefix: "o1", provider: "openai" },
  { prefix: "o3", provider: "openai" },
  { prefix: "o4", provider: "openai" },
  { prefix: "chatgpt-", provider: "openai" },
  { prefix: "ft:", provider: "openai" }, // fine-tuned OpenAI models: ft:gpt-4o-mini:org::id
  { prefix: "claude-", provider: "anthropic" },
];

/** The built-in providers and the setting that configures each. */
export const BUILTIN_PROVIDERS: Readonly<Record<string, string>> = { openai: "OPENAI_API_KEY", anthropic: "ANTHROPIC_API_KEY" };

export interface Route {
  provider: ProviderConfig;
  model: string;
}

function findProvider(settings: ChatSettings, name: string): ProviderConfig | undefined {
  const lower = name.toLowerCase();
  return settings.providers.find((p) => p.name === lower);
}

function noProviders(): ChatError {
  return new ChatError(
    503,
    "No chat provider is configured on this server: set OPENAI_API_KEY, ANTHROPIC_API_KEY or CHAT_PROVIDERS",
    "server_error",
    "no_provider_configured",
  );
}

/**
 * Routes a model name to a provider and the model name that provider is sent:
 * 1. an alias (CHAT_MODEL_ALIASES) stands for its target, which is routed by the rules below;
 * 2. `provider:model` with a configured provider name (split at the first colon, so `ollama:llama3.2:3b`
 *    sends `llama3.2:3b` to `ollama`);
 * 3. a name prefix (`gpt-`, `o1`, `o3`, ... to OpenAI; `claude-` to Anthropic) when that provider is configured;
 * 4. any other name without a colon goes to the default provider (CHAT_DEFAULT_MODEL's, else the first
 *    configured one); an empty name means CHAT_DEFAULT_MODEL itself.
 * A colon whose prefix names no configured provider is a 400: model ids that contain a colon must be
 * written with their provider.
 */
export function resolveModel(settings: ChatSettings, requested: string, allowAlias = true): Route {
  const name = requested.trim();
  if (allowAlias && Object.hasOwn(settings.aliases, name)) {
    return resolveModel(settings, settings.aliases[name], false);
  }
  if (settings.providers.length === 0) throw noProviders();
  if (name === "") {
    const d = settings.defaultModel;
    if (!d) throw new ChatError(400, "No model given and no CHAT_DEFAULT_MODEL is configured", "invalid_request_error", "model_required", "model");
    const provider = findProvider(settings, d.provider);
    if (!provider) throw noProviders();
    return { provider, model: d.model };
  }

  const colon = name.indexOf(":");
  if (colon > 0) {
    const prefix = name.slice(0, colon);
    const provider = findProvider(settings, prefix);
    if (provider) {
      const model = name.slice(colon + 1).trim();
      if (model === "") throw new ChatError(400, `The model name after '${prefix}:' is missing`, "invalid_request_error", "model_required", "model");
      return { provider, model };
    }
  }

  for (const rule of NAME_PREFIXES) {
    if (!name.toLowerCase().startsWith(rule.prefix)) continue;
    const provider = findProvider(settings, rule.provider);
    if (provider) return { provider, model: name };
  }

  if (colon >= 0) {
    const prefix = name.slice(0, colon).toLowerCase();
    const configured = settings.providers.map((p) => p.name).join(", ");
    if (prefix in BUILTIN_PROVIDERS) {
      throw new ChatError(
        400,
        `Provider '${prefix}' is not configured on this server (set ${BUILTIN_PROVIDERS[prefix]}); configured providers: ${configured}`,
        "invalid_request_error",
        "provider_not_configured",
        "model",
      );
    }
    throw new ChatError(
      400,
      `Unknown provider '${name.slice(0, colon)}' in model '${name}'; configured providers: ${configured}. A model id that contains ':' is written with its provider, e.g. 'ollama:llama3.2:3b'.`,
      "invalid_request_error",
      "unknown_provider",
      "model",
    );
  }

  const fallback = (settings.defaultModel && findProvider(settings, settings.defaultModel.provider)) ?? settings.providers[0];
  return { provider: fallback, model: name };
}

/**
 * The id under which `/v1/models` lists a provider's model: the bare id when it routes back to the same
 * provider and model, otherwise `provider:id`, so that every listed id can be sent back as it is.
 */
export function listedModelId(settings: ChatSettings, provider: ProviderConfig, id: string): string {
  if (!Object.hasOwn(settings.aliases, id)) {
    try {
      const route = resolveModel(settings, id, false);
      if (route.provider.name === provider.name && route.model === id) return id;
    } catch {
      // not routable bare: list it with its provider
    }
  }
  return `${provider.name}:${id}`;
}
