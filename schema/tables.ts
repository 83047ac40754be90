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
