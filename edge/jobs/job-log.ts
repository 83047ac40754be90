import { decodeMsgpack } from "../streaming/wire";
import type { JobSpec, JobState } from "./job-spec";

const ROWS_PER_INSERT = 50;

export interface LogEntry {
  seq: number;
  msgpack: Uint8Array;
  message(): unknown;
}

/**
 * A job's Durable Object storage (SQLite): its state record, the spec of a queued job, and the event log
 * (one MessagePack row per message, keyed by job_seq). Tables are created when a job starts, not when the
 * object is first touched, so looking up an unknown or expired job leaves nothing behind.
 */
export class JobLog {
  private seq = 0;
  private exists: boolean;

  constructor(private readonly sql: SqlStorage) {
    this.exists = false;
    this.reload();
  }

  /** Re-reads what the storage holds (an alarm may run on an instance that did not write it). */
  reload(): void {
    this.exists = this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").toArray().length > 0;
    this.seq = this.exists ? (this.sql.exec<{ s: number | null }>("SELECT MAX(seq) AS s FROM events").one().s ?? 0) : 0;
  }

  create(): void {
    this.sql.exec("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body BLOB NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.exists = true;
  }

  /** After the storage was deleted. */
  forget(): void {
    this.exists = false;
    this.seq = 0;
  }

  get lastSeq(): number {
    return this.seq;
  }

  private readMeta(key: string): string | null {
    if (!this.exists) return null;
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private writeMeta(key: string, value: string): void {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value);
  }

  readState(): JobState | null {
    const raw = this.readMeta("state");
    return raw === null ? null : (JSON.parse(raw) as JobState);
  }

  writeState(state: JobState): void {
    this.writeMeta("state", JSON.stringify(state));
  }

  readSpec(): JobSpec | null {
    const raw = this.readMeta("spec");
    return raw === null ? null : (JSON.parse(raw) as JobSpec);
  }

  writeSpec(spec: JobSpec): void {
    this.writeMeta("spec", JSON.stringify(spec));
  }

  deleteSpec(): void {
    if (this.exists) this.sql.exec("DELETE FROM meta WHERE key = 'spec'");
  }

  /** Appends messages in order, many rows per statement (DO SQLite binds at most 100 values per query). */
  append(entries: readonly { seq: number; msgpack: Uint8Array }[]): void {
    for (let i = 0; i < entries.length; i += ROWS_PER_INSERT) {
      const chunk = entries.slice(i, i + ROWS_PER_INSERT);
      const values: (number | Uint8Array)[] = [];
      for (const e of chunk) values.push(e.seq, e.msgpack);
      this.sql.exec(`INSERT INTO events (seq, body) VALUES ${chunk.map(() => "(?, ?)").join(", ")}`, ...values);
    }
    if (entries.length > 0) this.seq = entries[entries.length - 1].seq;
  }

  *after(seq: number): Generator<LogEntry> {
    if (!this.exists) return;
    for (const row of this.sql.exec<{ seq: number; body: ArrayBuffer }>("SELECT seq, body FROM events WHERE seq > ? ORDER BY seq", seq)) {
      const msgpack = new Uint8Array(row.body);
      yield { seq: row.seq, msgpack, message: () => decodeMsgpack(msgpack) };
    }
  }
}
