import type { WebhookEvent } from "../../schema/accounts";
import { getConfig } from "../config/config";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { guardedFetch, remoteUrlProblem } from "../../host/web/remote";
import { newId } from "../workflows/repository";
import { backoffMs, webhookSettings } from "./config";
import { insertDelivery, recordAttempt } from "./deliveries";
import { webhookHeaders } from "./sign";

/** Where a job's events go, as its Durable Object keeps it (the secret included: it signs every attempt). */
export interface WebhookTarget {
  url: string;
  events: WebhookEvent[];
  secret: string;
}

// Bounds on what one job can make the server send.
const MAX_OUTPUT_DELIVERIES = 100;
const MAX_BODY_CHARS = 256 * 1024;

class WebhookRefused extends Error {}

/**
 * A job's webhook deliveries, in its Durable Object's SQLite: each event is written here before it is first
 * sent, and stays until a 2xx answer is recorded, so a delivery survives a crash or an eviction (at least
 * once; a receiver dedupes by `webhook-id`). Retries wait exponentially longer; the job's alarm brings them
 * back (see JobObject.alarm). Every attempt is also recorded in D1 for `GET /api/jobs/{id}/webhooks`.
 */
export class WebhookOutbox {
  private readonly inflight = new Set<string>();
  /** The target row, read once per instance (undefined: not read yet). */
  private cached: { job_id: string; user_id: string; target: WebhookTarget } | null | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
  ) {}

  private exists(): boolean {
    return this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'webhook_outbox'").toArray().length > 0;
  }

  configure(jobId: string, userId: string, target: WebhookTarget): void {
    this.sql.exec("CREATE TABLE IF NOT EXISTS webhook_target (job_id TEXT NOT NULL, user_id TEXT NOT NULL, target TEXT NOT NULL)");
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS webhook_outbox (id TEXT PRIMARY KEY, event TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL, next_at INTEGER NOT NULL)",
    );
    this.sql.exec("DELETE FROM webhook_target");
    this.sql.exec("INSERT INTO webhook_target (job_id, user_id, target) VALUES (?, ?, ?)", jobId, userId, JSON.stringify(target));
    this.cached = { job_id: jobId, user_id: userId, target };
  }

  /** After the object's storage was deleted. */
  forget(): void {
    this.cached = null;
  }

  private target(): { job_id: string; user_id: string; target: WebhookTarget } | null {
    if (this.cached !== undefined) return this.cached;
    if (!this.exists()) return (this.cached = null);
    const row = this.sql.exec<{ job_id: string; user_id: string; target: string }>("SELECT job_id, user_id, target FROM webhook_target").toArray()[0];
    return (this.cached = row ? { job_id: row.job_id, user_id: row.user_id, target: JSON.parse(row.target) as WebhookTarget } : null);
  }

  /** Whether the job has a webhook that wants this event (cheap: called for every output). */
  wants(event: WebhookEvent): boolean {
    return this.target()?.target.events.includes(event) ?? false;
  }

  /** Records one event for delivery; its first attempt is up to the caller (`deliverDue`). */
  async enqueue(event: WebhookEvent, data: Record<string, unknown>): Promise<void> {
    const t = this.target();
    if (!t?.target.events.includes(event)) return;
    if (event === "output" && this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM webhook_outbox WHERE event = 'output'").one().n >= MAX_OUTPUT_DELIVERIES) return;
    const id = `msg_${newId()}`;
    const now = Date.now();
    let body = JSON.stringify({ type: `job.${event}`, timestamp: new Date(now).toISOString(), data });
    if (body.length > MAX_BODY_CHARS) {
      body = JSON.stringify({ type: `job.${event}`, timestamp: new Date(now).toISOString(), data: { ...data, value: null, result: null, truncated: true } });
    }
    const problem = this.problem(t.target.url);
    await insertDelivery(db(this.env.DB), {
      id,
      job_id: t.job_id,
      user_id: t.user_id,
      event,
      url: t.target.url,
      status: problem ? "refused" : "pending",
      last_error: problem,
    }).catch((err) => console.error(`[webhooks] could not record delivery ${id}`, err));
    if (problem) return;
    this.sql.exec("INSERT INTO webhook_outbox (id, event, body, attempts, next_at) VALUES (?, ?, ?, 0, ?)", id, event, body, now);
  }

  private problem(url: string): string | null {
    try {
      const p = remoteUrlProblem(new URL(url), getConfig(this.env).fetch.allowed);
      return p ? `refused: ${p}` : null;
    } catch {
      return "refused: not a valid URL";
    }
  }

  /** When the next retry is due (epoch ms), or null when nothing waits. */
  nextDueMs(): number | null {
    if (!this.target()) return null;
    return this.sql.exec<{ t: number | null }>("SELECT MIN(next_at) AS t FROM webhook_outbox").one().t ?? null;
  }

  /** Attempts every delivery that is due; failures are scheduled again, or given up after the last attempt. */
  async deliverDue(now = Date.now()): Promise<void> {
    const t = this.target();
    if (!t) return;
    const due = this.sql
      .exec<{ id: string; body: string; attempts: number }>("SELECT id, body, attempts FROM webhook_outbox WHERE next_at <= ? ORDER BY next_at, id", now)
      .toArray();
    // One at a time, in order: a receiver sees a job's events in the order they happened, retries aside.
    for (const row of due) {
      if (this.inflight.has(row.id)) continue;
      this.inflight.add(row.id);
      try {
        await this.attempt(t.target, row);
      } finally {
        this.inflight.delete(row.id);
      }
    }
  }

  private async attempt(target: WebhookTarget, row: { id: string; body: string; attempts: number }): Promise<void> {
    const settings = webhookSettings(this.env);
    const attempts = row.attempts + 1;
    const at = new Date();
    let httpStatus: number | null = null;
    let error: string | null = null;
    let refused = false;
    try {
      const headers = await webhookHeaders(target.secret, row.id, row.body, at.getTime());
      const { response } = await guardedFetch(
        target.url,
        { method: "POST", headers, body: row.body },
        {
          allowed: getConfig(this.env).fetch.allowed,
          maxRedirects: 0,
          signal: AbortSignal.timeout(settings.timeoutMs),
          fail: (message, reason) => (reason === "refused" ? new WebhookRefused(message) : new Error(`the receiver answered with a redirect, which webhooks do not follow`)),
        },
      );
      httpStatus = response.status;
      await response.body?.cancel().catch(() => {});
      if (!response.ok) error = `the receiver answered ${response.status}`;
    } catch (err) {
      refused = err instanceof WebhookRefused;
      error = err instanceof Error ? err.message : String(err);
    }
    const delivered = error === null;
    const giveUp = !delivered && (refused || attempts >= settings.maxAttempts);
    const nextAt = delivered || giveUp ? null : new Date(at.getTime() + backoffMs(settings, attempts));
    if (delivered || giveUp) this.sql.exec("DELETE FROM webhook_outbox WHERE id = ?", row.id);
    else this.sql.exec("UPDATE webhook_outbox SET attempts = ?, next_at = ? WHERE id = ?", attempts, nextAt!.getTime(), row.id);
    await recordAttempt(db(this.env.DB), row.id, {
      status: delivered ? "delivered" : giveUp ? "failed" : "pending",
      attempts,
      httpStatus,
      error,
      at,
      nextAt,
    }).catch((err) => console.error(`[webhooks] could not record an attempt of ${row.id}`, err));
  }
}
