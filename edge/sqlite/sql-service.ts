import { SqlError, type SqlResult, type SqlService, type SqlValue } from "../../engine/sql/sql-service";
import { checkStatement, databaseName } from "../../engine/sql/statements";
import type { Env } from "../config/env";
import { ownerSegment } from "../storage/keys";

/**
 * The job user's SQLite databases: each (user, database name) is its own UserDatabase Durable Object, named
 * `<owner segment>/<database name>`. The owner segment is the storage one (edge/storage/keys.ts): no user id
 * and no database name can produce another user's object name, so a job reaches only its own user's data.
 */
export class DurableSqlService implements SqlService {
  constructor(
    private readonly env: Env,
    private readonly userId: string,
  ) {}

  async exec(database: string, sql: string, params: readonly SqlValue[] = [], signal?: AbortSignal): Promise<SqlResult> {
    signal?.throwIfAborted();
    const name = databaseName(database);
    checkStatement(sql, params);
    const ns = this.env.USER_DATABASES;
    const stub = ns.get(ns.idFromName(`${ownerSegment(this.userId)}/${name}`));
    let reply;
    try {
      reply = await stub.exec(sql, [...params]);
    } catch (err) {
      // The object itself failed (its CPU limit, an overload): not an SQL error of the user's.
      throw new SqlError(`the database '${name}' could not run the statement: ${err instanceof Error ? err.message : String(err)}`, "unavailable");
    }
    if (!reply.ok) throw new SqlError(reply.message, reply.reason);
    return reply.result;
  }
}
