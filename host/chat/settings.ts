import { BUILTIN_PROVIDERS, resolveModel } from "../../engine/providers/routing";
import { ChatService } from "../../engine/providers/service";
import type { ChatSettings, ProviderConfig } from "../../engine/providers/types";
import { z } from "zod";
import { entries, type EnvOf, parseUrl, readSettings, type Setting, type SettingsOf, type SettingsShape, trimmedText } from "../config/env-settings";

export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
export const DEFAULT_ANTHROPIC_BASE_URL = "https://api.anthropic.com";
/** OpenAI's own SDKs wait 10 minutes for an answer: a long non-streamed completion sends its headers only when done. */
const DEFAULT_UPSTREAM_TIMEOUT_SECONDS = 600;

const PROVIDER_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** An http(s) URL without trailing slashes; `setting` names it in the problem. */
const baseUrlText = (setting: string) =>
  z.string().transform((raw, ctx) => {
    const trimmed = raw.trim().replace(/\/+$/, "");
    const protocol = parseUrl(trimmed)?.protocol;
    if (protocol === "http:" || protocol === "https:") return trimmed;
    ctx.addIssue({ code: "custom", message: `${setting} must be an http(s) URL, got '${raw}'` });
    return z.NEVER;
  });

/** A base URL variable: its default when unset; an invalid one is reported and configures nothing. */
const baseUrl = (fallback: string): Setting<string | undefined> => ({
  read(name, raw, problems) {
    const parsed = baseUrlText(name).safeParse(raw || fallback);
    if (parsed.success) return parsed.data;
    problems.push(...parsed.error.issues.map((i) => i.message));
    return undefined;
  },
});

/** A `key=value` entry of CHAT_PROVIDERS or CHAT_MODEL_ALIASES (the part after `|` is a key: never in a message). */
const keyValue = (setting: string) =>
  z.string().transform((e, ctx): [string, string] => {
    const eq = e.indexOf("=");
    if (eq > 0) return [e.slice(0, eq).trim(), e.slice(eq + 1).trim()];
    ctx.addIssue({ code: "custom", message: `${setting} entries are written name=value, got '${e.includes("|") ? e.slice(0, e.indexOf("|")) : e}'` });
    return z.NEVER;
  });

/** One CHAT_PROVIDERS entry, `name=baseURL` or `name=baseURL|apiKey`, past its syntax check. */
const ProviderEntry = z.tuple([z.string(), z.string()]).transform(([rawName, value], ctx): ProviderConfig => {
  const name = rawName.toLowerCase();
  const fail = (message: string) => {
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  };
  if (!PROVIDER_NAME.test(name)) return fail(`CHAT_PROVIDERS: provider names use letters, digits, '_' and '-' and start with a letter, got '${rawName}'`);
  if (name in BUILTIN_PROVIDERS) return fail(`CHAT_PROVIDERS: '${name}' is reserved; configure it with ${BUILTIN_PROVIDERS[name]}`);
  const bar = value.indexOf("|");
  const url = baseUrlText(`CHAT_PROVIDERS (${name})`).safeParse(bar >= 0 ? value.slice(0, bar) : value);
  if (!url.success) return fail(url.error.issues[0]?.message ?? "");
  const apiKey = bar >= 0 ? value.slice(bar + 1).trim() : "";
  return { name, kind: "openai", baseUrl: url.data, ...(apiKey ? { apiKey } : {}) };
});

const AliasEntry = z.tuple([z.string(), z.string()]).superRefine(([alias, target], ctx) => {
  if (/[\s:]/.test(alias)) ctx.addIssue({ code: "custom", message: `CHAT_MODEL_ALIASES: alias '${alias}' must not contain ':' or spaces` });
  else if (target === "") ctx.addIssue({ code: "custom", message: `CHAT_MODEL_ALIASES: alias '${alias}' has no model` });
});

/** Comma- or newline-separated `key=value` entries: every entry's syntax first, then each valid one by `entry`. */
function keyValueEntries<T>(entry: z.ZodType<T, [string, string]>, unique?: (value: T) => string): Setting<T[]> {
  return {
    read(name, raw, problems) {
      const out: T[] = [];
      const seen = new Set<string>();
      for (const pair of entries(keyValue(name), /[,\n]/).read(name, raw, problems)) {
        const parsed = entry.safeParse(pair);
        if (!parsed.success) problems.push(...parsed.error.issues.map((i) => i.message));
        else if (unique && seen.has(unique(parsed.data))) problems.push(`${name}: provider '${unique(parsed.data)}' is listed twice`);
        else {
          if (unique) seen.add(unique(parsed.data));
          out.push(parsed.data);
        }
      }
      return out;
    },
  };
}

const upstreamTimeoutMs: Setting<number> = {
  read(name, raw, problems) {
    if (raw === undefined || raw.trim() === "") return DEFAULT_UPSTREAM_TIMEOUT_SECONDS * 1000;
    const seconds = z.coerce.number().positive().safeParse(raw);
    if (seconds.success) return seconds.data * 1000;
    problems.push(`${name}: expected a positive number of seconds, got '${raw}'`);
    return DEFAULT_UPSTREAM_TIMEOUT_SECONDS * 1000;
  },
};

/**
 * The chat variables (README "Configuration"), in the order their problems are listed; the Worker's settings
 * schema includes them.
 * - OPENAI_API_KEY (+ OPENAI_BASE_URL) configures provider `openai`; ANTHROPIC_API_KEY (+ ANTHROPIC_BASE_URL)
 *   configures `anthropic`. A provider without its key is simply not configured.
 * - CHAT_PROVIDERS adds OpenAI-compatible servers: `name=baseURL` or `name=baseURL|apiKey`, comma-separated,
 *   e.g. `ollama=http://127.0.0.1:11434/v1,vllm=http://gpu:8000/v1|KEY`.
 * - CHAT_DEFAULT_MODEL (`provider:model`, or a name the routing rules place) is what an empty model means
 *   and whose provider takes names no rule places.
 * - CHAT_MODEL_ALIASES: `alias=model` pairs, e.g. `fast=openai:gpt-4o-mini,smart=anthropic:claude-sonnet-4`.
 */
export const CHAT_SETTINGS = {
  OPENAI_API_KEY: trimmedText(),
  OPENAI_BASE_URL: baseUrl(DEFAULT_OPENAI_BASE_URL),
  ANTHROPIC_API_KEY: trimmedText(),
  ANTHROPIC_BASE_URL: baseUrl(DEFAULT_ANTHROPIC_BASE_URL),
  CHAT_PROVIDERS: keyValueEntries(ProviderEntry, (p) => p.name),
  CHAT_MODEL_ALIASES: keyValueEntries(AliasEntry),
  CHAT_UPSTREAM_TIMEOUT_SECONDS: upstreamTimeoutMs,
  CHAT_DEFAULT_MODEL: trimmedText(),
} satisfies SettingsShape;

/** The settings this module reads, from a Worker's env or a process's environment. */
export type ChatEnv = EnvOf<typeof CHAT_SETTINGS>;

/**
 * The chat settings from variables already read (the Worker's schema reads them with the rest). Syntax errors
 * are problems (503 on /v1 and in LLM nodes, until fixed); an alias whose provider is not configured is only a
 * warning (using it says so).
 */
export function chatSettingsFrom(values: SettingsOf<typeof CHAT_SETTINGS>, problems: string[]): ChatSettings & { warnings: string[] } {
  const warnings: string[] = [];
  const providers: ProviderConfig[] = [];
  if (values.OPENAI_API_KEY && values.OPENAI_BASE_URL) providers.push({ name: "openai", kind: "openai", baseUrl: values.OPENAI_BASE_URL, apiKey: values.OPENAI_API_KEY });
  if (values.ANTHROPIC_API_KEY && values.ANTHROPIC_BASE_URL) {
    // The Messages API lives under /v1; accept a base URL written with it.
    providers.push({ name: "anthropic", kind: "anthropic", baseUrl: values.ANTHROPIC_BASE_URL.replace(/\/v1$/, ""), apiKey: values.ANTHROPIC_API_KEY });
  }
  providers.push(...values.CHAT_PROVIDERS);
  const aliases = Object.fromEntries(values.CHAT_MODEL_ALIASES);
  const settings: ChatSettings = { providers, aliases, problems, upstreamTimeoutMs: values.CHAT_UPSTREAM_TIMEOUT_SECONDS };
  const rawDefault = values.CHAT_DEFAULT_MODEL;
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

/** Parses the chat settings of `env` on their own (the CLI; the Worker reads them in edge/config). */
export function parseChatSettings(env: ChatEnv): ChatSettings & { warnings: string[] } {
  const values = readSettings(CHAT_SETTINGS, env);
  return chatSettingsFrom(values, values.problems);
}

// The env object is stable for an isolate's lifetime: one service (and model-list cache) per env.
const services = new WeakMap<object, ChatService>();

/**
 * The chat provider layer of this Worker (the /v1 proxy and the LLM nodes share it). The Worker passes the
 * settings its config already read (edge/config, which also reports their problems once); without them they
 * are read from `env` here.
 */
export function chatService(env: ChatEnv, settings?: ChatSettings): ChatService {
  let service = services.get(env);
  if (!service) {
    const { warnings: _warnings, ...parsed } = settings ? { ...settings, warnings: [] } : parseChatSettings(env);
    service = new ChatService(parsed);
    services.set(env, service);
  }
  return service;
}
