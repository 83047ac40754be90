/**
 * Per-user SQL databases for `lib.sqlite.*`: each (user, database name) is its own SQLite database that
 * outlives the job. On the server every database is a Durable Object with SQLite storage
 * (edge/sqlite/user-database.ts), so one user's databases are unreachable from another's jobs and a
 * database's writes are durable when the call returns; a local run keeps its databases in memory (cli/sql/).
 * Implementations run exactly one statement per call (engine/sql/statements.ts), with bound parameters.
 */

/** What SQLite stores: NULL, INTEGER and REAL (as numbers), TEXT, BLOB. */
export type SqlValue = null | number | string | Uint8Array;

export interface SqlResult {
  /** Column names of the result, in order (empty for statements that return no rows). */
  columns: string[];
  /** Rows as arrays in column order (duplicate column names stay distinct). */
  rows: SqlValue[][];
  /** Rows the statement inserted, updated or deleted (SQLite's `changes()`). */
  rowsAffected: number;
  /** The rowid of the last row inserted on this connection (SQLite's `last_insert_rowid()`). */
  lastRowId: number;
}

export interface SqlService {
  /** Runs one statement with `?` parameters bound in order in the job user's database `database`. */
  exec(database: string, sql: string, params?: readonly SqlValue[], signal?: AbortSignal): Promise<SqlResult>;
}

/** Bounds every implementation keeps, so a runaway query fails the same way everywhere. */
export const SQL_LIMITS = {
  /** Longest statement text (characters). */
  maxStatementChars: 100_000,
  /** Most bound parameters. */
  maxParams: 999,
  /** Most rows one statement may return. */
  maxRows: 10_000,
  /** Most bytes of result values one statement may return. */
  maxResultBytes: 8 * 1024 * 1024,
  /** Longest a statement may run (ms), where the runtime can stop it. */
  timeoutMs: 10_000,
} as const;

export class SqlError extends Error {
  constructor(
    message: string,
    readonly reason: "invalid" | "too_large" | "timeout" | "unavailable" | "sql" = "sql",
  ) {
    super(message);
    this.name = "SqlError";
  }
}

/** Counts the size of a result value toward maxResultBytes. */
export function valueBytes(v: SqlValue): number {
  if (v === null || typeof v === "number") return 8;
  if (typeof v === "string") return v.length * 2;
  return v.byteLength;
}
