import type { AllowedHosts } from "./remote";

/** The env settings outbound HTTP reads; a plain object, so the CLI passes `process.env` as it is. */
export interface FetchEnv {
  FETCH_ALLOW_HOSTS?: string;
  FETCH_MAX_BYTES?: string;
  FETCH_TIMEOUT_SECONDS?: string;
}

/** Settings of the web nodes' outbound HTTP (README "Configuration"). */
export interface FetchSettings {
  /** `host:port` pairs that skip the private-address check (FETCH_ALLOW_HOSTS). */
  allowed: AllowedHosts;
  /** Largest response body read (bytes); larger ones fail while streaming. */
  maxBytes: number;
  /** Longest a request may take, redirects and body included (milliseconds). */
  timeoutMs: number;
  problems: string[];
}

export const DEFAULT_FETCH_MAX_BYTES = 20 * 1024 * 1024;
export const DEFAULT_FETCH_TIMEOUT_SECONDS = 30;

function positive(raw: string | undefined, fallback: number, name: string, problems: string[]): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    problems.push(`${name} must be a positive number, got '${raw}'; using ${fallback}`);
    return fallback;
  }
  return n;
}

/**
 * Parses FETCH_ALLOW_HOSTS: `host:port` entries, IPv6 hosts in brackets (`[::1]:8080`). The port is required,
 * so allowing a private service never opens every port of its host. Entries that do not parse are reported
 * and left out (the guard stays stricter, never looser).
 */
export function parseAllowedHosts(raw: string | undefined, problems: string[] = []): Set<string> {
  const allowed = new Set<string>();
  for (const entry of (raw ?? "").split(",").map((e) => e.trim()).filter(Boolean)) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]@]+):(\d{1,5})$/.exec(entry);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) {
      problems.push(`FETCH_ALLOW_HOSTS: '${entry}' is not host:port; left out`);
      continue;
    }
    try {
      // The URL parser normalises the host exactly as it will appear in a request's URL (case, IPv6 form).
      allowed.add(`${new URL(`http://${m[1]}/`).hostname}:${port}`);
    } catch {
      problems.push(`FETCH_ALLOW_HOSTS: '${entry}' is not a valid host; left out`);
    }
  }
  return allowed;
}

export function parseFetchSettings(env: FetchEnv): FetchSettings {
  const problems: string[] = [];
  return {
    allowed: parseAllowedHosts(env.FETCH_ALLOW_HOSTS, problems),
    maxBytes: Math.floor(positive(env.FETCH_MAX_BYTES, DEFAULT_FETCH_MAX_BYTES, "FETCH_MAX_BYTES", problems)),
    timeoutMs: positive(env.FETCH_TIMEOUT_SECONDS, DEFAULT_FETCH_TIMEOUT_SECONDS, "FETCH_TIMEOUT_SECONDS", problems) * 1000,
    problems,
  };
}

// The env object is stable for an isolate's lifetime, so parsing (and the one report) happens once.
const cache = new WeakMap<object, FetchSettings>();

export function getFetchSettings(env: FetchEnv): FetchSettings {
  let settings = cache.get(env);
  if (!settings) {
    settings = parseFetchSettings(env);
    cache.set(env, settings);
    for (const problem of settings.problems) console.warn(`[config] ${problem}`);
  }
  return settings;
}
