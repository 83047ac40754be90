import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../app-env";
import { getConfig } from "../config/config";

/**
 * Response headers a browser on another origin may read: the job id of a run, the resume position of a stream,
 * rate-limit and retry advice, the chosen chat provider, and the storage headers that ranged reads need.
 */
const EXPOSED = [
  "X-Job-Id",
  "Last-Event-ID",
  "X-Chat-Provider",
  "Retry-After",
  "Content-Length",
  "Content-Range",
  "Accept-Ranges",
  "ETag",
  "Last-Modified",
];

// One handler per setting: the env object is stable for an isolate's lifetime (as in getConfig).
const handlers = new WeakMap<object, MiddlewareHandler<AppEnv>>();

function handlerFor(env: AppEnv["Bindings"]): MiddlewareHandler<AppEnv> {
  let handler = handlers.get(env);
  if (!handler) {
    const origins = getConfig(env).corsOrigins;
    handler = cors({
      // `*` never goes with credentials (browsers refuse the pair); an explicit list echoes the caller's origin.
      origin: origins === "*" ? "*" : (origin) => (origins.includes(origin) ? origin : null),
      credentials: origins !== "*",
      allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      exposeHeaders: EXPOSED,
      maxAge: 86_400,
    });
    handlers.set(env, handler);
  }
  return handler;
}

/**
 * CORS on every route (CORS_ORIGINS): answers preflights before auth, since a browser sends no token on them,
 * and marks every response, errors and streams included, as readable by the allowed origins.
 */
export const corsMiddleware: MiddlewareHandler<AppEnv> = (c, next) => handlerFor(c.env)(c, next);
