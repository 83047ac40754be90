import { resolveModel } from "../routing";
import type { ChatSettings, ProviderConfig } from "../types";
import { MediaProviderError, type MediaModelRef, type MediaTask } from "./types";

/** What an empty model means for each task: OpenAI's models (an OpenAI-compatible server may alias them). */
export const DEFAULT_MEDIA_MODELS: Readonly<Record<MediaTask | "embedding", string>> = {
  image: "gpt-image-1",
  transcription: "whisper-1",
  speech: "tts-1",
  video: "sora-2",
  moderation: "omni-moderation-latest",
  embedding: "text-embedding-3-small",
};

const LABEL: Record<MediaTask | "embedding", string> = {
  image: "image generation",
  transcription: "speech recognition",
  speech: "text-to-speech",
  video: "video generation",
  moderation: "moderation",
  embedding: "embeddings",
};

export interface ResolvedMediaRoute {
  provider: ProviderConfig;
  model: string;
}

/** Where unrouted names and empty models go: `openai` when configured, else the chat default's, else the first. */
function preferred(settings: ChatSettings, openaiKind: ProviderConfig[]): ProviderConfig {
  return (
    openaiKind.find((p) => p.name === "openai") ??
    openaiKind.find((p) => p.name === settings.defaultModel?.provider) ??
    openaiKind[0]
  );
}

/**
 * Routes a NodeTool model value to an OpenAI-protocol provider:
 * - `provider` naming a configured OpenAI-compatible provider sends `id` there (empty id: the task's default);
 * - a provider that is not configured here (NodeTool's `huggingface_fal_ai`, `gemini`, ...) is an error naming
 *   the configured ones, as is Anthropic, which has no media APIs;
 * - no provider (`{}`, `"empty"`) with an id routes the id as chat model names route (`ollama:whisper`, `gpt-...`),
 *   anything unplaced going to the preferred provider; no id at all means the task's default model there.
 */
export function routeMedia(settings: ChatSettings, task: MediaTask | "embedding", ref: MediaModelRef, defaults: Partial<Record<MediaTask | "embedding", string>> = {}): ResolvedMediaRoute {
  const label = LABEL[task];
  if (settings.problems.length > 0) throw new MediaProviderError(`the provider settings are invalid: ${settings.problems[0]}`);
  const openaiKind = settings.providers.filter((p) => p.kind === "openai");
  if (openaiKind.length === 0) {
    throw new MediaProviderError(`no ${label} provider is configured on this server: set OPENAI_API_KEY (with OPENAI_BASE_URL for any OpenAI-compatible server) or add one to CHAT_PROVIDERS`);
  }
  const fallbackModel = defaults[task] || DEFAULT_MEDIA_MODELS[task];
  const providerName = (typeof ref.provider === "string" ? ref.provider : "").trim().toLowerCase();
  const id = (typeof ref.id === "string" ? ref.id : "").trim();
  if (providerName !== "" && providerName !== "empty") {
    const provider = settings.providers.find((p) => p.name === providerName);
    if (!provider) {
      const configured = openaiKind.map((p) => p.name).join(", ");
      throw new MediaProviderError(`the ${label} provider '${providerName}'${id ? ` (model '${id}')` : ""} is not configured on this server; configured OpenAI-compatible providers: ${configured}`);
    }
    if (provider.kind !== "openai") throw new MediaProviderError(`provider '${provider.name}' has no ${label} API; choose a model of an OpenAI-compatible provider`);
    return { provider, model: id || fallbackModel };
  }
  if (id === "") return { provider: preferred(settings, openaiKind), model: fallbackModel };
  const colon = id.indexOf(":");
  const explicit = colon > 0 && settings.providers.some((p) => p.name === id.slice(0, colon).toLowerCase());
  try {
    const routed = resolveModel(settings, id);
    if (routed.provider.kind === "openai") return routed;
    if (explicit) throw new MediaProviderError(`provider '${routed.provider.name}' has no ${label} API; choose a model of an OpenAI-compatible provider`);
  } catch (err) {
    if (err instanceof MediaProviderError) throw err;
    // A colon that names no provider (`whisper:large`) is part of the model id.
  }
  return { provider: preferred(settings, openaiKind), model: id };
}
