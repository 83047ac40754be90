import type { Config } from "../config/config";
import { ApiError } from "../errors/api-error";
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
