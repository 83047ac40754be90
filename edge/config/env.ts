import type { JobObject } from "../jobs/job-object";
import type { UserQueue } from "../queue/user-queue";
import type { RateLimiter } from "../ratelimit/limiter";
import type { ConnectionObject } from "../sockets/connection-object";
import type { UserDatabase } from "../sqlite/user-database";
import type { VectorCollection } from "../vectors/vector-collection";
import type { ChatThreads } from "../threads/chat-threads";

/**
 * Bindings and variables of the Worker (wrangler.toml `[vars]`, secrets and bindings). The variables are raw
 * strings: edge/config/schema.ts reads each of them (the type check there fails when the two lists differ) and
 * getConfig (edge/config/config.ts) hands the typed settings to the rest of the Worker.
 */
export interface Env {
  DB: D1Database;
  JOBS: DurableObjectNamespace<JobObject>;
  QUEUES: DurableObjectNamespace<UserQueue>;
  CONNECTIONS: DurableObjectNamespace<ConnectionObject>;
  /** One SQLite database per (user, database name): the lib.sqlite nodes (edge/sqlite/user-database.ts). */
  USER_DATABASES: DurableObjectNamespace<UserDatabase>;
  /** One vector collection per (user, collection name): the vector.* nodes (edge/vectors/vector-collection.ts). */
  VECTORS: DurableObjectNamespace<VectorCollection>;
  /** One per user: request windows and job slots of the user and their API keys (edge/ratelimit/limiter.ts). */
  LIMITERS: DurableObjectNamespace<RateLimiter>;
  /** One per user: chat threads and their messages (edge/threads/chat-threads.ts). */
  CHAT_THREADS: DurableObjectNamespace<ChatThreads>;
  /** R2: `assets/` and `temp/` objects (docs/architecture.md#8-storage-assets-models-and-per-user-state). */
  STORAGE: R2Bucket;
  AUTH_PROVIDER?: string;
  SERVER_AUTH_TOKEN?: string;
  WORKER_AUTH_TOKEN?: string;
  SUPABASE_URL?: string;
  SUPABASE_JWT_SECRET?: string;
  MAX_BODY_BYTES?: string;
  // Request bounds besides MAX_BODY_BYTES (edge/limits).
  MAX_JSON_DEPTH?: string;
  MAX_GRAPH_NODES?: string;
  MAX_GRAPH_EDGES?: string;
  /** Browser origins allowed to read responses: `*` (default) or a comma-separated list of origins. */
  CORS_ORIGINS?: string;
  /** Absolute base of the media URLs the API hands out (edge/storage/public-base.ts); else each request's origin. */
  PUBLIC_BASE_URL?: string;
  SSE_KEEPALIVE_MS?: string;
  /** Interval of the server's `{type: "ping"}` heartbeat on idle WebSockets, in ms; "0" turns it off. */
  WS_HEARTBEAT_MS?: string;
  JOB_MAX_RUN_SECONDS?: string;
  JOB_LOG_RETENTION_SECONDS?: string;
  JOB_WATCHDOG_SECONDS?: string;
  MAX_CONCURRENT_JOBS_PER_USER?: string;
  // Chat proxy and LLM nodes (edge/chat; read by host/chat/settings.ts).
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
  CHAT_PROVIDERS?: string;
  CHAT_DEFAULT_MODEL?: string;
  CHAT_MODEL_ALIASES?: string;
  CHAT_UPSTREAM_TIMEOUT_SECONDS?: string;
  // Storage and media (edge/storage).
  MAX_UPLOAD_BYTES?: string;
  TEMP_RETENTION_SECONDS?: string;
  /** How long captured run outputs (record_outputs) live, in seconds (default 86400): edge/execution/capture-store.ts. */
  CAPTURE_RETENTION_SECONDS?: string;
  ALLOW_REMOTE_MEDIA_FETCH?: string;
  // Model files (edge/models) and the gpu-runner pool (edge/runners; read by host/config/runner-settings.ts).
  MAX_MODEL_BYTES?: string;
  GPU_RUNNER_URLS?: string;
  GPU_RUNNER_TOKEN?: string;
  GPU_RUNNER_TIMEOUT_SECONDS?: string;
  /** Media by reference (edge/runners/media.ts): the inline size limit and the signed URLs' lifetime. */
  GPU_RUNNER_INLINE_MEDIA_BYTES?: string;
  GPU_RUNNER_BLOB_URL_TTL_SECONDS?: string;
  /** Largest file one workspace write accepts (bytes; default 25 MiB): edge/workspace/r2-workspace.ts. */
  WORKSPACE_MAX_FILE_BYTES?: string;
  /** The embedding model of vector collections that name none (default text-embedding-3-small). */
  EMBEDDING_MODEL?: string;
  // Outbound HTTP of the web nodes and web search (read by host/web/config.ts and host/search/search-service.ts).
  FETCH_ALLOW_HOSTS?: string;
  FETCH_MAX_BYTES?: string;
  FETCH_TIMEOUT_SECONDS?: string;
  SEARCH_API_BASE_URL?: string;
  SEARCH_API_KEY?: string;
  // API keys' and users' limits (edge/ratelimit/config.ts) and webhook delivery (edge/webhooks/config.ts).
  KEY_REQUESTS_PER_MINUTE?: string;
  KEY_MAX_CONCURRENT_JOBS?: string;
  USER_REQUESTS_PER_MINUTE?: string;
  USER_MAX_CONCURRENT_JOBS?: string;
  WEBHOOK_MAX_ATTEMPTS?: string;
  WEBHOOK_RETRY_BASE_SECONDS?: string;
  WEBHOOK_TIMEOUT_SECONDS?: string;
}
