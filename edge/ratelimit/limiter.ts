import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config/env";
import type { Bucket } from "./config";

const WINDOW_MS = 60_000;
// A slot is taken before its job's object exists; only slots older than this are checked for ended jobs.
const SETTLE_MS = 30_000;

/** A request's verdict, with what the X-RateLimit-* headers report (of the tightest bucket). */
export interface RequestVerdict {
  ok: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends (epoch ms). */
  resetMs: number;
  /** Which bucket refused: `user` or `key:<id>`. */
  bucket?: string;
}

export type JobVerdict = { ok: true } | { ok: false; bucket: string; limit: number; active: number };

/**
 * One per user: the user's and each of the user's keys' request windows and running-job counts. A Durable
 * Object handles one call at a time and these methods never wait in between reading and writing, so the
 * counts are exact however many isolates ask at once.
 *
 * Requests: fixed one-minute windows aligned to the clock, in memory (an idle object loses nothing that
 * matters: a window it missed has ended anyway). Jobs: the job ids holding a slot, in SQLite, since jobs
 * outlive the object's memory; a job that ended without saying so is found and dropped when a bucket is full.
 */
export class RateLimiter extends DurableObject<Env> {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS slots (job_id TEXT NOT NULL, bucket TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (job_id, bucket))");
  }

  /** Counts one request against every bucket, or none of them when any is full. */
  hit(buckets: Bucket[], now = Date.now()): RequestVerdict {
    const start = now - (now % WINDOW_MS);
    const resetMs = start + WINDOW_MS;
    let tightest: RequestVerdict | null = null;
    for (const b of buckets) {
      let w = this.windows.get(b.id);
      if (!w || w.start !== start) {
        w = { start, count: 0 };
        this.windows.set(b.id, w);
      }
      const remaining = b.limit - w.count;
      if (remaining <= 0) return { ok: false, limit: b.limit, remaining: 0, resetMs, bucket: b.id };
      if (!tightest || remaining - 1 < tightest.remaining) tightest = { ok: true, limit: b.limit, remaining: remaining - 1, resetMs };
    }
    for (const b of buckets) this.windows.get(b.id)!.count++;
    return tightest ?? { ok: true, limit: 0, remaining: 0, resetMs };
  }

  private holders(bucket: string): string[] {
    return this.sql.exec<{ job_id: string }>("SELECT job_id FROM slots WHERE bucket = ?", bucket).toArray().map((r) => r.job_id);
  }

  /** Takes a job slot in every bucket (idempotent per job id), or none when any is full. */
  async acquireJob(jobId: string, buckets: Bucket[]): Promise<JobVerdict> {
    for (const b of buckets) {
      let holders = this.holders(b.id);
      if (holders.includes(jobId) || holders.length < b.limit) continue;
      // Full: drop jobs that ended without releasing (a crash), then look again.
      const ended = await this.endedJobs(this.sql.exec<{ job_id: string }>("SELECT job_id FROM slots WHERE bucket = ? AND at < ?", b.id, Date.now() - SETTLE_MS).toArray().map((r) => r.job_id));
      for (const id of ended) this.sql.exec("DELETE FROM slots WHERE job_id = ?", id);
      holders = this.holders(b.id);
      if (!holders.includes(jobId) && holders.length >= b.limit) return { ok: false, bucket: b.id, limit: b.limit, active: holders.length };
    }
    // The check above awaited: count again synchronously before taking the slots, so nothing is over-admitted.
    for (const b of buckets) {
      const holders = this.holders(b.id);
      if (!holders.includes(jobId) && holders.length >= b.limit) return { ok: false, bucket: b.id, limit: b.limit, active: holders.length };
    }
    const at = Date.now();
    for (const b of buckets) this.sql.exec("INSERT OR IGNORE INTO slots (job_id, bucket, at) VALUES (?, ?, ?)", jobId, b.id, at);
    return { ok: true };
  }

  releaseJob(jobId: string): void {
    this.sql.exec("DELETE FROM slots WHERE job_id = ?", jobId);
  }

  private async endedJobs(ids: string[]): Promise<string[]> {
    const checks = await Promise.all(
      ids.map(async (id) => {
        const active = await this.env.JOBS.get(this.env.JOBS.idFromName(id))
          .isActive()
          .catch(() => true);
        return active ? null : id;
      }),
    );
    return checks.filter((id): id is string => id !== null);
  }
}
