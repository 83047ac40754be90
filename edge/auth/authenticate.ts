import type { KeyLimits, Scope } from "../../schema/accounts";
import { getConfig, type Config } from "../config/config";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { findKeyByHash, touchKey } from "../keys/repository";
import { hashSecret, isKeySecret } from "../keys/secret";
import { tokensEqual } from "./static-token";
import { verifySupabaseToken } from "./supabase-jwt";

/** The user every request runs as when auth is `none` or `local`. */
export const LOCAL_USER_ID = "1";

/** The bearer token of a request: the Authorization header, or (for WebSocket upgrades) a query parameter. */
export function bearerToken(request: Request, allowQuery = false): string | undefined {
  const header = request.headers.get("Authorization");
  if (header) {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    return match ? match[1].trim() : undefined;
  }
  if (allowQuery) {
    const url = new URL(request.url);
    return url.searchParams.get("api_key") ?? url.searchParams.get("token") ?? undefined;
  }
  return undefined;
}

/** Resolves the caller's user id under the configured AUTH_PROVIDER, or throws a 401/503 ApiError. */
export async function authenticate(request: Request, config: Config, allowQueryToken = false): Promise<string> {
  if (config.authProvider === "none" || config.authProvider === "local") return LOCAL_USER_ID;
  const authProblem = config.problems.find((p) => p.startsWith("AUTH_PROVIDER"));
  if (authProblem) throw new ApiError("unavailable", `Authentication is not configured: ${authProblem}`);

  const token = bearerToken(request, allowQueryToken);
  if (!token) throw new ApiError("unauthorized", "Missing bearer token: send 'Authorization: Bearer <token>'");

  if (config.authProvider === "static") {
    if (!tokensEqual(token, config.staticToken!)) throw new ApiError("unauthorized", "Invalid token");
    return LOCAL_USER_ID;
  }
  return verifySupabaseToken(token, { secret: config.supabaseJwtSecret, url: config.supabaseUrl });
}

/** Who is calling: a user, and the API key they call with (if any), which narrows what they may do. */
export interface Principal {
  userId: string;
  key?: { id: string; scopes: Scope[]; limits: KeyLimits };
}

// last_used_at is a hint for people looking at their keys: written at most once a minute per key.
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Resolves the caller as authenticate() does, and accepts API keys (`ntk_...`) as bearer tokens in every auth
 * mode. A key is read from D1 on every request, so a revocation or expiry holds from the next request on,
 * in every isolate.
 */
export async function authenticatePrincipal(
  request: Request,
  env: Env,
  opts: { allowQueryToken?: boolean; defer?: (p: Promise<unknown>) => void } = {},
): Promise<Principal> {
  const config = getConfig(env);
  const token = bearerToken(request, opts.allowQueryToken ?? false);
  if (token === undefined || !isKeySecret(token)) return { userId: await authenticate(request, config, opts.allowQueryToken) };
  const row = await findKeyByHash(db(env.DB), await hashSecret(token));
  if (!row) throw new ApiError("unauthorized", "Invalid API key");
  if (row.revoked_at !== null) throw new ApiError("unauthorized", "This API key was revoked");
  const now = Date.now();
  if (row.expires_at !== null && Date.parse(row.expires_at) <= now) throw new ApiError("unauthorized", "This API key has expired");
  if (opts.defer && (row.last_used_at === null || now - Date.parse(row.last_used_at) > TOUCH_INTERVAL_MS)) {
    opts.defer(touchKey(db(env.DB), row.id, new Date(now).toISOString()).catch(() => {}));
  }
  return { userId: row.user_id, key: { id: row.id, scopes: row.scopes as Scope[], limits: row.limits } };
}
