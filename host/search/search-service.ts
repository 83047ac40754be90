import { SearchError, type SearchService } from "../../engine/search/search-service";
import { type EnvOf, readSettings, type SettingsOf, type SettingsShape, trimmedText } from "../config/env-settings";
import { readCapped, type Fetcher } from "../web/remote";

/** The variables of web search (README "Configuration"); the Worker's settings schema includes them. */
export const SEARCH_SETTINGS = {
  SEARCH_API_BASE_URL: trimmedText(),
  SEARCH_API_KEY: trimmedText(),
} satisfies SettingsShape;

/** The env settings web search reads; a plain object, so the CLI passes `process.env` as it is. */
export type SearchEnv = EnvOf<typeof SEARCH_SETTINGS>;

export interface SearchSettings {
  /** Without `/search.json`; SerpAPI itself when only a key is set. */
  baseUrl: string;
  apiKey: string;
}

export const DEFAULT_SEARCH_API_BASE_URL = "https://serpapi.com";
const TIMEOUT_MS = 60_000; // NodeTool's SerpAPI client waits 60 s.
const MAX_ANSWER_BYTES = 20 * 1024 * 1024;

/** The provider's settings from variables already read, or null when neither variable is set. */
export function searchSettingsFrom(values: SettingsOf<typeof SEARCH_SETTINGS>): SearchSettings | null {
  const base = (values.SEARCH_API_BASE_URL ?? "").replace(/\/+$/, "");
  const apiKey = values.SEARCH_API_KEY ?? "";
  if (base === "" && apiKey === "") return null;
  return { baseUrl: base === "" ? DEFAULT_SEARCH_API_BASE_URL : base, apiKey };
}

/** The provider's settings, or null when neither SEARCH_API_BASE_URL nor SEARCH_API_KEY is set. */
export function parseSearchSettings(env: SearchEnv): SearchSettings | null {
  return searchSettingsFrom(readSettings(SEARCH_SETTINGS, env));
}

function errorText(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return null;
  const record = body as Record<string, unknown>;
  if (typeof record.error === "string" && record.error !== "") return record.error;
  const meta = record.search_metadata as Record<string, unknown> | undefined;
  if (meta?.status === "Error") return "the search failed (search_metadata.status is Error)";
  return null;
}

/**
 * Web search over SerpAPI's protocol: `GET {base}/search.json?engine=...&api_key=...&<params>`. The base URL is
 * the operator's, so it is not behind the fetch guard. Errors in SerpAPI's `{"error": "..."}` shape, on any
 * status, become SearchErrors carrying that text; the key never appears in a message.
 */
export class SerpApiSearchService implements SearchService {
  constructor(
    private readonly settings: SearchSettings | null,
    private readonly fetcher: Fetcher = (input, init) => fetch(input, init),
  ) {}

  async search(engine: string, params: Record<string, string | number | boolean>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    if (!this.settings) {
      throw new SearchError("web search is not configured on this server: set SEARCH_API_KEY (and SEARCH_API_BASE_URL for a provider other than SerpAPI)", "unconfigured");
    }
    if (!/^[a-z0-9_]+$/i.test(engine)) throw new SearchError(`'${engine}' is not a search engine name`, "invalid");
    const query = new URLSearchParams({ engine });
    for (const [name, value] of Object.entries(params)) query.set(name, String(value));
    if (this.settings.apiKey !== "") query.set("api_key", this.settings.apiKey);
    const timer = AbortSignal.timeout(TIMEOUT_MS);
    const combined = signal ? AbortSignal.any([signal, timer]) : timer;
    let status: number;
    let text: string;
    try {
      const res = await this.fetcher(`${this.settings.baseUrl}/search.json?${query}`, { headers: { Accept: "application/json" }, signal: combined });
      status = res.status;
      const bytes = await readCapped(res, MAX_ANSWER_BYTES, () => new SearchError(`the search provider's answer is larger than ${MAX_ANSWER_BYTES} bytes`));
      text = new TextDecoder().decode(bytes);
    } catch (err) {
      if (err instanceof SearchError || signal?.aborted) throw err;
      if (timer.aborted) throw new SearchError(`the search provider did not answer within ${TIMEOUT_MS / 1000} s`);
      const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new SearchError(`could not reach the search provider: ${reason}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new SearchError(`the search provider answered ${status} with something other than JSON`);
    }
    const problem = errorText(body);
    if (problem) throw new SearchError(`the search provider answered: ${problem}`, status === 400 ? "invalid" : "upstream");
    if (status < 200 || status >= 300) throw new SearchError(`the search provider answered ${status}`);
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new SearchError("the search provider's answer is not a JSON object");
    return body as Record<string, unknown>;
  }
}
