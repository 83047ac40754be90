import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Workflows, one row each, owned by `user_id`. Unknown top-level fields of a NodeTool file live in `extra`. */
export const workflows = sqliteTable(
  "workflows",
  {
    id: text("id").primaryKey(),
    user_id: text("user_id").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
    access: text("access", { enum: ["private", "public"] }).notNull().default("private"),
    graph: text("graph", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    run_mode: text("run_mode"),
    extra: text("extra", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    created_at: text("created_at").notNull(),
    updated_at: text("updated_at").notNull(),
  },
  (t) => [index("workflows_user_created").on(t.user_id, t.created_at, t.id)],
);

/**
 * Jobs: one per run. The job's Durable Object writes the final status, result and outputs here, and the
 * `last_seq` of its event log, so a stream can still end correctly once the log has expired.
 * `idempotency_key` + `request_hash` make a repeated submission return the same job (unique per user).
 */
export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    user_id: text("user_id").notNull(),
    workflow_id: text("workflow_id"),
    status: text("status").notNull(),
    params: text("params", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    result: text("result", { mode: "json" }).$type<Record<string, unknown>>(),
    outputs: text("outputs", { mode: "json" }).$type<Record<string, unknown[]>>(),
    error: text("error"),
    created_at: text("created_at").notNull(),
    started_at: text("started_at"),
    finished_at: text("finished_at"),
    duration: real("duration"),
    attempts: integer("attempts").notNull().default(0),
    last_seq: integer("last_seq"),
    idempotency_key: text("idempotency_key"),
    request_hash: text("request_hash"),
  },
  (t) => [
    index("jobs_user_created").on(t.user_id, t.created_at, t.id),
    index("jobs_user_workflow").on(t.user_id, t.workflow_id),
    index("jobs_user_status").on(t.user_id, t.status),
    uniqueIndex("jobs_user_idempotency").on(t.user_id, t.idempotency_key),
  ],
);

/**
 * Assets: a user's files and folders (NodeTool's asset library). A file's bytes live in R2 under
 * `storage_key` (`assets/<owner>/<id>.<ext>`, see edge/storage/keys.ts); folders have no object. `parent_id`
 * is the folder an asset is filed under (null: the top level). `job_id`/`node_id` record the run that saved it.
 */
export const assets = sqliteTable(
  "assets",
  {
    id: text("id").primaryKey(),
    user_id: text("user_id").notNull(),
    parent_id: text("parent_id"),
    name: text("name").notNull(),
    content_type: text("content_type").notNull(),
    size: integer("size"),
    storage_key: text("storage_key"),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>(),
    workflow_id: text("workflow_id"),
    job_id: text("job_id"),
    node_id: text("node_id"),
    created_at: text("created_at").notNull(),
  },
  (t) => [
    index("assets_user_created").on(t.user_id, t.created_at, t.id),
    index("assets_user_parent").on(t.user_id, t.parent_id, t.created_at, t.id),
    index("assets_user_type").on(t.user_id, t.content_type),
  ],
);

export type WorkflowRow = typeof workflows.$inferSelect;
export type JobRow = typeof jobs.$inferSelect;
export type AssetRow = typeof assets.$inferSelect;

/**
 * API keys (docs/accounts.md). Only the SHA-256 of a key's secret is stored (`hash`), with its first
 * characters (`prefix`) for display. `limits` overrides the server's defaults for this key. A revoked key keeps
 * its row (and its usage) with `revoked_at` set.
 */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    user_id: text("user_id").notNull(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    limits: text("limits", { mode: "json" }).$type<{ requests_per_minute?: number; concurrent_jobs?: number }>().notNull(),
    /** `whsec_...`: signs webhooks of jobs the key starts. A signing key must be readable to sign with. */
    webhook_secret: text("webhook_secret").notNull(),
    created_at: text("created_at").notNull(),
    expires_at: text("expires_at"),
    revoked_at: text("revoked_at"),
    last_used_at: text("last_used_at"),
  },
  (t) => [uniqueIndex("api_keys_hash").on(t.hash), index("api_keys_user_created").on(t.user_id, t.created_at, t.id)],
);

/** A user's own webhook signing secret, for jobs not started with a key. */
export const webhookSecrets = sqliteTable("webhook_secrets", {
  user_id: text("user_id").primaryKey(),
  secret: text("secret").notNull(),
  created_at: text("created_at").notNull(),
});

/** One row per webhook delivery (one event of one job), updated after every attempt. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    job_id: text("job_id").notNull(),
    user_id: text("user_id").notNull(),
    event: text("event").notNull(),
    url: text("url").notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    last_status: integer("last_status"),
    last_error: text("last_error"),
    next_attempt_at: text("next_attempt_at"),
    created_at: text("created_at").notNull(),
    delivered_at: text("delivered_at"),
    history: text("history", { mode: "json" }).$type<{ at: string; status: number | null; error: string | null }[]>().notNull(),
  },
  (t) => [index("webhook_deliveries_job").on(t.job_id, t.created_at)],
);

/**
 * Usage, one row per finished job or proxied chat request, with the user, the key (null: not a key) and the
 * workflow it is counted under. `day` (YYYY-MM-DD, UTC) makes the daily grouping an index scan.
 */
export const usageRecords = sqliteTable(
  "usage_records",
  {
    id: text("id").primaryKey(),
    user_id: text("user_id").notNull(),
    key_id: text("key_id"),
    workflow_id: text("workflow_id"),
    job_id: text("job_id"),
    kind: text("kind", { enum: ["job", "chat"] }).notNull(),
    created_at: text("created_at").notNull(),
    day: text("day").notNull(),
    jobs: integer("jobs").notNull().default(0),
    node_seconds: real("node_seconds").notNull().default(0),
    runner_seconds: real("runner_seconds").notNull().default(0),
    chat_requests: integer("chat_requests").notNull().default(0),
    tokens_in: integer("tokens_in").notNull().default(0),
    tokens_out: integer("tokens_out").notNull().default(0),
  },
  (t) => [index("usage_user_created").on(t.user_id, t.created_at), index("usage_user_key").on(t.user_id, t.key_id, t.created_at)],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
