import { bareContentType } from "../../engine/media/content-types";
import { HttpFetchError, type HttpRequest, type HttpResponse, type HttpService } from "../../engine/web/http-service";
import { guardedFetch, readCapped, type Fetcher } from "./remote";
import type { FetchSettings } from "./config";

/** NodeTool sends a desktop browser's headers (nodetool-core processing_context.py HTTP_HEADERS); many sites refuse bare clients. */
const DEFAULT_HEADERS: Record<string, string> = {
  "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
  accept: "*/*",
  "accept-language": "en-US,en;q=0.9",
};

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

function mergeHeaders(given: Record<string, string> | undefined): Record<string, string> {
  const merged = { ...DEFAULT_HEADERS };
  for (const [name, value] of Object.entries(given ?? {})) merged[name.toLowerCase()] = String(value);
  return merged;
}

function shown(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * Outbound HTTP for the web nodes behind the fetch guard of edge/storage/remote.ts: the address policy on
 * every redirect hop (FETCH_ALLOW_HOSTS excepted), FETCH_MAX_BYTES while streaming the body, and
 * FETCH_TIMEOUT_SECONDS for the whole exchange. Uses only `fetch`, so the CLI runs the same code in Node.
 */
export class GuardedHttpService implements HttpService {
  constructor(
    private readonly settings: Pick<FetchSettings, "allowed" | "maxBytes" | "timeoutMs">,
    private readonly fetcher?: Fetcher,
  ) {}

  async request(request: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    const method = (request.method ?? "GET").toUpperCase();
    if (!METHODS.has(method)) throw new HttpFetchError(`unsupported HTTP method '${request.method}'`, "refused");
    let target: URL;
    try {
      target = new URL(request.url);
    } catch {
      throw new HttpFetchError(`'${request.url}' is not a valid URL`, "refused");
    }
    const timeoutMs = Math.min(request.timeoutMs && request.timeoutMs > 0 ? request.timeoutMs : Infinity, this.settings.timeoutMs);
    const timer = AbortSignal.timeout(Math.max(1, Math.round(timeoutMs)));
    const combined = signal ? AbortSignal.any([signal, timer]) : timer;
    const { maxBytes } = this.settings;
    try {
      const { response, url } = await guardedFetch(
        target.toString(),
        { method, headers: mergeHeaders(request.headers), body: method === "GET" || method === "HEAD" ? undefined : request.body },
        { fetcher: this.fetcher, signal: combined, allowed: this.settings.allowed, fail: (message) => new HttpFetchError(message, "refused") },
      );
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
      let bytes: Uint8Array = new Uint8Array(0);
      if (method === "HEAD") await response.body?.cancel();
      else {
        bytes = await readCapped(
          response,
          maxBytes,
          () => new HttpFetchError(`the response from ${shown(url)} is larger than ${maxBytes} bytes (FETCH_MAX_BYTES)`, "too_large"),
        );
      }
      return { status: response.status, url: url.toString(), headers, contentType: bareContentType(headers["content-type"]), bytes };
    } catch (err) {
      if (err instanceof HttpFetchError) throw err;
      if (signal?.aborted) throw err;
      if (timer.aborted) {
        throw new HttpFetchError(`${method} ${shown(target)} took longer than ${timeoutMs / 1000} s (FETCH_TIMEOUT_SECONDS)`, "timeout");
      }
      const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new HttpFetchError(`${method} ${shown(target)} failed: ${reason}`, "network");
    }
  }
}
