import { eq } from "drizzle-orm";
import { jobs } from "../../schema/tables";
import type { Db } from "../db/client";

/** Writes to a job's D1 row; the Durable Object owns the row's status once the job has started. */
export async function insertJob(
  db: Db,
  row: { id: string; user_id: string; workflow_id: string | null; params: Record<string, unknown> },
): Promise<void> {
  await db.insert(jobs).values({ ...row, status: "queued", created_at: new Date().toISOString() });
}

export async function markJobRunning(db: Db, id: string, startedAt: string): Promise<void> {
  await db.update(jobs).set({ status: "running", started_at: startedAt, attempts: 1 }).where(eq(jobs.id, id));
}

export async function markJobFinished(
  db: Db,
  id: string,
  fields: { status: string; result: Record<string, unknown> | null; outputs: Record<string, unknown[]>; error: string | null; duration: number },
): Promise<void> {
  await db
    .update(jobs)
    .set({ ...fields, finished_at: new Date().toISOString() })
    .where(eq(jobs.id, id));
}
