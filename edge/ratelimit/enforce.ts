import type { KeyLimits } from "../../schema/accounts";
import type { Principal } from "../auth/authenticate";
import type { Env } from "../config/env";
import { ApiError } from "../errors/api-error";
import { getRateLimits, jobBuckets, requestBuckets } from "./config";
import type { RequestVerdict } from "./limiter";

function limiter(env: Env, userId: string) {
  return env.LIMITERS.get(env.LIMITERS.idFromName(userId));
}

/**
 * Counts one request of the caller. Null when no limit applies to them (no Durable Object is asked then: a
 * user's own token with USER_REQUESTS_PER_MINUTE off costs nothing here).
 */
export async function countRequest(env: Env, principal: Principal): Promise<RequestVerdict | null> {
  const buckets = requestBuckets(getRateLimits(env), principal.key?.id, principal.key?.limits);
  if (buckets.length === 0) return null;
  return limiter(env, principal.userId).hit(buckets);
}

/** `X-RateLimit-Limit/Remaining/Reset` (Reset: the window's end in Unix seconds), plus `Retry-After` on a refusal. */
export function rateLimitHeaders(v: RequestVerdict, now = Date.now()): Record<string, string> {
  const headers: Record<string, string> = {
    "X-RateLimit-Limit": String(v.limit),
    "X-RateLimit-Remaining": String(Math.max(0, v.remaining)),
    "X-RateLimit-Reset": String(Math.ceil(v.resetMs / 1000)),
  };
  if (!v.ok) headers["Retry-After"] = String(Math.max(1, Math.ceil((v.resetMs - now) / 1000)));
  return headers;
}

export function requestLimitError(v: RequestVerdict): ApiError {
  const who = v.bucket === "user" ? "this account" : "this API key";
  return new ApiError("rate_limited", `Rate limit exceeded: ${v.limit} requests per minute for ${who}; retry after the time in Retry-After`);
}

/** A response with the headers added (rebuilt when its headers are immutable, e.g. from a subrequest). */
export function withHeaders(res: Response, headers: Record<string, string>): Response {
  if (res.status === 101) return res;
  try {
    for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
    return res;
  } catch {
    const copy = new Response(res.body, res);
    for (const [k, v] of Object.entries(headers)) copy.headers.set(k, v);
    return copy;
  }
}

/** A refused job: a 429 whose body says which limit, with a Retry-After hint (a slot frees when a job ends). */
export class JobLimitError extends ApiError {
  constructor(
    message: string,
    readonly headers: Record<string, string>,
  ) {
    super("rate_limited", message);
  }
}

/** Takes a concurrent-job slot for a new job, or throws a 429; false when no limit applies (nothing to free later). */
export async function acquireJobSlot(env: Env, userId: string, keyId: string | undefined, limits: KeyLimits | undefined, jobId: string): Promise<boolean> {
  const buckets = jobBuckets(getRateLimits(env), keyId, limits);
  if (buckets.length === 0) return false;
  const verdict = await limiter(env, userId).acquireJob(jobId, buckets);
  if (!verdict.ok) {
    const who = verdict.bucket === "user" ? "this account" : "this API key";
    throw new JobLimitError(`Concurrent job limit reached: ${who} may have ${verdict.limit} jobs queued or running at once`, {
      "Retry-After": "1",
      "X-RateLimit-Limit": String(verdict.limit),
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": String(Math.ceil(Date.now() / 1000) + 1),
    });
  }
  return true;
}

export async function releaseJobSlot(env: Env, userId: string, jobId: string): Promise<void> {
  await limiter(env, userId).releaseJob(jobId);
}
