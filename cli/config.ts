import type { ChatSettings } from "../engine/providers/types";
import { CHAT_SETTINGS, chatSettingsFrom } from "../host/chat/settings";
import { readSettings, text, trimmedText } from "../host/config/env-settings";
import { RUNNER_SETTINGS } from "../host/config/runner-settings";
import { SEARCH_SETTINGS, type SearchSettings, searchSettingsFrom } from "../host/search/search-service";
import { FETCH_SETTINGS, type FetchSettings, fetchSettingsFrom } from "../host/web/config";

/**
 * The environment the CLI reads (docs/configuration.md), parsed once with the same zod settings the Worker
 * uses (host/config), so that a local run reads OPENAI_API_KEY, GPU_RUNNER_URLS ... exactly as a deployment.
 * Invalid values are problems: a local run says so on stderr and goes on with the defaults, and an LLM node
 * fails naming the chat setting to fix.
 */
export const CLI_SETTINGS = {
  /** The server when --url / --token are not given (cli/args.ts). */
  server: {
    NODETOOL_EDGE_URL: trimmedText(),
    NODETOOL_EDGE_TOKEN: text(),
  },
  runners: RUNNER_SETTINGS,
  chat: CHAT_SETTINGS,
  embeddings: { EMBEDDING_MODEL: trimmedText() },
  fetch: FETCH_SETTINGS,
  search: SEARCH_SETTINGS,
};

export interface CliConfig {
  runners: { urls: string[]; token: string; idleTimeoutMs: number };
  chat: ChatSettings;
  embeddingModel?: string;
  fetch: FetchSettings;
  search: SearchSettings | null;
  /** Invalid settings, each a sentence naming the variable. */
  problems: string[];
}

/** The settings of an in-process run (cli/local-services.ts). */
export function parseCliConfig(env: Record<string, string | undefined>): CliConfig {
  const runners = readSettings(CLI_SETTINGS.runners, env);
  const chatValues = readSettings(CLI_SETTINGS.chat, env);
  const embeddings = readSettings(CLI_SETTINGS.embeddings, env);
  const fetch = readSettings(CLI_SETTINGS.fetch, env);
  const search = readSettings(CLI_SETTINGS.search, env);
  const { warnings: _warnings, ...chat } = chatSettingsFrom(chatValues, chatValues.problems);
  return {
    runners: { urls: runners.GPU_RUNNER_URLS, token: runners.GPU_RUNNER_TOKEN ?? "", idleTimeoutMs: runners.GPU_RUNNER_TIMEOUT_SECONDS * 1000 },
    chat,
    embeddingModel: embeddings.EMBEDDING_MODEL,
    fetch: fetchSettingsFrom(fetch, fetch.problems),
    search: searchSettingsFrom(search),
    problems: [runners, chatValues, embeddings, fetch, search].flatMap((group) => group.problems),
  };
}
