import { DurableObject } from "cloudflare:workers";
import { SQL_LIMITS, valueBytes, type SqlResult, type SqlValue } from "../../engine/sql/sql-service";
import { checkStatement } from "../../engine/sql/statements";
import type { Env } from "../config/env";

/** What a call answers: the result, or why SQLite refused (the reason survives RPC, an Error's class would not). */
export type UserDatabaseReply = { ok: true; result: SqlResult } | { ok: false; message: string; reason: "invalid" | "too_large" | "sql" };

function tooLarge(message: string): Error {
  return Object.assign(new Error(message), { reason: "too_large" as const });
}

/**
 * One user's SQLite database for the lib.sqlite nodes: a Durable Object with SQLite storage per (user,
 * database name), named so in edge/sqlite/sql-service.ts. Why a Durable Object: the database outlives the
 * job, every write is durable when the call returns, calls to one database are serialised, and a user's
 * statements can reach nothing but their own database (there is no ATTACH, no file access, and the host's
 * `_cf_` tables are closed to them). Rows and result bytes are capped while the cursor is read; a statement
 * that computes forever is stopped by the platform's CPU limit, since time does not advance inside one step.
 */
export class UserDatabase extends DurableObject<Env> {
  async exec(sql: string, params: SqlValue[]): Promise<UserDatabaseReply> {
    try {
      checkStatement(sql, params);
      const storage = this.ctx.storage.sql;
      const cursor = storage.exec(sql, ...params);
      const rows: SqlValue[][] = [];
      let bytes = 0;
      for (const raw of cursor.raw()) {
        if (rows.length >= SQL_LIMITS.maxRows) throw tooLarge(`the statement returned more than ${SQL_LIMITS.maxRows} rows; add a LIMIT`);
        const row = raw.map((v) => (v instanceof ArrayBuffer ? new Uint8Array(v) : (v as SqlValue)));
        for (const v of row) bytes += valueBytes(v);
        if (bytes > SQL_LIMITS.maxResultBytes) throw tooLarge(`the statement returned more than ${SQL_LIMITS.maxResultBytes} bytes`);
        rows.push(row);
      }
      const meta = storage.exec<{ changes: number; rowid: number }>("SELECT changes() AS changes, last_insert_rowid() AS rowid").one();
      return { ok: true, result: { columns: cursor.columnNames, rows, rowsAffected: meta.changes, lastRowId: meta.rowid } };
    } catch (err) {
      const reason = (err as { reason?: string }).reason;
      return {
        ok: false,
        message: err instanceof Error ? err.message : String(err),
        reason: reason === "invalid" || reason === "too_large" ? reason : "sql",
      };
    }
  }
}
