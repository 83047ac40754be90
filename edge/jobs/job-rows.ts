import { and, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import { jobs, workflows, type JobRow, type WorkflowRow } from "../../schema/tables";
import type { Db } from "../db/client";
import { decodeCursor, encodeCursor } from "../db/cursor";
import { toJsonData } from "../streaming/wire";

export interface NewJobRow {
  id: string;
  user_id: string;
  workflow_id: string | null;
  params: Record<string, unknown>;
  idempotency_key?: string;
  request_hash?: string;
}

/**
 * Inserts a job row, or finds the row that already holds its id or idempotency key. Most jobs start at
 * once, so the row is born `running` (one D1 write fewer on every run); a job that has to wait flips it
 * to `queued`. Returns null when the row was inserted.
 */
export async function insertJobOrFindExisting(db: Db, row: NewJobRow): Promise<JobRow | null> {
  const now = new Date().toISOString();
  const inserted = await db
    .insert(jobs)
    .values({ ...row, status: "running", created_at: now, started_at: now, attempts: 1 })
    .onConflictDoNothing()
    .returning({ id: jobs.id });
  if (inserted.length > 0) return null;
  return findExisting(db, row);
}

/**
 * The run routes' hot path in one D1 round trip: reads the caller's workflow and, only if it exists,
 * inserts the job row (as `insertJobOrFindExisting` does). `workflow` is undefined for an unknown or foreign
 * workflow; `existing` is the row that already held the id or key, if any.
 */
export async function insertJobForSavedWorkflow(
  db: Db,
  row: NewJobRow & { workflow_id: string },
): Promise<{ workflow: WorkflowRow | undefined; existing: JobRow | null }> {
  const now = new Date().toISOString();
  const ownWorkflow = and(eq(workflows.id, row.workflow_id), eq(workflows.user_id, row.user_id));
  const [found, inserted] = await db.batch([
    db.select().from(workflows).where(ownWorkflow),
    db
      .insert(jobs)
      .select((qb) =>
        qb
          .select({
            id: sql`${row.id}`.as("id"),
            user_id: workflows.user_id,
            workflow_id: workflows.id,
            status: sql`'running'`.as("status"),
            params: sql`${JSON.stringify(row.params)}`.as("params"),
            result: sql`NULL`.as("result"),
            outputs: sql`NULL`.as("outputs"),
            error: sql`NULL`.as("error"),
            created_at: sql`${now}`.as("created_at"),
            started_at: sql`${now}`.as("started_at"),
            finished_at: sql`NULL`.as("finished_at"),
            duration: sql`NULL`.as("duration"),
            attempts: sql`1`.as("attempts"),
            last_seq: sql`NULL`.as("last_seq"),
            idempotency_key: sql`${row.idempotency_key ?? null}`.as("idempotency_key"),
            request_hash: sql`${row.request_hash ?? null}`.as("request_hash"),
          })
          .from(workflows)
          .where(ownWorkflow),
      )
      .onConflictDoNothing()
      .returning({ id: jobs.id }),
  ]);
  const workflow = found[0];
  if (!workflow || inserted.length > 0) return { workflow, existing: null };
  return { workflow, existing: await findExisting(db, row) };
}

async function findExisting(db: Db, row: NewJobRow): Promise<JobRow | null> {
  const byKey =
    row.idempotency_key !== undefined
      ? await db.query.jobs.findFirst({ where: and(eq(jobs.user_id, row.user_id), eq(jobs.idempotency_key, row.idempotency_key)) })
      : undefined;
  return byKey ?? (await db.query.jobs.findFirst({ where: eq(jobs.id, row.id) })) ?? null;
}

/** Removes the row of a job that never started (its request failed validation after the row was written). */
export async function deleteUnstartedJob(db: Db, id: string): Promise<void> {
  await db.delete(jobs).where(eq(jobs.id, id));
}

/** Frees an idempotency key whose window has passed, so it can name a new job. */
export async function releaseIdempotencyKey(db: Db, jobId: string): Promise<void> {
  await db.update(jobs).set({ idempotency_key: null }).where(eq(jobs.id, jobId));
}

export async function findJob(db: Db, userId: string, id: string): Promise<JobRow | undefined> {
  return db.query.jobs.findFirst({ where: and(eq(jobs.id, id), eq(jobs.user_id, userId)) });
}

/** The user's jobs whose rows say `running`: the queue's running set after a restart. */
export async function runningJobIds(db: Db, userId: string): Promise<string[]> {
  const rows = await db.select({ id: jobs.id }).from(jobs).where(and(eq(jobs.user_id, userId), eq(jobs.status, "running")));
  return rows.map((r) => r.id);
}

export async function markJobQueued(db: Db, id: string): Promise<void> {
  await db.update(jobs).set({ status: "queued", started_at: null }).where(eq(jobs.id, id));
}

export async function markJobRunning(db: Db, id: string, startedMs: number): Promise<void> {
  await db
    .update(jobs)
    .set({ status: "running", started_at: new Date(startedMs).toISOString() })
    .where(eq(jobs.id, id));
}

export async function markJobFinished(
  db: Db,
  id: string,
  fields: {
    status: string;
    result: Record<string, unknown> | null;
    outputs: Record<string, unknown[]>;
    error: string | null;
    duration: number;
    last_seq: number;
  },
): Promise<void> {
  await db
    .update(jobs)
    .set({ ...fields, result: toJsonData(fields.result), outputs: toJsonData(fields.outputs), finished_at: new Date().toISOString() })
    .where(eq(jobs.id, id));
}

/** The user's jobs, newest first, keyset-paginated over `(created_at, id)`. */
export async function listJobs(
  db: Db,
  userId: string,
  opts: { limit: number; cursor?: string; workflowId?: string; status?: string },
): Promise<{ rows: JobRow[]; next: string | null }> {
  const conditions = [eq(jobs.user_id, userId)];
  if (opts.workflowId !== undefined) conditions.push(eq(jobs.workflow_id, opts.workflowId));
  if (opts.status !== undefined) conditions.push(eq(jobs.status, opts.status));
  if (opts.cursor !== undefined) {
    const c = decodeCursor(opts.cursor);
    conditions.push(or(lt(jobs.created_at, c.created_at), and(eq(jobs.created_at, c.created_at), lt(jobs.id, c.id)))!);
  }
  const rows = await db
    .select()
    .from(jobs)
    .where(and(...conditions))
    .orderBy(desc(jobs.created_at), desc(jobs.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > opts.limit && last ? encodeCursor(last) : null };
}

/** The user's queued and running jobs, newest first (bounded: a user holds few at once). */
export async function listActiveJobs(db: Db, userId: string): Promise<JobRow[]> {
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.user_id, userId), inArray(jobs.status, ["queued", "running"])))
    .orderBy(desc(jobs.created_at), desc(jobs.id))
    .limit(1000);
}
