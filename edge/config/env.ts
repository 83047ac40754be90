import type { JobObject } from "../jobs/job-object";
import type { UserQueue } from "../queue/user-queue";
import type { ConnectionObject } from "../sockets/connection-object";

/** Bindings and variables of the Worker (wrangler.toml `[vars]`, secrets and bindings). */
export interface Env {
  DB: D1Database;
  JOBS: DurableObjectNamespace<JobObject>;
  QUEUES: DurableObjectNamespace<UserQueue>;
  CONNECTIONS: DurableObjectNamespace<ConnectionObject>;
  /** R2: `assets/` and `temp/` objects (DESIGN.md section 8). */
  STORAGE: R2Bucket;
  AUTH_PROVIDER?: string;
  SERVER_AUTH_TOKEN?: string;
  WORKER_AUTH_TOKEN?: string;
  SUPABASE_URL?: string;
  SUPABASE_JWT_SECRET?: string;
  MAX_BODY_BYTES?: string;
  /** Browser origins allowed to read responses: `*` (default) or a comma-separated list of origins. */
  CORS_ORIGINS?: string;
  SSE_KEEPALIVE_MS?: string;
  JOB_MAX_RUN_SECONDS?: string;
  JOB_LOG_RETENTION_SECONDS?: string;
  JOB_WATCHDOG_SECONDS?: string;
  MAX_CONCURRENT_JOBS_PER_USER?: string;
  // Chat proxy and LLM nodes (edge/chat): parsed by their own module.
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
  CHAT_PROVIDERS?: string;
  CHAT_DEFAULT_MODEL?: string;
  CHAT_MODEL_ALIASES?: string;
  CHAT_UPSTREAM_TIMEOUT_SECONDS?: string;
  // Storage and media (edge/storage): parsed by their own module.
  MAX_UPLOAD_BYTES?: string;
  TEMP_RETENTION_SECONDS?: string;
  ALLOW_REMOTE_MEDIA_FETCH?: string;
  // Model files (edge/models) and the gpu-runner pool (edge/runners): parsed by edge/config/config.ts.
  MAX_MODEL_BYTES?: string;
  GPU_RUNNER_URLS?: string;
  GPU_RUNNER_TOKEN?: string;
  GPU_RUNNER_TIMEOUT_SECONDS?: string;
}
