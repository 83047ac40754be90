import type { Env } from "../config/env";

/** Settings of storage and media (README "Configuration"), parsed like edge/config/config.ts parses its own. */
export interface StorageConfig {
  /** Largest file a storage PUT or an asset upload accepts (bytes); larger ones get a 413. */
  maxUploadBytes: number;
  /** How long `temp/` objects live (seconds). Reads of older ones are 404s; the cron sweep deletes them. */
  tempRetentionSeconds: number;
  /** Whether media inputs may name http(s) URLs on other hosts (never private, loopback or link-local ones). */
  allowRemoteMediaFetch: boolean;
  /** PUBLIC_BASE_URL without a trailing slash (`https://api.example.com`, or with a path prefix); null when unset. */
  publicBaseUrl: string | null;
  problems: string[];
}

export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
export const DEFAULT_TEMP_RETENTION_SECONDS = 86_400;

function positive(raw: string | undefined, fallback: number, name: string, problems: string[]): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    problems.push(`${name} must be a positive number, got '${raw}'; using ${fallback}`);
    return fallback;
  }
  return n;
}

function flag(raw: string | undefined, fallback: boolean, name: string, problems: string[]): boolean {
  if (raw === undefined || raw.trim() === "") return fallback;
  const v = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  problems.push(`${name} must be true or false, got '${raw}'; using ${fallback}`);
  return fallback;
}

/** PUBLIC_BASE_URL: an http(s) URL without query, fragment or credentials; kept without a trailing slash. */
function baseUrl(raw: string | undefined, problems: string[]): string | null {
  if (raw === undefined || raw.trim() === "") return null;
  let url: URL | null = null;
  try {
    url = new URL(raw.trim());
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash || url.username || url.password) {
    problems.push(`PUBLIC_BASE_URL must be an http(s) URL such as https://api.example.com (no query or credentials), got '${raw}'; using each request's origin`);
    return null;
  }
  return url.href.replace(/\/+$/, "");
}

function parse(env: Env): StorageConfig {
  const problems: string[] = [];
  return {
    maxUploadBytes: Math.floor(positive(env.MAX_UPLOAD_BYTES, DEFAULT_MAX_UPLOAD_BYTES, "MAX_UPLOAD_BYTES", problems)),
    tempRetentionSeconds: positive(env.TEMP_RETENTION_SECONDS, DEFAULT_TEMP_RETENTION_SECONDS, "TEMP_RETENTION_SECONDS", problems),
    allowRemoteMediaFetch: flag(env.ALLOW_REMOTE_MEDIA_FETCH, false, "ALLOW_REMOTE_MEDIA_FETCH", problems),
    publicBaseUrl: baseUrl(env.PUBLIC_BASE_URL, problems),
    problems,
  };
}

// The env object is stable for an isolate's lifetime, so parsing (and the one report) happens once.
const cache = new WeakMap<object, StorageConfig>();

export function getStorageConfig(env: Env): StorageConfig {
  let config = cache.get(env);
  if (!config) {
    config = parse(env);
    cache.set(env, config);
    for (const problem of config.problems) console.warn(`[config] ${problem}`);
  }
  return config;
}
