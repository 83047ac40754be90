/**
 * Web search for the `search.*` nodes and the agents' search tool: one configurable provider speaking
 * SerpAPI's protocol (`GET {base}/search.json?engine=...&api_key=...&<params>`, JSON back). The host owns the
 * base URL and key (SEARCH_API_BASE_URL, SEARCH_API_KEY); nodes only name the engine and its parameters.
 */
export interface SearchService {
  /** The provider's JSON answer for one query. Throws SearchError when unconfigured, refused or failing. */
  search(engine: string, params: Record<string, string | number | boolean>, signal?: AbortSignal): Promise<Record<string, unknown>>;
}

export class SearchError extends Error {
  constructor(
    message: string,
    readonly reason: "unconfigured" | "upstream" | "invalid" = "upstream",
  ) {
    super(message);
    this.name = "SearchError";
  }
}
