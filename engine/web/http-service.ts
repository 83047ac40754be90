/**
 * Outbound HTTP for the web nodes (lib.http, HTML and RSS readers) and the agents' fetch tool. The host
 * implements it behind its fetch guard: only http(s), never a private, loopback or link-local address,
 * redirects checked hop by hop, a size cap while reading and a time limit. The engine never calls `fetch`
 * for user-supplied URLs itself.
 */
export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Per-request time limit in milliseconds; the host caps it at its own limit. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** The URL that answered, after redirects. */
  url: string;
  /** Response headers, names in lower case. */
  headers: Record<string, string>;
  contentType: string;
  bytes: Uint8Array;
}

export interface HttpService {
  /** Throws HttpFetchError when the request is refused by policy, times out or is too large; HTTP error statuses are returned, not thrown. */
  request(request: HttpRequest, signal?: AbortSignal): Promise<HttpResponse>;
}

export class HttpFetchError extends Error {
  constructor(
    message: string,
    readonly reason: "refused" | "too_large" | "timeout" | "network" = "network",
  ) {
    super(message);
    this.name = "HttpFetchError";
  }
}
