import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import { ApiError } from "../errors/api-error";

const jwksByUrl = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** The project's JWKS, fetched on first use and cached (with jose's own refresh rules) per isolate. */
function jwksFor(supabaseUrl: string) {
  const url = `${supabaseUrl.replace(/\/+$/, "")}/auth/v1/.well-known/jwks.json`;
  let set = jwksByUrl.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    jwksByUrl.set(url, set);
  }
  return set;
}

/**
 * Verifies a Supabase access token: HS256 with the project's JWT secret when one is configured, otherwise
 * the asymmetric keys from the project's JWKS. The user is the token's `sub`.
 */
export async function verifySupabaseToken(token: string, opts: { secret?: string; url?: string }): Promise<string> {
  let payload: JWTPayload;
  try {
    if (opts.secret) {
      ({ payload } = await jwtVerify(token, new TextEncoder().encode(opts.secret), { algorithms: ["HS256"] }));
    } else {
      ({ payload } = await jwtVerify(token, jwksFor(opts.url!)));
    }
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new ApiError("unauthorized", "Token expired");
    if (err instanceof errors.JWKSTimeout || (err instanceof Error && /fetch|network/i.test(err.message) && !(err instanceof errors.JOSEError))) {
      throw new ApiError("unavailable", "Could not fetch the signing keys (SUPABASE_URL JWKS)");
    }
    throw new ApiError("unauthorized", "Invalid token");
  }
  if (typeof payload.sub !== "string" || payload.sub === "") throw new ApiError("unauthorized", "Token has no subject");
  return payload.sub;
}
