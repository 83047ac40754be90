import { DurableObject } from "cloudflare:workers";
import { getConfig } from "../config/config";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { runningJobIds } from "../jobs/job-rows";
import { acceptUpdatesSocket, onUpdatesMessage, publishJobUpdate } from "../updates/publisher";

// A release lost to a crash would hold a slot forever; the sweep bounds that to this long.
const SWEEP_INTERVAL_MS = 60_000;
// Released job ids are remembered until D1 stops listing them as running; this bounds the table regardless.
const MAX_REMEMBERED_RELEASES = 10_000;

export type Admission = { admitted: true } | { admitted: false; position: number };

/**
 * One per user: how many of the user's jobs run at once (MAX_CONCURRENT_JOBS_PER_USER). Jobs over the
 * limit wait in submission order and are started here as running ones finish. Every call is idempotent,
 * so a job's watchdog can simply ask again after a crash.
 *
 * The line of waiting jobs is stored here (its order exists nowhere else). Which jobs run is already
 * recorded by their D1 rows, so the running set lives in memory and is rebuilt from D1 when the object
 * starts: admitting and releasing a job under the limit write nothing.
 */
export class UserQueue extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly running = new Set<string>();
  /** Waiting job ids in submission order. */
  private readonly waiting: string[] = [];
  private sweepArmed = false;
  private loading: Promise<void> | null = null;
  private publishing: Promise<void> = Promise.resolve();
  /** Jobs whose `running` update went out (edge/updates/publisher.ts). */
  private readonly announced = new Set<string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS waiting (pos INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL UNIQUE)");
    for (const row of this.sql.exec<{ job_id: string }>("SELECT job_id FROM waiting ORDER BY pos")) this.waiting.push(row.job_id);
    this.sql.exec("CREATE TABLE IF NOT EXISTS owner (user_id TEXT NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS released (pos INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL UNIQUE)");
  }

  /** `/updates` sockets of this user (edge/updates/): every status change below is published to them. */
  override async fetch(request: Request): Promise<Response> {
    const userId = request.headers.get("X-Nodetool-Updates-User");
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket" || !userId) return new Response("expected an /updates WebSocket", { status: 426 });
    if (this.owner() === undefined) this.sql.exec("INSERT INTO owner (user_id) VALUES (?)", userId);
    return acceptUpdatesSocket(this.ctx);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    onUpdatesMessage(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }

  private owner(): string | undefined {
    return this.sql.exec<{ user_id: string }>("SELECT user_id FROM owner").toArray()[0]?.user_id;
  }

  /** A job's `running` update, once per job however often its watchdog asks again. */
  private announceRunning(jobId: string): void {
    if (this.announced.has(jobId)) return;
    this.announced.add(jobId);
    this.publish(jobId, "running");
  }

  /** Publishes without holding up the queue (a lookup for listeners must never delay a job), in order. */
  private publish(jobId: string, status: Parameters<typeof publishJobUpdate>[4], extra: { queue_position?: number } = {}): void {
    if (this.ctx.getWebSockets().length === 0) return;
    const owner = this.owner();
    this.publishing = this.publishing
      .then(() => publishJobUpdate(this.ctx, this.env, owner, jobId, status, extra))
      .catch((err) => console.warn("[updates] publish failed", err));
    this.ctx.waitUntil(this.publishing);
  }

  /** Rebuilds the running set from D1 once per instance, before any call uses it. */
  private ensureLoaded(userId?: string): Promise<void> {
    this.loading ??= (async () => {
      const stored = this.sql.exec<{ user_id: string }>("SELECT user_id FROM owner").toArray()[0]?.user_id;
      if (stored === undefined && userId !== undefined) this.sql.exec("INSERT INTO owner (user_id) VALUES (?)", userId);
      const owner = stored ?? userId;
      if (owner === undefined) return;
      const released = new Set(this.sql.exec<{ job_id: string }>("SELECT job_id FROM released").toArray().map((r) => r.job_id));
      const stillRunning = await runningJobIds(db(this.env.DB), owner);
      // A job whose D1 row still says "running" after it freed its slot (it died before updating the row) must
      // not take the slot back on every restart of this object: that freed the same job again and again.
      for (const id of stillRunning) if (!this.waiting.includes(id) && !released.has(id)) this.running.add(id);
      // Released jobs that D1 no longer lists as running can never come back: forget them.
      const keep = new Set(stillRunning);
      for (const id of released) if (!keep.has(id)) this.sql.exec("DELETE FROM released WHERE job_id = ?", id);
      if (this.running.size > 0) this.armSweep();
    })();
    return this.loading;
  }

  private get limit(): number {
    return getConfig(this.env).maxConcurrentJobsPerUser;
  }

  async admit(jobId: string, userId: string): Promise<Admission> {
    await this.ensureLoaded(userId);
    if (this.running.has(jobId)) {
      // Found running in D1 when this instance loaded (the job's row is written as running before it asks).
      this.announceRunning(jobId);
      return { admitted: true };
    }
    const at = this.waiting.indexOf(jobId);
    if (at >= 0) return { admitted: false, position: at + 1 };
    // Nobody jumps the line: with jobs waiting, a new one waits too even if a slot is momentarily free.
    if (this.waiting.length === 0 && this.running.size < this.limit) {
      this.running.add(jobId);
      this.armSweep();
      this.announceRunning(jobId);
      return { admitted: true };
    }
    this.waiting.push(jobId);
    this.sql.exec("INSERT OR IGNORE INTO waiting (job_id) VALUES (?)", jobId);
    this.publish(jobId, "queued", { queue_position: this.waiting.length });
    return { admitted: false, position: this.waiting.length };
  }

  /** A queued job's place in line (1 = next), or null when it is not waiting. */
  async position(jobId: string): Promise<number | null> {
    await this.ensureLoaded();
    const at = this.waiting.indexOf(jobId);
    return at >= 0 ? at + 1 : null;
  }

  /** The job ended or was cancelled while waiting: frees its place and starts whoever is next. */
  async release(jobId: string): Promise<void> {
    await this.ensureLoaded();
    const held = this.running.delete(jobId);
    if (held) {
      this.sql.exec("INSERT OR IGNORE INTO released (job_id) VALUES (?)", jobId);
      this.sql.exec("DELETE FROM released WHERE pos <= (SELECT MAX(pos) FROM released) - ?", MAX_REMEMBERED_RELEASES);
    }
    const at = this.waiting.indexOf(jobId);
    if (at >= 0) {
      this.waiting.splice(at, 1);
      this.sql.exec("DELETE FROM waiting WHERE job_id = ?", jobId);
    }
    if (held || at >= 0) this.publish(jobId, "ended");
    this.announced.delete(jobId);
    await this.promote();
  }

  /** While slots are taken, an alarm now and then frees those whose job has ended without saying so. */
  private armSweep(): void {
    if (!this.sweepArmed) {
      this.sweepArmed = true;
      void this.ctx.storage.setAlarm(Date.now() + SWEEP_INTERVAL_MS);
    }
  }

  override async alarm(): Promise<void> {
    await this.ensureLoaded();
    this.sweepArmed = false;
    for (const jobId of [...this.running]) {
      // Released while an earlier job's check was in flight (the object takes other calls meanwhile).
      if (!this.running.has(jobId)) continue;
      const active = await this.env.JOBS.get(this.env.JOBS.idFromName(jobId))
        .isActive()
        .catch(() => true);
      if (!active) {
        console.warn(`[queue] freeing the slot of job ${jobId}, which ended without releasing it`);
        await this.release(jobId);
      }
    }
    if (this.running.size > 0) this.armSweep();
  }

  private async promote(): Promise<void> {
    while (this.running.size < this.limit && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.running.add(next);
      this.armSweep();
      this.sql.exec("DELETE FROM waiting WHERE job_id = ?", next);
      let started = false;
      try {
        started = await this.env.JOBS.get(this.env.JOBS.idFromName(next)).begin();
      } catch (err) {
        // The job's own watchdog asks again (admit is idempotent), so a failed hand-off is not lost.
        console.error(`[queue] could not start job ${next}`, err);
        started = true;
      }
      if (!started) this.running.delete(next);
      else this.announceRunning(next);
    }
  }
}
