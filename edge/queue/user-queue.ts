import { DurableObject } from "cloudflare:workers";
import { getConfig } from "../config/config";
import type { Env } from "../config/env";

export type Admission = { admitted: true } | { admitted: false; position: number };

/**
 * One per user: how many of the user's jobs run at once (MAX_CONCURRENT_JOBS_PER_USER). Jobs over the
 * limit wait in submission order and are started here as running ones finish. Every call is idempotent,
 * so a job's watchdog can simply ask again after a crash.
 */
export class UserQueue extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS running (job_id TEXT PRIMARY KEY)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS waiting (pos INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL UNIQUE)");
  }

  private get limit(): number {
    return getConfig(this.env).maxConcurrentJobsPerUser;
  }

  private count(table: "running" | "waiting"): number {
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
  }

  private positionOf(jobId: string): number | null {
    const rows = this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM waiting WHERE pos <= (SELECT pos FROM waiting WHERE job_id = ?)", jobId)
      .toArray();
    const n = rows[0]?.n ?? 0;
    return n > 0 ? n : null;
  }

  admit(jobId: string): Admission {
    if (this.sql.exec("SELECT 1 FROM running WHERE job_id = ?", jobId).toArray().length > 0) return { admitted: true };
    const waitingAt = this.positionOf(jobId);
    if (waitingAt !== null) return { admitted: false, position: waitingAt };
    if (this.count("waiting") === 0 && this.count("running") < this.limit) {
      this.sql.exec("INSERT INTO running (job_id) VALUES (?)", jobId);
      return { admitted: true };
    }
    this.sql.exec("INSERT INTO waiting (job_id) VALUES (?)", jobId);
    return { admitted: false, position: this.positionOf(jobId) ?? 1 };
  }

  /** A queued job's place in line (1 = next), or null when it is not waiting. */
  position(jobId: string): number | null {
    return this.positionOf(jobId);
  }

  /** The job ended or was cancelled while waiting: frees its place and starts whoever is next. */
  async release(jobId: string): Promise<void> {
    this.sql.exec("DELETE FROM running WHERE job_id = ?", jobId);
    this.sql.exec("DELETE FROM waiting WHERE job_id = ?", jobId);
    await this.promote();
  }

  private async promote(): Promise<void> {
    while (this.count("running") < this.limit) {
      const next = this.sql.exec<{ job_id: string }>("SELECT job_id FROM waiting ORDER BY pos LIMIT 1").toArray()[0];
      if (!next) return;
      this.sql.exec("DELETE FROM waiting WHERE job_id = ?", next.job_id);
      this.sql.exec("INSERT OR IGNORE INTO running (job_id) VALUES (?)", next.job_id);
      let started = false;
      try {
        started = await this.env.JOBS.get(this.env.JOBS.idFromName(next.job_id)).begin();
      } catch (err) {
        // The job's own watchdog asks again (admit is idempotent), so a failed hand-off is not lost.
        console.error(`[queue] could not start job ${next.job_id}`, err);
        started = true;
      }
      if (!started) this.sql.exec("DELETE FROM running WHERE job_id = ?", next.job_id);
    }
  }
}
