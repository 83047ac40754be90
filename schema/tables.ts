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

export type WorkflowRow = typeof workflows.$inferSelect;
export type JobRow = typeof jobs.$inferSelect;
