import type { NodeContext } from "../registry/types";
import { HttpFetchError, type HttpRequest, type HttpResponse } from "./http-service";

/**
 * How the web nodes use the host's HttpService: a clear node error when the run has none or the guard refuses
 * a request, NodeTool's failure on error statuses (its client raises for 4xx and 5xx), and text decoded with
 * the charset the response declares (UTF-8 otherwise, as NodeTool's httpx client does).
 */

export function nodeName(ctx: NodeContext): string {
  return ctx.nodeType.slice(ctx.nodeType.lastIndexOf(".") + 1);
}

/** One request through the host's fetch guard; refusals, timeouts and oversize answers fail the node. */
export async function send(ctx: NodeContext, request: HttpRequest): Promise<HttpResponse> {
  const who = nodeName(ctx);
  const http = ctx.services.http;
  if (!http) throw new Error(`${who}: outbound HTTP is not available in this run`);
  if (request.url.trim() === "") throw new Error(`${who}: a URL is required`);
  try {
    return await http.request(request, ctx.signal);
  } catch (err) {
    if (err instanceof HttpFetchError) throw new Error(`${who}: ${err.message}`);
    throw err;
  }
}

/** The response, or an error naming the status when it is not 2xx or 3xx. */
export function requireOk(ctx: NodeContext, res: HttpResponse, method = "GET"): HttpResponse {
  if (res.status >= 400) {
    const kind = res.status < 500 ? "client error" : "server error";
    throw new Error(`${nodeName(ctx)}: ${method} ${res.url} answered ${res.status} (${kind})`);
  }
  return res;
}

/** The `charset` parameter of a Content-Type header. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "");
  return m ? m[1].toLowerCase() : undefined;
}

/** The body as text in the declared charset; UTF-8 when none is declared or the runtime does not know it. */
export function responseText(res: HttpResponse): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charsetOf(res.headers["content-type"]) ?? "utf-8");
  } catch {
    decoder = new TextDecoder("utf-8");
  }
  return decoder.decode(res.bytes);
}

/** The body as JSON; an error saying what came back when it is not JSON. */
export function responseJson(ctx: NodeContext, res: HttpResponse): unknown {
  const text = responseText(res);
  try {
    return JSON.parse(text);
  } catch {
    const preview = text.length > 80 ? `${text.slice(0, 77)}...` : text;
    throw new Error(`${nodeName(ctx)}: ${res.url} did not answer with JSON (${res.contentType || "no content type"}): ${JSON.stringify(preview)}`);
  }
}

/** Runs `task` over `items` with at most `limit` at a time, keeping the results in the items' order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, signal: AbortSignal, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      signal.throwIfAborted();
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
