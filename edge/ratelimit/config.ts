import type { KeyLimits } from "../../schema/accounts";
import { getConfig, type RateLimitValues } from "../config/config";
import type { Env } from "../config/env";

/** Rate limits and quotas (docs/configuration.md); 0 turns a limit off. Read with the other settings (edge/config). */
export type RateLimitSettings = RateLimitValues;

export function getRateLimits(env: Env): RateLimitSettings {
  return getConfig(env).rateLimits;
}

/** One counter a request or job is checked against: the user's, or one key's. */
export interface Bucket {
  id: string;
  limit: number;
}

/** The request buckets that apply to a caller (none: nothing to check, no Durable Object call). */
export function requestBuckets(settings: RateLimitSettings, keyId: string | undefined, limits: KeyLimits | undefined): Bucket[] {
  const buckets: Bucket[] = [];
  if (settings.userRequestsPerMinute > 0) buckets.push({ id: "user", limit: settings.userRequestsPerMinute });
  if (keyId !== undefined) {
    const limit = limits?.requests_per_minute ?? settings.keyRequestsPerMinute;
    if (limit > 0) buckets.push({ id: `key:${keyId}`, limit });
  }
  return buckets;
}

export function jobBuckets(settings: RateLimitSettings, keyId: string | undefined, limits: KeyLimits | undefined): Bucket[] {
  const buckets: Bucket[] = [];
  if (settings.userConcurrentJobs > 0) buckets.push({ id: "user", limit: settings.userConcurrentJobs });
  if (keyId !== undefined) {
    const limit = limits?.concurrent_jobs ?? settings.keyConcurrentJobs;
    if (limit > 0) buckets.push({ id: `key:${keyId}`, limit });
  }
  return buckets;
}
