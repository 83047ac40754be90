import { z } from "zod";
import { DEFAULT_MAX_FILE_BYTES } from "../../engine/workspace/paths";
import { CHAT_SETTINGS } from "../../host/chat/settings";
import {
  checked,
  entries,
  flag,
  httpBaseUrl,
  parseUrl,
  positiveInteger,
  positiveNumber,
  positiveWholeNumber,
  type Setting,
  type SettingsShape,
  text,
  trimmedText,
  wholeNumber,
} from "../../host/config/env-settings";
import { RUNNER_SETTINGS } from "../../host/config/runner-settings";
import { SEARCH_SETTINGS } from "../../host/search/search-service";
import { FETCH_SETTINGS } from "../../host/web/config";
import type { Env } from "./env";

/**
 * Every variable of the Worker (docs/configuration.md), by the part of the Worker that uses it. Each group is
 * read with zod per variable (host/config/env-settings.ts), so one invalid value is one problem sentence, never
 * a crash; edge/config/config.ts assembles the typed settings. `npm start` forwards exactly these names
 * (scripts/start.mjs, checked by a test), and the type check below fails when env.ts and this list differ.
 */

export const AUTH_PROVIDERS = ["none", "local", "static", "supabase"] as const;
export type AuthProvider = (typeof AUTH_PROVIDERS)[number];

export { DEFAULT_GPU_RUNNER_TIMEOUT_SECONDS } from "../../host/config/runner-settings";
export const DEFAULT_MAX_MODEL_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
export const DEFAULT_TEMP_RETENTION_SECONDS = 86_400;
export const DEFAULT_CAPTURE_RETENTION_SECONDS = 86_400;
// Kept equal to edge/runners/media.ts, whose module reads them from the env itself today.
export const DEFAULT_INLINE_MEDIA_BYTES = 256 * 1024;
export const DEFAULT_BLOB_URL_TTL_SECONDS = 3600;

const authProvider = checked(
  z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(AUTH_PROVIDERS, { error: `must be one of ${AUTH_PROVIDERS.join(", ")}` })),
  "static" as AuthProvider,
);

/** A browser origin (scheme, host and port; no path), as `Origin` headers spell it. */
const Origin = z.string().transform((entry, ctx) => {
  const url = parseUrl(entry);
  if (url && url.origin !== "null" && (url.pathname === "/" || url.pathname === "") && !url.search && !url.hash) return url.origin;
  ctx.addIssue({ code: "custom", message: `CORS_ORIGINS entries must be origins like https://app.example.com (or *), got '${entry}'` });
  return z.NEVER;
});

/** CORS_ORIGINS: `*` (also when unset, or when any entry is `*`), or the valid origins listed. */
const corsOrigins: Setting<"*" | string[]> = {
  read(name, raw, problems) {
    const listed = (raw ?? "*").split(",").map((e) => e.trim());
    if (listed.every((e) => e === "") || listed.includes("*")) return "*";
    const origins = entries(Origin).read(name, raw, problems);
    return origins.length > 0 ? origins : "*";
  },
};

const publicBaseUrl = checked(
  z.string().transform((raw, ctx) => {
    const base = httpBaseUrl(raw);
    if (base !== null) return base;
    ctx.addIssue({ code: "custom", message: "must be an http(s) URL such as https://api.example.com (no query or credentials)" });
    return z.NEVER;
  }),
  null as string | null,
  "each request's origin",
);

const wsHeartbeatMs = checked(
  z
    .string()
    .transform(Number)
    .pipe(z.number({ error: "must be a positive number (0: off)" }).min(0, { error: "must be a positive number (0: off)" })),
  // NodeTool's runner pings every 25 s (NodeTool: unified-websocket-runner.ts startHeartbeat).
  25_000,
);

const limit = (fallback: number) => wholeNumber(fallback, 0, "must be a whole number (0: no limit)");

export const WORKER_SETTINGS = {
  auth: {
    AUTH_PROVIDER: authProvider,
    SERVER_AUTH_TOKEN: text(),
    WORKER_AUTH_TOKEN: text(),
    SUPABASE_URL: text(),
    SUPABASE_JWT_SECRET: text(),
  },
  requests: {
    MAX_BODY_BYTES: positiveNumber(5 * 1024 * 1024),
    // NodeTool documents nest a handful of levels; 64 leaves room and keeps every recursive walk shallow.
    MAX_JSON_DEPTH: positiveInteger(64),
    MAX_GRAPH_NODES: positiveInteger(5_000),
    MAX_GRAPH_EDGES: positiveInteger(20_000),
    CORS_ORIGINS: corsOrigins,
    SSE_KEEPALIVE_MS: positiveNumber(15_000),
    WS_HEARTBEAT_MS: wsHeartbeatMs,
  },
  jobs: {
    JOB_MAX_RUN_SECONDS: positiveNumber(3600),
    JOB_LOG_RETENTION_SECONDS: positiveNumber(86_400),
    JOB_WATCHDOG_SECONDS: positiveNumber(30),
    MAX_CONCURRENT_JOBS_PER_USER: positiveWholeNumber(32),
  },
  rateLimits: {
    KEY_REQUESTS_PER_MINUTE: limit(600),
    KEY_MAX_CONCURRENT_JOBS: limit(0),
    USER_REQUESTS_PER_MINUTE: limit(0),
    USER_MAX_CONCURRENT_JOBS: limit(0),
  },
  webhooks: {
    WEBHOOK_MAX_ATTEMPTS: positiveWholeNumber(8),
    WEBHOOK_RETRY_BASE_SECONDS: positiveNumber(10),
    WEBHOOK_TIMEOUT_SECONDS: positiveNumber(15),
  },
  chat: CHAT_SETTINGS,
  embeddings: {
    EMBEDDING_MODEL: trimmedText(),
  },
  storage: {
    MAX_UPLOAD_BYTES: positiveWholeNumber(DEFAULT_MAX_UPLOAD_BYTES),
    TEMP_RETENTION_SECONDS: positiveNumber(DEFAULT_TEMP_RETENTION_SECONDS),
    CAPTURE_RETENTION_SECONDS: positiveNumber(DEFAULT_CAPTURE_RETENTION_SECONDS),
    ALLOW_REMOTE_MEDIA_FETCH: flag(false),
    PUBLIC_BASE_URL: publicBaseUrl,
    WORKSPACE_MAX_FILE_BYTES: positiveWholeNumber(DEFAULT_MAX_FILE_BYTES),
  },
  fetch: FETCH_SETTINGS,
  search: SEARCH_SETTINGS,
  runners: {
    MAX_MODEL_BYTES: positiveWholeNumber(DEFAULT_MAX_MODEL_BYTES),
    ...RUNNER_SETTINGS,
    GPU_RUNNER_INLINE_MEDIA_BYTES: wholeNumber(DEFAULT_INLINE_MEDIA_BYTES, 0),
    GPU_RUNNER_BLOB_URL_TTL_SECONDS: wholeNumber(DEFAULT_BLOB_URL_TTL_SECONDS, 10),
  },
} satisfies Record<string, SettingsShape>;

type Groups = typeof WORKER_SETTINGS;
type VariableName = { [G in keyof Groups]: keyof Groups[G] }[keyof Groups];

/** Every variable the Worker reads, in the order of the groups above. */
export const WORKER_VARIABLES = Object.values(WORKER_SETTINGS).flatMap((group) => Object.keys(group)) as VariableName[];

// env.ts declares the variables the code may read; the schema must read exactly those.
type EnvVariable = { [K in keyof Env]-?: NonNullable<Env[K]> extends string ? K : never }[keyof Env];
type Missing = Exclude<EnvVariable, VariableName>;
type Unknown = Exclude<VariableName, EnvVariable>;
const exact: [Missing, Unknown] extends [never, never] ? true : { missing: Missing; unknown: Unknown } = true;
void exact;
