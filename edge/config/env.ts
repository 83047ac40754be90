import type { JobObject } from "../jobs/job-object";

/** Bindings and variables of the Worker (wrangler.toml `[vars]`, secrets and bindings). */
export interface Env {
  DB: D1Database;
  JOBS: DurableObjectNamespace<JobObject>;
  AUTH_PROVIDER?: string;
  SERVER_AUTH_TOKEN?: string;
  WORKER_AUTH_TOKEN?: string;
  SUPABASE_URL?: string;
  SUPABASE_JWT_SECRET?: string;
  MAX_BODY_BYTES?: string;
  SSE_KEEPALIVE_MS?: string;
  JOB_MAX_RUN_SECONDS?: string;
}
