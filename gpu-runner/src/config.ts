import { availableParallelism } from "node:os";
import path from "node:path";
import { z } from "zod";

/**
 * The runner's whole configuration, read from the environment once at start (README "gpu-runner"). A missing
 * token or an invalid value stops the runner with one message naming every problem: a runner that serves
 * with a setting silently replaced by a default is harder to debug than one that refuses to start.
 */

export const EXECUTION_PROVIDERS = ["cpu", "cuda"] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** Dynamic batching of one model: up to `max_batch_size` rows per run, waiting at most `max_wait_ms` to fill it. */
export const BatchSettingsSchema = z.object({
  max_batch_size: z.number().int().min(1).max(4096),
  max_wait_ms: z.number().min(0).max(10_000),
});
export type BatchSettings = z.infer<typeof BatchSettingsSchema>;

/** What batching does when GPU_RUNNER_BATCHING does not name a model: on, greedy, for batchable models. */
export const DEFAULT_BATCHING: BatchSettings = { max_batch_size: 32, max_wait_ms: 2 };

/**
 * GPU_RUNNER_BATCHING: JSON object from a model id (sha256), name, key or "*" to settings or `false` (off for
 * that model). "off"/"false" switches batching off everywhere. Entries are merged over `{"*": DEFAULT_BATCHING}`.
 */
const BatchingTableSchema = z.record(z.string().min(1), z.union([BatchSettingsSchema, z.literal(false), z.null()]));
export type BatchingTable = Record<string, BatchSettings | null>;

const BatchingEnvSchema = z
  .string()
  .optional()
  .transform((raw, ctx): BatchingTable => {
    const text = raw?.trim() ?? "";
    if (text === "" || text === "on" || text === "true") return { "*": DEFAULT_BATCHING };
    if (text === "off" || text === "false") return { "*": null };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: "custom", message: `must be JSON like {"*": {"max_batch_size": 32, "max_wait_ms": 2}} or "off"` });
      return z.NEVER;
    }
    const parsed = BatchingTableSchema.safeParse(json);
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: `invalid: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}` });
      return z.NEVER;
    }
    const table: BatchingTable = { "*": DEFAULT_BATCHING };
    for (const [model, settings] of Object.entries(parsed.data)) table[model] = settings === false ? null : settings;
    return table;
  });

const ProvidersEnvSchema = z
  .string()
  .optional()
  .transform((raw, ctx): ExecutionProvider[] => {
    const names = (raw ?? "cpu")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    const unknown = names.filter((n) => !(EXECUTION_PROVIDERS as readonly string[]).includes(n));
    if (unknown.length || names.length === 0) {
      ctx.addIssue({ code: "custom", message: `must be a comma-separated list of ${EXECUTION_PROVIDERS.join(", ")} (got '${raw}')` });
      return z.NEVER;
    }
    // CPU always ends the list: onnxruntime assigns the nodes a GPU provider cannot run to the next provider.
    return [...new Set([...names, "cpu"])] as ExecutionProvider[];
  });

const intFromEnv = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw.trim() === "" ? fallback : Number(raw.trim())))
    .pipe(z.number({ error: (issue) => (issue.code === "invalid_type" ? "must be a whole number" : undefined) }).int().min(min).max(max));

/** A whole number whose default depends on other settings: undefined when not set. */
const optionalIntFromEnv = (min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw.trim() === "" ? undefined : Number(raw.trim())))
    .pipe(z.number({ error: (issue) => (issue.code === "invalid_type" ? "must be a whole number" : undefined) }).int().min(min).max(max).optional());

/**
 * On CPU, one worker per core but one (the HTTP thread's). With CUDA, two: the GPU runs one kernel stream at a
 * time anyway, a second worker overlaps pre- and post-processing with it, and every worker holds its own copy
 * of each model in GPU memory.
 */
export const defaultWorkers = (providers: ExecutionProvider[]) => (providers[0] === "cuda" ? 2 : Math.max(1, availableParallelism() - 1));

export const EnvSchema = z.object({
  GPU_RUNNER_TOKEN: z.string({ error: "is required: the shared bearer token the edge sends (set the same value as the edge's GPU_RUNNER_TOKEN)" }).trim().min(1, "must not be empty"),
  GPU_RUNNER_HOST: z.string().trim().min(1).default("127.0.0.1"),
  GPU_RUNNER_PORT: intFromEnv(8788, 0, 65535),
  EDGE_URL: z
    .url()
    .default("http://127.0.0.1:8787")
    .transform((u) => u.replace(/\/+$/, "")),
  MODEL_CACHE_DIR: z.string().trim().min(1).optional(),
  GPU_RUNNER_WORKERS: optionalIntFromEnv(1, 256),
  GPU_RUNNER_PROVIDERS: ProvidersEnvSchema,
  GPU_RUNNER_SESSION_CACHE_BYTES: intFromEnv(1024 ** 3, 1),
  GPU_RUNNER_BATCHING: BatchingEnvSchema,
  GPU_RUNNER_INTRA_OP_THREADS: intFromEnv(1, 0, 256),
  GPU_RUNNER_MAX_BODY_BYTES: intFromEnv(64 * 1024 ** 2, 1024),
  GPU_RUNNER_HEARTBEAT_MS: intFromEnv(1000, 10, 600_000),
  GPU_RUNNER_MAX_QUEUE: intFromEnv(1000, 1),
  GPU_RUNNER_MODEL_FETCH_TIMEOUT_MS: intFromEnv(300_000, 100),
  GPU_RUNNER_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  GPU_RUNNER_MEDIA_BY_REFERENCE: z.enum(["auto", "off"]).default("auto"),
  GPU_RUNNER_FFMPEG: z.string().trim().min(1).optional(),
});

export interface RunnerConfig {
  token: string;
  host: string;
  /** 0 picks a free port (tests); the real one is logged in the `listening` line. */
  port: number;
  edgeUrl: string;
  modelCacheDir: string;
  workers: number;
  /** Providers sessions are created with, in preference order, always ending with "cpu". */
  providers: ExecutionProvider[];
  sessionCacheBytes: number;
  batching: BatchingTable;
  /** onnxruntime intra-op threads per session (0: onnxruntime's default, one per core). */
  intraOpThreads: number;
  maxBodyBytes: number;
  heartbeatMs: number;
  /** Requests waiting per model before new ones are refused with 503 overloaded. */
  maxQueue: number;
  modelFetchTimeoutMs: number;
  logLevel: "debug" | "info" | "warn" | "error";
  /** `auto`: take media by reference once EDGE_URL answers the blob check (gpu-runner/src/blobs); false: always inline. */
  mediaByReference?: boolean;
  /** Another ffmpeg for the audio and video kernels; unset: the @ffmpeg-installer binary. */
  ffmpegPath?: string;
}

/** Thrown when the environment cannot make a runner; `message` lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`gpu-runner configuration is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): RunnerConfig {
  // Empty strings mean "not set", as in a .env file with `NAME=`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`));
  }
  const e = parsed.data;
  return {
    token: e.GPU_RUNNER_TOKEN,
    host: e.GPU_RUNNER_HOST,
    port: e.GPU_RUNNER_PORT,
    edgeUrl: e.EDGE_URL,
    modelCacheDir: path.resolve(cwd, e.MODEL_CACHE_DIR ?? ".gpu-runner-cache"),
    workers: e.GPU_RUNNER_WORKERS ?? defaultWorkers(e.GPU_RUNNER_PROVIDERS),
    providers: e.GPU_RUNNER_PROVIDERS,
    sessionCacheBytes: e.GPU_RUNNER_SESSION_CACHE_BYTES,
    batching: e.GPU_RUNNER_BATCHING,
    intraOpThreads: e.GPU_RUNNER_INTRA_OP_THREADS,
    maxBodyBytes: e.GPU_RUNNER_MAX_BODY_BYTES,
    heartbeatMs: e.GPU_RUNNER_HEARTBEAT_MS,
    maxQueue: e.GPU_RUNNER_MAX_QUEUE,
    modelFetchTimeoutMs: e.GPU_RUNNER_MODEL_FETCH_TIMEOUT_MS,
    logLevel: e.GPU_RUNNER_LOG_LEVEL,
    mediaByReference: e.GPU_RUNNER_MEDIA_BY_REFERENCE === "auto",
    ffmpegPath: e.GPU_RUNNER_FFMPEG,
  };
}

/** The effective configuration as one log line's fields, without the token. */
export function describeConfig(c: RunnerConfig): Record<string, unknown> {
  return {
    host: c.host,
    port: c.port,
    edge_url: c.edgeUrl,
    model_cache_dir: c.modelCacheDir,
    workers: c.workers,
    providers: c.providers.join(","),
    session_cache_bytes: c.sessionCacheBytes,
    batching: JSON.stringify(c.batching),
    intra_op_threads: c.intraOpThreads,
    max_body_bytes: c.maxBodyBytes,
    heartbeat_ms: c.heartbeatMs,
    max_queue: c.maxQueue,
    model_fetch_timeout_ms: c.modelFetchTimeoutMs,
    log_level: c.logLevel,
    media_by_reference: c.mediaByReference === false ? "off" : "auto",
    token: "(set)",
  };
}
