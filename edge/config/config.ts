import type { ChatSettings } from "../../engine/providers/types";
import { chatSettingsFrom } from "../../host/chat/settings";
import { readSettings } from "../../host/config/env-settings";
import { type SearchSettings, searchSettingsFrom } from "../../host/search/search-service";
import { type FetchSettings, fetchSettingsFrom } from "../../host/web/config";
import type { Env } from "./env";
import { type AuthProvider, WORKER_SETTINGS } from "./schema";

export { type AuthProvider, DEFAULT_GPU_RUNNER_TIMEOUT_SECONDS, DEFAULT_MAX_MODEL_BYTES } from "./schema";

/** The request bounds (docs/configuration.md): what a client controls, each with a limit. */
export interface Limits {
  /** MAX_BODY_BYTES: largest request body outside the streamed uploads. */
  maxBodyBytes: number;
  /** MAX_JSON_DEPTH: deepest nesting of arrays and objects in a JSON body. */
  maxJsonDepth: number;
  /** MAX_GRAPH_NODES / MAX_GRAPH_EDGES: largest workflow graph a body may carry. */
  maxGraphNodes: number;
  maxGraphEdges: number;
}

/** Settings of storage and media. */
export interface StorageConfig {
  /** Largest file a storage PUT or an asset upload accepts (bytes); larger ones get a 413. */
  maxUploadBytes: number;
  /** How long `temp/` objects live (seconds). Reads of older ones are 404s; the cron sweep deletes them. */
  tempRetentionSeconds: number;
  /** How long captured run outputs live (seconds). */
  captureRetentionSeconds: number;
  /** Whether media inputs may name http(s) URLs on other hosts (never private, loopback or link-local ones). */
  allowRemoteMediaFetch: boolean;
  /** PUBLIC_BASE_URL without a trailing slash (`https://api.example.com`, or with a path prefix); null when unset. */
  publicBaseUrl: string | null;
  /** Largest file one workspace write accepts (bytes). */
  workspaceMaxFileBytes: number;
}

export interface RateLimitValues {
  keyRequestsPerMinute: number;
  keyConcurrentJobs: number;
  userRequestsPerMinute: number;
  userConcurrentJobs: number;
  problems: string[];
}

export interface WebhookValues {
  /** Attempts per delivery, the first included (at most 30); then it is recorded as `failed`. */
  maxAttempts: number;
  /** The wait before the first retry; each later one waits twice as long (capped at an hour). */
  retryBaseMs: number;
  /** How long one attempt may take. */
  timeoutMs: number;
}

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
  /** Media up to GPU_RUNNER_INLINE_MEDIA_BYTES travels inline; signed URLs live GPU_RUNNER_BLOB_URL_TTL_SECONDS. */
  runnerMedia: { inlineMaxBytes: number; urlTtlSeconds: number };
  /** CORS_ORIGINS: `*` (any origin, never with credentials) or the exact origins allowed (with credentials). */
  corsOrigins: "*" | string[];
  limits: Limits;
  storage: StorageConfig;
  rateLimits: RateLimitValues;
  webhooks: WebhookValues;
  /** Chat providers; their own `problems` make chat calls fail with 503 until fixed. */
  chat: ChatSettings;
  /** EMBEDDING_MODEL: the embedding model of vector collections that name none. */
  embeddingModel?: string;
  /** Outbound HTTP of the web nodes and webhook deliveries. */
  fetch: FetchSettings;
  /** Web search; null when not configured. */
  search: SearchSettings | null;
  /** Settings that are missing or invalid, each a sentence saying what to set. Reported once and with 503s. */
  problems: string[];
  /** Settings that work but will not do what was probably meant (an alias to an unconfigured provider). */
  warnings: string[];
}

/** Reads every variable once; what is wrong becomes a sentence in `problems` and its default is used. */
export function parseConfig(env: Partial<Record<string, unknown>>): Config {
  const vars = env as Record<string, string | undefined>;
  const read = <G extends keyof typeof WORKER_SETTINGS>(group: G) => readSettings(WORKER_SETTINGS[group], vars);
  const auth = read("auth");
  const requests = read("requests");
  const jobs = read("jobs");
  const rateLimits = read("rateLimits");
  const webhooks = read("webhooks");
  const chat = read("chat");
  const embeddings = read("embeddings");
  const storage = read("storage");
  const fetch = read("fetch");
  const search = read("search");
  const runners = read("runners");

  const problems = [auth, requests, jobs, rateLimits, webhooks, chat, embeddings, storage, fetch, search, runners].flatMap((g) => g.problems);
  const staticToken = auth.SERVER_AUTH_TOKEN || auth.WORKER_AUTH_TOKEN || undefined;
  if (auth.AUTH_PROVIDER === "static" && !staticToken) problems.push("AUTH_PROVIDER=static needs SERVER_AUTH_TOKEN (or WORKER_AUTH_TOKEN) to be set");
  if (auth.AUTH_PROVIDER === "supabase" && !auth.SUPABASE_JWT_SECRET && !auth.SUPABASE_URL) {
    problems.push("AUTH_PROVIDER=supabase needs SUPABASE_JWT_SECRET (HS256) or SUPABASE_URL (JWKS) to be set");
  }
  if (runners.GPU_RUNNER_URLS.length > 0 && !runners.GPU_RUNNER_TOKEN) problems.push("GPU_RUNNER_URLS needs GPU_RUNNER_TOKEN (the runners' shared token) to be set");
  const { warnings, ...chatSettings } = chatSettingsFrom(chat, [...chat.problems]);
  // CHAT_DEFAULT_MODEL is checked against the providers, after the variables themselves.
  problems.push(...chatSettings.problems.slice(chat.problems.length));

  return {
    authProvider: auth.AUTH_PROVIDER,
    staticToken,
    supabaseUrl: auth.SUPABASE_URL,
    supabaseJwtSecret: auth.SUPABASE_JWT_SECRET,
    maxBodyBytes: requests.MAX_BODY_BYTES,
    sseKeepaliveMs: requests.SSE_KEEPALIVE_MS,
    wsHeartbeatMs: requests.WS_HEARTBEAT_MS,
    jobMaxRunSeconds: jobs.JOB_MAX_RUN_SECONDS,
    jobLogRetentionSeconds: jobs.JOB_LOG_RETENTION_SECONDS,
    jobWatchdogSeconds: jobs.JOB_WATCHDOG_SECONDS,
    maxConcurrentJobsPerUser: jobs.MAX_CONCURRENT_JOBS_PER_USER,
    maxModelBytes: runners.MAX_MODEL_BYTES,
    gpuRunnerUrls: runners.GPU_RUNNER_URLS,
    gpuRunnerToken: runners.GPU_RUNNER_TOKEN,
    gpuRunnerTimeoutSeconds: runners.GPU_RUNNER_TIMEOUT_SECONDS,
    runnerMedia: { inlineMaxBytes: runners.GPU_RUNNER_INLINE_MEDIA_BYTES, urlTtlSeconds: runners.GPU_RUNNER_BLOB_URL_TTL_SECONDS },
    corsOrigins: requests.CORS_ORIGINS,
    limits: {
      maxBodyBytes: Math.floor(requests.MAX_BODY_BYTES),
      maxJsonDepth: requests.MAX_JSON_DEPTH,
      maxGraphNodes: requests.MAX_GRAPH_NODES,
      maxGraphEdges: requests.MAX_GRAPH_EDGES,
    },
    storage: {
      maxUploadBytes: storage.MAX_UPLOAD_BYTES,
      tempRetentionSeconds: storage.TEMP_RETENTION_SECONDS,
      captureRetentionSeconds: storage.CAPTURE_RETENTION_SECONDS,
      allowRemoteMediaFetch: storage.ALLOW_REMOTE_MEDIA_FETCH,
      publicBaseUrl: storage.PUBLIC_BASE_URL,
      workspaceMaxFileBytes: storage.WORKSPACE_MAX_FILE_BYTES,
    },
    rateLimits: {
      keyRequestsPerMinute: rateLimits.KEY_REQUESTS_PER_MINUTE,
      keyConcurrentJobs: rateLimits.KEY_MAX_CONCURRENT_JOBS,
      userRequestsPerMinute: rateLimits.USER_REQUESTS_PER_MINUTE,
      userConcurrentJobs: rateLimits.USER_MAX_CONCURRENT_JOBS,
      problems: rateLimits.problems,
    },
    webhooks: {
      maxAttempts: Math.min(30, webhooks.WEBHOOK_MAX_ATTEMPTS),
      retryBaseMs: webhooks.WEBHOOK_RETRY_BASE_SECONDS * 1000,
      timeoutMs: webhooks.WEBHOOK_TIMEOUT_SECONDS * 1000,
    },
    chat: chatSettings,
    embeddingModel: embeddings.EMBEDDING_MODEL,
    fetch: fetchSettingsFrom(fetch, fetch.problems),
    search: searchSettingsFrom(search),
    problems,
    warnings,
  };
}

// The env object is stable for an isolate's lifetime, so parsing (and the one start-up report) happens once.
const cache = new WeakMap<object, Config>();

export function getConfig(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env as unknown as Partial<Record<string, unknown>>);
    cache.set(env, config);
    for (const problem of config.problems) console.warn(`[config] ${problem}`);
    for (const warning of config.warnings) console.warn(`[config] ${warning}`);
  }
  return config;
}
