import type { KeyLimits } from "../../schema/accounts";

/** The env settings of rate limits and quotas (README "Configuration"); 0 turns a limit off. */
export interface RateLimitEnv {
  KEY_REQUESTS_PER_MINUTE?: string;
  KEY_MAX_CONCURRENT_JOBS?: string;
  USER_REQUESTS_PER_MINUTE?: string;
  USER_MAX_CONCURRENT_JOBS?: string;
}

export interface RateLimitSettings {
  keyRequestsPerMinute: number;
  keyConcurrentJobs: number;
  userRequestsPerMinute: number;
  userConcurrentJobs: number;
  problems: string[];
}

export const DEFAULT_KEY_REQUESTS_PER_MINUTE = 600;

function count(raw: string | undefined, fallback: number, name: string, problems: string[]): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    problems.push(`${name} must be a whole number (0: no limit), got '${raw}'; using ${fallback}`);
    return fallback;
  }
  return n;
}

export function parseRateLimits(env: RateLimitEnv): RateLimitSettings {
  const problems: string[] = [];
  return {
    keyRequestsPerMinute: count(env.KEY_REQUESTS_PER_MINUTE, DEFAULT_KEY_REQUESTS_PER_MINUTE, "KEY_REQUESTS_PER_MINUTE", problems),
    keyConcurrentJobs: count(env.KEY_MAX_CONCURRENT_JOBS, 0, "KEY_MAX_CONCURRENT_JOBS", problems),
    userRequestsPerMinute: count(env.USER_REQUESTS_PER_MINUTE, 0, "USER_REQUESTS_PER_MINUTE", problems),
    userConcurrentJobs: count(env.USER_MAX_CONCURRENT_JOBS, 0, "USER_MAX_CONCURRENT_JOBS", problems),
    problems,
  };
}

const cache = new WeakMap<object, RateLimitSettings>();

export function getRateLimits(env: RateLimitEnv): RateLimitSettings {
  let settings = cache.get(env);
  if (!settings) {
    settings = parseRateLimits(env);
    cache.set(env, settings);
    for (const problem of settings.problems) console.warn(`[config] ${problem}`);
  }
  return settings;
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
