import { BUILTIN_PROVIDERS, resolveModel } from "../../engine/providers/routing";
import { ChatService } from "../../engine/providers/service";
import type { ChatSettings, ProviderConfig } from "../../engine/providers/types";

/** The settings this module reads, from a Worker's env or a process's environment. */
export type ChatEnv = Partial<Record<"OPENAI_API_KEY" | "OPENAI_BASE_URL" | "ANTHROPIC_API_KEY" | "ANTHROPIC_BASE_URL" | "CHAT_PROVIDERS" | "CHAT_MODEL_ALIASES" | "CHAT_UPSTREAM_TIMEOUT_SECONDS" | "CHAT_DEFAULT_MODEL", string>>;

export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
export const DEFAULT_ANTHROPIC_BASE_URL = "https://api.anthropic.com";

const PROVIDER_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** A base URL without trailing slashes, or a problem sentence. */
function baseUrl(raw: string, setting: string, problems: string[]): string | undefined {
  const trimmed = raw.trim().replace(/\/+$/, "");
  try {
    const url = new URL(trimmed);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
    return trimmed;
  } catch {
    problems.push(`${setting} must be an http(s) URL, got '${raw}'`);
    return undefined;
  }
}

/** Comma- or newline-separated `key=value` entries; an entry without `=` is a problem. */
function entries(raw: string | undefined, setting: string, problems: string[]): [string, string][] {
  if (!raw) return [];
  const out: [string, string][] = [];
  for (const entry of raw.split(/[,\n]/)) {
    const e = entry.trim();
    if (e === "") continue;
    const eq = e.indexOf("=");
    if (eq <= 0) {
      problems.push(`${setting} entries are written name=value, got '${e.includes("|") ? e.slice(0, e.indexOf("|")) : e}'`);
      continue;
    }
    out.push([e.slice(0, eq).trim(), e.slice(eq + 1).trim()]);
  }
  return out;
}

/**
 * Parses the chat settings (README "Configuration"):
 * - OPENAI_API_KEY (+ OPENAI_BASE_URL) configures provider `openai`; ANTHROPIC_API_KEY (+ ANTHROPIC_BASE_URL)
 *   configures `anthropic`. A provider without its key is simply not configured.
 * - CHAT_PROVIDERS adds OpenAI-compatible servers: `name=baseURL` or `name=baseURL|apiKey`, comma-separated,
 *   e.g. `ollama=http://127.0.0.1:11434/v1,vllm=http://gpu:8000/v1|KEY`.
 * - CHAT_DEFAULT_MODEL (`provider:model`, or a name the routing rules place) is what an empty model means
 *   and whose provider takes names no rule places.
 * - CHAT_MODEL_ALIASES: `alias=model` pairs, e.g. `fast=openai:gpt-4o-mini,smart=anthropic:claude-sonnet-4`.
 * Syntax errors are problems (503 on /v1 and in LLM nodes, until fixed); an alias whose provider is not
 * configured is only a warning (using it says so).
 */
/** OpenAI's own SDKs wait 10 minutes for an answer: a long non-streamed completion sends its headers only when done. */
const DEFAULT_UPSTREAM_TIMEOUT_SECONDS = 600;

function upstreamTimeoutMs(raw: string | undefined, problems: string[]): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_UPSTREAM_TIMEOUT_SECONDS * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    problems.push(`CHAT_UPSTREAM_TIMEOUT_SECONDS: expected a positive number of seconds, got '${raw}'`);
    return DEFAULT_UPSTREAM_TIMEOUT_SECONDS * 1000;
  }
  return seconds * 1000;
}

export function parseChatSettings(env: ChatEnv): ChatSettings & { warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const providers: ProviderConfig[] = [];

  const openaiKey = env.OPENAI_API_KEY?.trim();
  if (openaiKey) {
    const url = baseUrl(env.OPENAI_BASE_URL || DEFAULT_OPENAI_BASE_URL, "OPENAI_BASE_URL", problems);
    if (url) providers.push({ name: "openai", kind: "openai", baseUrl: url, apiKey: openaiKey });
  }
  const anthropicKey = env.ANTHROPIC_API_KEY?.trim();
  if (anthropicKey) {
    const url = baseUrl(env.ANTHROPIC_BASE_URL || DEFAULT_ANTHROPIC_BASE_URL, "ANTHROPIC_BASE_URL", problems);
    // The Messages API lives under /v1; accept a base URL written with it.
    if (url) providers.push({ name: "anthropic", kind: "anthropic", baseUrl: url.replace(/\/v1$/, ""), apiKey: anthropicKey });
  }

  for (const [rawName, value] of entries(env.CHAT_PROVIDERS, "CHAT_PROVIDERS", problems)) {
    const name = rawName.toLowerCase();
    if (!PROVIDER_NAME.test(name)) {
      problems.push(`CHAT_PROVIDERS: provider names use letters, digits, '_' and '-' and start with a letter, got '${rawName}'`);
      continue;
    }
    if (name in BUILTIN_PROVIDERS) {
      problems.push(`CHAT_PROVIDERS: '${name}' is reserved; configure it with ${BUILTIN_PROVIDERS[name]}`);
      continue;
    }
    if (providers.some((p) => p.name === name)) {
      problems.push(`CHAT_PROVIDERS: provider '${name}' is listed twice`);
      continue;
    }
    const bar = value.indexOf("|");
    const url = baseUrl(bar >= 0 ? value.slice(0, bar) : value, `CHAT_PROVIDERS (${name})`, problems);
    const apiKey = bar >= 0 ? value.slice(bar + 1).trim() : "";
    if (url) providers.push({ name, kind: "openai", baseUrl: url, ...(apiKey ? { apiKey } : {}) });
  }

  const aliases: Record<string, string> = {};
  for (const [alias, target] of entries(env.CHAT_MODEL_ALIASES, "CHAT_MODEL_ALIASES", problems)) {
    if (/[\s:]/.test(alias)) problems.push(`CHAT_MODEL_ALIASES: alias '${alias}' must not contain ':' or spaces`);
    else if (target === "") problems.push(`CHAT_MODEL_ALIASES: alias '${alias}' has no model`);
    else aliases[alias] = target;
  }

  const settings: ChatSettings = { providers, aliases, problems, upstreamTimeoutMs: upstreamTimeoutMs(env.CHAT_UPSTREAM_TIMEOUT_SECONDS, problems) };
  const rawDefault = env.CHAT_DEFAULT_MODEL?.trim();
  if (rawDefault) {
    try {
      const route = resolveModel(settings, rawDefault);
      settings.defaultModel = { provider: route.provider.name, model: route.model };
    } catch (err) {
      problems.push(`CHAT_DEFAULT_MODEL '${rawDefault}': ${(err as Error).message}`);
    }
  }
  for (const [alias, target] of Object.entries(aliases)) {
    try {
      resolveModel(settings, target, false);
    } catch (err) {
      warnings.push(`CHAT_MODEL_ALIASES: '${alias}' cannot be used: ${(err as Error).message}`);
    }
  }
  return { ...settings, warnings };
}

// The env object is stable for an isolate's lifetime: one service (and model-list cache) per env, and the
// settings' problems reported once.
const services = new WeakMap<object, ChatService>();

/** The chat provider layer of this Worker (the /v1 proxy and the LLM nodes share it). */
export function chatService(env: ChatEnv): ChatService {
  let service = services.get(env);
  if (!service) {
    const { warnings, ...settings } = parseChatSettings(env);
    for (const problem of settings.problems) console.warn(`[config] ${problem}`);
    for (const warning of warnings) console.warn(`[config] ${warning}`);
    service = new ChatService(settings);
    services.set(env, service);
  }
  return service;
}
