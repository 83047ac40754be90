import { eq } from "drizzle-orm";
import { jobs } from "../../schema/tables";
import type { Db } from "../db/client";

/**
 * Writes to a job's D1 row. A job starts the moment its row exists (there is no queue yet), so the row is
 * born `running`: one D1 write fewer on every run's critical path. The Durable Object writes the outcome.
 */
export async function insertJob(
  db: Db,
  row: { id: string; user_id: string; workflow_id: string | null; params: Record<string, unknown> },
): Promise<void> {
  const now = new Date().toISOString();
  await db.insert(jobs).values({ ...row, status: "running", created_at: now, started_at: now, attempts: 1 });
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
