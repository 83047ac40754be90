import type { Env } from "./env";

export type AuthProvider = "none" | "local" | "static" | "supabase";
const AUTH_PROVIDERS: readonly AuthProvider[] = ["none", "local", "static", "supabase"];

export interface Config {
  authProvider: AuthProvider;
  /** The bearer token of `static` auth, if one is configured. */
  staticToken?: string;
  supabaseUrl?: string;
  supabaseJwtSecret?: string;
  maxBodyBytes: number;
  sseKeepaliveMs: number;
  /** WS_HEARTBEAT_MS: a WebSocket that sent nothing for this long gets `{type: "ping", ts}`; 0 turns it off. */
  wsHeartbeatMs: number;
  jobMaxRunSeconds: number;
  /** How long a finished job's event log stays replayable. */
  jobLogRetentionSeconds: number;
  /** How often a running job's alarm checks that its run is still alive. */
  jobWatchdogSeconds: number;
  /** Jobs a user may have running at once; more wait as `queued`. */
  maxConcurrentJobsPerUser: number;
  /** Largest model file `POST /api/models/upload` accepts (bytes; independent of MAX_BODY_BYTES and MAX_UPLOAD_BYTES). */
  maxModelBytes: number;
  /** Base URLs of the gpu-runners (GPU_RUNNER_URLS, comma-separated); empty when none is configured. */
  gpuRunnerUrls: string[];
  /** The shared runner token: sent to runners, and the only credential of `GET /api/runner/models/*`. */
  gpuRunnerToken?: string;
  /** A runner that sends no frame or heartbeat for this long is considered dead. */
  gpuRunnerTimeoutSeconds: number;
  /** CORS_ORIGINS: `*` (any origin, never with credentials) or the exact origins allowed (with credentials). */
  corsOrigins: "*" | string[];
  /** Settings that are missing or invalid, each a sentence saying what to set. Reported once and with 503s. */
  problems: string[];
}

function positiveInt(raw: string | undefined, fallback: number, name: string, problems: string[]): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    problems.push(`${name} must be a positive number, got '${raw}'; using ${fallback}`);
    return fallback;
  }
  return n;
}

export const DEFAULT_MAX_MODEL_BYTES = 256 * 1024 * 1024;
export const DEFAULT_GPU_RUNNER_TIMEOUT_SECONDS = 30;

/** GPU_RUNNER_URLS: comma-separated http(s) base URLs, kept without a trailing slash. */
function runnerUrls(raw: string | undefined, problems: string[]): string[] {
  const urls: string[] = [];
  for (const entry of (raw ?? "").split(",").map((e) => e.trim()).filter(Boolean)) {
    let url: URL | null = null;
    try {
      url = new URL(entry);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash || url.username || url.password) {
      problems.push(`GPU_RUNNER_URLS entries must be http(s) base URLs without query or credentials, got '${entry.replace(/\/\/[^@/]*@/, "//***@")}'`);
      continue;
    }
    const base = url.href.replace(/\/+$/, "");
    if (!urls.includes(base)) urls.push(base);
  }
  return urls;
}

/** CORS_ORIGINS: `*`, or origins such as `https://app.example.com` (scheme, host and port; no path). */
function corsOrigins(raw: string | undefined, problems: string[]): "*" | string[] {
  const entries = (raw ?? "*").split(",").map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0 || entries.includes("*")) return "*";
  const origins: string[] = [];
  for (const entry of entries) {
    let origin: string | null = null;
    try {
      const url = new URL(entry);
      if (url.origin !== "null" && (url.pathname === "/" || url.pathname === "") && !url.search && !url.hash) origin = url.origin;
    } catch {
      // reported below
    }
    if (origin) origins.push(origin);
    else problems.push(`CORS_ORIGINS entries must be origins like https://app.example.com (or *), got '${entry}'`);
  }
  return origins.length > 0 ? origins : "*";
}

function parseConfig(env: Env): Config {
  const problems: string[] = [];
  const rawProvider = (env.AUTH_PROVIDER ?? "static").trim().toLowerCase();
  let authProvider: AuthProvider = "static";
  if ((AUTH_PROVIDERS as readonly string[]).includes(rawProvider)) authProvider = rawProvider as AuthProvider;
  else problems.push(`AUTH_PROVIDER must be one of ${AUTH_PROVIDERS.join(", ")}, got '${env.AUTH_PROVIDER}'`);

  const staticToken = env.SERVER_AUTH_TOKEN || env.WORKER_AUTH_TOKEN || undefined;
  if (authProvider === "static" && !staticToken) {
    problems.push("AUTH_PROVIDER=static needs SERVER_AUTH_TOKEN (or WORKER_AUTH_TOKEN) to be set");
  }
  if (authProvider === "supabase" && !env.SUPABASE_JWT_SECRET && !env.SUPABASE_URL) {
    problems.push("AUTH_PROVIDER=supabase needs SUPABASE_JWT_SECRET (HS256) or SUPABASE_URL (JWKS) to be set");
  }
  const gpuRunnerUrls = runnerUrls(env.GPU_RUNNER_URLS, problems);
  const gpuRunnerToken = env.GPU_RUNNER_TOKEN || undefined;
  if (gpuRunnerUrls.length > 0 && !gpuRunnerToken) problems.push("GPU_RUNNER_URLS needs GPU_RUNNER_TOKEN (the runners' shared token) to be set");
  return {
    authProvider,
    staticToken,
    supabaseUrl: env.SUPABASE_URL || undefined,
    supabaseJwtSecret: env.SUPABASE_JWT_SECRET || undefined,
    maxBodyBytes: positiveInt(env.MAX_BODY_BYTES, 5 * 1024 * 1024, "MAX_BODY_BYTES", problems),
    sseKeepaliveMs: positiveInt(env.SSE_KEEPALIVE_MS, 15_000, "SSE_KEEPALIVE_MS", problems),
    // NodeTool's runner pings every 25 s (NodeTool: unified-websocket-runner.ts startHeartbeat).
    wsHeartbeatMs: env.WS_HEARTBEAT_MS?.trim() === "0" ? 0 : positiveInt(env.WS_HEARTBEAT_MS, 25_000, "WS_HEARTBEAT_MS", problems),
    jobMaxRunSeconds: positiveInt(env.JOB_MAX_RUN_SECONDS, 3600, "JOB_MAX_RUN_SECONDS", problems),
    jobLogRetentionSeconds: positiveInt(env.JOB_LOG_RETENTION_SECONDS, 86_400, "JOB_LOG_RETENTION_SECONDS", problems),
    jobWatchdogSeconds: positiveInt(env.JOB_WATCHDOG_SECONDS, 30, "JOB_WATCHDOG_SECONDS", problems),
    maxConcurrentJobsPerUser: Math.floor(positiveInt(env.MAX_CONCURRENT_JOBS_PER_USER, 32, "MAX_CONCURRENT_JOBS_PER_USER", problems)),
    maxModelBytes: Math.floor(positiveInt(env.MAX_MODEL_BYTES, DEFAULT_MAX_MODEL_BYTES, "MAX_MODEL_BYTES", problems)),
    gpuRunnerUrls,
    gpuRunnerToken,
    gpuRunnerTimeoutSeconds: positiveInt(env.GPU_RUNNER_TIMEOUT_SECONDS, DEFAULT_GPU_RUNNER_TIMEOUT_SECONDS, "GPU_RUNNER_TIMEOUT_SECONDS", problems),
    corsOrigins: corsOrigins(env.CORS_ORIGINS, problems),
    problems,
  };
}

// The env object is stable for an isolate's lifetime, so parsing (and the one start-up report) happens once.
const cache = new WeakMap<object, Config>();

export function getConfig(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env);
    cache.set(env, config);
    for (const problem of config.problems) console.warn(`[config] ${problem}`);
  }
  return config;
}
