import { and, asc, eq } from "drizzle-orm";
import type { WebhookDelivery, WebhookEvent } from "../../schema/accounts";
import { webhookDeliveries, type WebhookDeliveryRow } from "../../schema/tables";
import type { Db } from "../db/client";

// The attempts kept in a delivery's history (the count goes on past it).
const MAX_HISTORY = 30;

export function presentDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    job_id: row.job_id,
    event: row.event as WebhookEvent,
    url: row.url,
    status: row.status as WebhookDelivery["status"],
    attempts: row.attempts,
    last_status: row.last_status,
    last_error: row.last_error,
    next_attempt_at: row.next_attempt_at,
    created_at: row.created_at,
    delivered_at: row.delivered_at,
    history: row.history,
  };
}

export async function insertDelivery(db: Db, row: { id: string; job_id: string; user_id: string; event: string; url: string; status: string; last_error?: string | null }): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insert(webhookDeliveries)
    .values({ ...row, attempts: 0, created_at: now, next_attempt_at: row.status === "pending" ? now : null, history: [] })
    .onConflictDoNothing();
}

export interface AttemptRecord {
  status: "pending" | "delivered" | "failed";
  attempts: number;
  httpStatus: number | null;
  error: string | null;
  at: Date;
  nextAt: Date | null;
}

export async function recordAttempt(db: Db, id: string, a: AttemptRecord): Promise<void> {
  const [row] = await db.select({ history: webhookDeliveries.history }).from(webhookDeliveries).where(eq(webhookDeliveries.id, id)).limit(1);
  const history = [...(row?.history ?? []), { at: a.at.toISOString(), status: a.httpStatus, error: a.error }].slice(-MAX_HISTORY);
  await db
    .update(webhookDeliveries)
    .set({
      status: a.status,
      attempts: a.attempts,
      last_status: a.httpStatus,
      last_error: a.error,
      next_attempt_at: a.nextAt ? a.nextAt.toISOString() : null,
      ...(a.status === "delivered" ? { delivered_at: a.at.toISOString() } : {}),
      history,
    })
    .where(eq(webhookDeliveries.id, id));
}

export async function listDeliveries(db: Db, userId: string, jobId: string): Promise<WebhookDeliveryRow[]> {
  return db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.job_id, jobId), eq(webhookDeliveries.user_id, userId)))
    .orderBy(asc(webhookDeliveries.created_at), asc(webhookDeliveries.id))
    .limit(500);
}
