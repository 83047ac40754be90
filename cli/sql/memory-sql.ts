import { Worker } from "node:worker_threads";
import { SQL_LIMITS, SqlError, type SqlResult, type SqlService, type SqlValue } from "../../engine/sql/sql-service";
import { checkStatement, databaseName } from "../../engine/sql/statements";

/**
 * The SqlService of in-process runs (`nodetool-edge run --local`) and engine tests: real SQLite (sql.js, SQLite
 * compiled to WebAssembly, MIT) with in-memory databases, so the same SQL behaves as in the server's Durable
 * Objects and nothing touches the host's file system. Why sql.js: node:sqlite does not exist in Node 20, and
 * better-sqlite3 is a native addon whose prebuilt binary an install would have to download from outside the
 * npm registry. SQLite runs on a worker thread (cli/sql/sqljs-worker.mjs) because sql.js offers no progress
 * handler: a statement past the time limit is stopped by ending the thread, which also ends the databases it
 * held (they live only as long as the process anyway).
 */
export interface MemorySqlOptions {
  /** Longest a statement may run (ms). */
  timeoutMs?: number;
}

interface Pending {
  resolve(result: SqlResult): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

interface Reply {
  ready?: boolean;
  id: number;
  ok: boolean;
  result?: SqlResult;
  message?: string;
  reason?: SqlError["reason"];
}

export class MemorySqlService implements SqlService {
  private worker: Worker | null = null;
  /** Settles when the current worker has loaded SQLite. */
  private ready: Promise<void> = Promise.resolve();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly timeoutMs: number;

  constructor(options: MemorySqlOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? SQL_LIMITS.timeoutMs;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL("./sqljs-worker.mjs", import.meta.url));
    let loaded: () => void = () => {};
    let broken: (err: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      loaded = resolve;
      broken = reject;
    });
    // Nothing may wait on a broken start unobserved.
    this.ready.catch(() => {});
    worker.on("message", (reply: Reply) => {
      if (reply.ready) return loaded();
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.settle(reply.id);
      if (reply.ok) p.resolve(reply.result!);
      else p.reject(new SqlError(reply.message ?? "SQLite failed", reply.reason ?? "sql"));
    });
    worker.on("error", (err) => {
      const failure = new SqlError(`the SQLite worker failed: ${err.message}`, "unavailable");
      broken(failure);
      this.fail(failure);
    });
    worker.on("exit", () => {
      if (this.worker === worker) this.worker = null;
      broken(new SqlError("the SQLite worker stopped", "unavailable"));
      this.fail(new SqlError("the SQLite worker stopped", "unavailable"));
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(id: number): void {
    const p = this.pending.get(id);
    if (p) clearTimeout(p.timer);
    this.pending.delete(id);
    // The thread keeps the process alive only while a statement is running.
    if (this.pending.size === 0) this.worker?.unref();
  }

  private fail(err: Error): void {
    for (const [id, p] of [...this.pending]) {
      this.settle(id);
      p.reject(err);
    }
  }

  async exec(database: string, sql: string, params: readonly SqlValue[] = [], signal?: AbortSignal): Promise<SqlResult> {
    signal?.throwIfAborted();
    const name = databaseName(database);
    checkStatement(sql, params);
    const worker = this.start();
    worker.ref();
    await this.ready;
    if (this.worker !== worker) throw new SqlError("the SQLite worker stopped", "unavailable");
    const id = this.nextId++;
    return new Promise<SqlResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        const stuck = this.worker;
        this.worker = null;
        this.fail(new SqlError(`the statement ran longer than ${this.timeoutMs} ms and was stopped (the in-memory databases of this run were lost with it)`, "timeout"));
        void stuck?.terminate();
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.ref();
      worker.postMessage({ id, database: name, sql, params: [...params], maxRows: SQL_LIMITS.maxRows, maxResultBytes: SQL_LIMITS.maxResultBytes });
    });
  }

  /** Ends the worker thread and every database it holds. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.fail(new SqlError("the SQL service was closed", "unavailable"));
    await worker?.terminate();
  }
}
