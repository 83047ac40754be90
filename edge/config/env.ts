import type { JobObject } from "../jobs/job-object";
import type { UserQueue } from "../queue/user-queue";
import type { ConnectionObject } from "../sockets/connection-object";

/** Bindings and variables of the Worker (wrangler.toml `[vars]`, secrets and bindings). */
export interface Env {
  DB: D1Database;
  JOBS: DurableObjectNamespace<JobObject>;
  QUEUES: DurableObjectNamespace<UserQueue>;
  CONNECTIONS: DurableObjectNamespace<ConnectionObject>;
  AUTH_PROVIDER?: string;
  SERVER_AUTH_TOKEN?: string;
  WORKER_AUTH_TOKEN?: string;
  SUPABASE_URL?: string;
  SUPABASE_JWT_SECRET?: string;
  MAX_BODY_BYTES?: string;
  SSE_KEEPALIVE_MS?: string;
  JOB_MAX_RUN_SECONDS?: string;
  JOB_LOG_RETENTION_SECONDS?: string;
  JOB_WATCHDOG_SECONDS?: string;
  MAX_CONCURRENT_JOBS_PER_USER?: string;
}
