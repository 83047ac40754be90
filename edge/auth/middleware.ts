import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { chatErrorResponse } from "../chat/errors";
import type { Env } from "../config/env";
import { ApiError } from "../errors/api-error";
import { errorResponse } from "../errors/handler";
import { hasScope, requiredScope } from "../keys/scopes";
import { countRequest, JobLimitError, rateLimitHeaders, requestLimitError, withHeaders } from "../ratelimit/enforce";
import { meterChatResponse, type StreamUsage } from "../usage/chat-meter";
import { recordUsage } from "../usage/record";
import { authenticatePrincipal, type Principal } from "./authenticate";

function deferrer(c: Context): (p: Promise<unknown>) => void {
  return (p) => {
    try {
      c.executionCtx.waitUntil(p);
    } catch {
      // no execution context (a direct app.fetch in a test): the promise simply runs
    }
  };
}

/** A key lacking the route's scope: 403 naming the scope (see edge/keys/scopes.ts). */
export function checkScope(principal: Principal, method: string, path: string): void {
  if (!principal.key) return;
  const needed = requiredScope(method, path);
  if (!hasScope(principal.key.scopes, needed)) {
    throw new ApiError("forbidden", `This API key lacks the scope '${needed}' that ${method.toUpperCase()} ${path} needs`);
  }
}

const isChat = (path: string) => path === "/v1" || path.startsWith("/v1/");

/**
 * Authenticates the caller (`userId`, and `principal` with the API key if one was used), checks the key's
 * scope for the route, counts the request against the caller's rate limits (429 with Retry-After and
 * X-RateLimit-* headers), and meters the tokens of proxied chat completions.
 */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const defer = deferrer(c);
  const principal = await authenticatePrincipal(c.req.raw, c.env, { defer });
  c.set("userId", principal.userId);
  c.set("principal", principal);
  const path = c.req.path;
  checkScope(principal, c.req.method, path);
  const verdict = await countRequest(c.env, principal);
  if (verdict && !verdict.ok) {
    const err = requestLimitError(verdict);
    return withHeaders(isChat(path) ? chatErrorResponse(err) : errorResponse(err), rateLimitHeaders(verdict));
  }
  await next();
  if (c.error instanceof JobLimitError) c.res = withHeaders(c.res, c.error.headers);
  else if (verdict) c.res = withHeaders(c.res, rateLimitHeaders(verdict));
  // The route says whether its stream can carry usage; without it the stream is not wrapped (edge/usage/chat-meter.ts).
  if (c.req.method === "POST" && path === "/v1/chat/completions") c.res = meterChat(c.env, principal, c.res, defer, c.get("chatStreamUsage"));
});

function meterChat(env: Env, principal: Principal, res: Response, defer: (p: Promise<unknown>) => void, streamUsage: StreamUsage | undefined): Response {
  return meterChatResponse(
    res,
    (tokens) => recordUsage(env, { userId: principal.userId, keyId: principal.key?.id ?? null, kind: "chat" }, { chat_requests: 1, ...(tokens ?? {}) }),
    defer,
    streamUsage,
  );
}

/**
 * A WebSocket upgrade (`/ws`, `/predict`; the token may come as `?api_key=`): the same checks as requireAuth,
 * for a connection instead of a request. Throws the ApiError the socket route turns into a close code.
 */
export async function authorizeSocket(request: Request, env: Env, defer?: (p: Promise<unknown>) => void): Promise<Principal> {
  const principal = await authenticatePrincipal(request, env, { allowQueryToken: true, ...(defer ? { defer } : {}) });
  checkScope(principal, request.method, new URL(request.url).pathname);
  const verdict = await countRequest(env, principal);
  if (verdict && !verdict.ok) throw requestLimitError(verdict);
  return principal;
}
