import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeContext, NodeDecl, Outputs } from "../registry/types";
import { bytesToBase64 } from "../media/data-uri";
import { describe, isRecord, toBool, toInt, toText } from "../values/coerce";
import { SqlError, type SqlResult, type SqlService, type SqlValue } from "../sql/sql-service";
import { checkStatement, databaseName, quoteIdentifier, toSqlValue } from "../sql/statements";
import { WORKSPACE_DIR } from "../workspace/node-support";

/**
 * `lib.sqlite.*`: tables in the job user's own SQLite databases, which outlive the job (engine/sql/
 * sql-service.ts: a Durable Object per user and database on the server). Semantics follow NodeTool's nodes
 * (NodeTool: nodetool-base src/nodetool/nodes/lib/sqlite.py and packages/base-nodes/src/nodes/lib-sqlite.ts):
 * dicts and lists are stored as JSON text and text that parses as JSON is read back parsed; WHERE and ORDER
 * BY are the user's own SQL fragments, while table and column names are always quoted identifiers.
 */

const RECORD_TYPE_DEFAULT = { type: "record_type", columns: [] };
const dbProp = prop("database_name", "str", "memory.db", { description: "Name of the SQLite database file" });
const tableProp = (description: string) => prop("table_name", "str", "flashcards", { description });
const whereProp = (description = "WHERE clause (without 'WHERE' keyword), e.g., 'id = 1'") => prop("where", "str", "", { description });

/** NodeTool's ColumnDef data types to SQLite column types (unknown ones are TEXT). */
const SQLITE_TYPES: Record<string, string> = { int: "INTEGER", float: "REAL", datetime: "TEXT", string: "TEXT", object: "TEXT" };

function requireSql(ctx: NodeContext, what: string): SqlService {
  const sql = ctx.services.sql;
  if (!sql) throw new Error(`${what}: this run has no SQLite storage`);
  return sql;
}

/** The columns of a RecordType value (`{type: "record_type", columns: [{name, data_type}]}`). */
function recordColumns(value: unknown, what: string): { name: string; data_type: string }[] {
  if (value === null || value === undefined || value === "") return [];
  const columns = isRecord(value) ? value.columns : value;
  if (!Array.isArray(columns)) throw new Error(`${what} must be a record type {columns: [{name, data_type}]}, got ${describe(value)}`);
  return columns.map((c, i) => {
    if (!isRecord(c) || typeof c.name !== "string") throw new Error(`${what}: column ${i} has no name`);
    return { name: c.name, data_type: typeof c.data_type === "string" ? c.data_type : "string" };
  });
}

function dataDict(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${what} must be a dict of column: value, got ${describe(value)}`);
  if (Object.keys(value).length === 0) throw new Error(`${what} must name at least one column`);
  return value;
}

/** NodeTool reads text back as JSON where it parses ("[1,2]" becomes a list, "42" a number). */
function fromSql(v: SqlValue): unknown {
  if (v instanceof Uint8Array) return bytesToBase64(v);
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function rowDicts(result: SqlResult): Record<string, unknown>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, fromSql(row[i])])));
}

async function run(service: SqlService, database: string, sql: string, params: SqlValue[], ctx: NodeContext): Promise<SqlResult> {
  checkStatement(sql, params);
  return service.exec(database, sql, params, ctx.signal);
}

/** Whether the database holds no table yet: NodeTool's Query answers [] for a database file that does not exist. */
async function isEmptyDatabase(service: SqlService, database: string, ctx: NodeContext): Promise<boolean> {
  const r = await run(service, database, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'", [], ctx);
  return r.rows[0]?.[0] === 0;
}

type Body = (sql: SqlService, database: string, inputs: Inputs, ctx: NodeContext) => Promise<Outputs>;

function sqliteNode(name: string, description: string, properties: ReturnType<typeof prop>[], outputs: ReturnType<typeof out>[], body: Body): NodeDecl {
  return defineNode({
    type: `lib.sqlite.${name}`,
    description,
    properties,
    outputs,
    process: async (inputs, ctx) => {
      try {
        const service = requireSql(ctx, name);
        return await body(service, databaseName(toText(inputs.database_name ?? "memory.db")), inputs, ctx);
      } catch (err) {
        if (err instanceof Error && (err.name === "AbortError" || err.message.startsWith(`${name}:`))) throw err;
        const message = err instanceof Error ? err.message : String(err);
        throw err instanceof SqlError ? new SqlError(`${name}: ${message}`, err.reason) : new Error(`${name}: ${message}`);
      }
    },
  });
}

const DICT_OUT = [out("output", "dict[str, any]")];

export const sqliteNodes: NodeDecl[] = [
  sqliteNode(
    "CreateTable",
    "Create a new SQLite table with specified columns.",
    [
      dbProp,
      tableProp("Name of the table to create"),
      prop("columns", "record_type", RECORD_TYPE_DEFAULT, { description: "Column definitions" }),
      prop("add_primary_key", "bool", true, { description: "Automatically make first integer column PRIMARY KEY AUTOINCREMENT" }),
      prop("if_not_exists", "bool", true, { description: "Only create table if it doesn't exist" }),
    ],
    [out("database_name", "str"), out("table_name", "str"), out("columns", "record_type")],
    async (service, database, inputs, ctx) => {
      const table = toText(inputs.table_name ?? "flashcards");
      const quoted = quoteIdentifier(table, "table_name");
      const columns = recordColumns(inputs.columns ?? RECORD_TYPE_DEFAULT, "columns");
      const outputs = { database_name: toText(inputs.database_name ?? "memory.db"), table_name: table, columns: inputs.columns ?? RECORD_TYPE_DEFAULT };
      // NodeTool returns without touching an existing table, whatever if_not_exists says.
      const exists = await run(service, database, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [table], ctx);
      if (exists.rows.length > 0) return outputs;
      if (columns.length === 0) throw new Error("columns cannot be empty: a table needs at least one column");
      const addKey = inputs.add_primary_key === undefined ? true : toBool(inputs.add_primary_key);
      const defs = columns.map((c, i) => {
        const col = quoteIdentifier(c.name, "column name");
        if (i === 0 && addKey && c.data_type === "int") return `${col} INTEGER PRIMARY KEY AUTOINCREMENT`;
        return `${col} ${SQLITE_TYPES[c.data_type] ?? "TEXT"}`;
      });
      const ifNotExists = inputs.if_not_exists === undefined || toBool(inputs.if_not_exists) ? "IF NOT EXISTS " : "";
      await run(service, database, `CREATE TABLE ${ifNotExists}${quoted} (${defs.join(", ")})`, [], ctx);
      return outputs;
    },
  ),
  sqliteNode(
    "Insert",
    "Insert a record into a SQLite table.",
    [dbProp, tableProp("Name of the table to insert into"), prop("data", "dict[str, any]", { content: "example" }, { description: "Data to insert as dict (column: value)" })],
    DICT_OUT,
    async (service, database, inputs, ctx) => {
      const data = dataDict(inputs.data ?? { content: "example" }, "data");
      const cols = Object.keys(data).map((k) => quoteIdentifier(k, "column name"));
      const sql = `INSERT INTO ${quoteIdentifier(toText(inputs.table_name ?? "flashcards"), "table_name")} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`;
      const r = await run(service, database, sql, Object.values(data).map(toSqlValue), ctx);
      return { output: { row_id: r.lastRowId, rows_affected: r.rowsAffected, message: `Inserted record with ID ${r.lastRowId}` } };
    },
  ),
  sqliteNode(
    "Query",
    "Query records from a SQLite table.",
    [
      dbProp,
      tableProp("Name of the table to query"),
      whereProp(),
      prop("columns", "record_type", RECORD_TYPE_DEFAULT, { description: "Columns to select" }),
      prop("order_by", "str", "", { description: "ORDER BY clause (without 'ORDER BY' keyword)" }),
      prop("limit", "int", 0, { description: "Maximum number of rows to return (0 = no limit)" }),
    ],
    [out("output", "list[dict[str, any]]")],
    async (service, database, inputs, ctx) => {
      const table = quoteIdentifier(toText(inputs.table_name ?? "flashcards"), "table_name");
      const columns = recordColumns(inputs.columns ?? RECORD_TYPE_DEFAULT, "columns");
      const select = columns.length === 0 ? "*" : columns.map((c) => quoteIdentifier(c.name, "column name")).join(", ");
      // Each fragment ends its line, so a `--` comment in one cannot swallow the clauses after it.
      let sql = `SELECT ${select} FROM ${table}`;
      const where = toText(inputs.where);
      const orderBy = toText(inputs.order_by);
      const limit = toInt(inputs.limit ?? 0, "limit");
      if (where.trim()) sql += ` WHERE ${where}\n`;
      if (orderBy.trim()) sql += ` ORDER BY ${orderBy}\n`;
      if (limit > 0) sql += ` LIMIT ${limit}`;
      try {
        return { output: rowDicts(await run(service, database, sql, [], ctx)) };
      } catch (err) {
        if (err instanceof SqlError && err.reason === "sql" && /no such table/i.test(err.message) && (await isEmptyDatabase(service, database, ctx))) return { output: [] };
        throw err;
      }
    },
  ),
  sqliteNode(
    "Update",
    "Update records in a SQLite table.",
    [dbProp, tableProp("Name of the table to update"), prop("data", "dict[str, any]", { content: "updated" }, { description: "Data to update as dict (column: new_value)" }), whereProp()],
    DICT_OUT,
    async (service, database, inputs, ctx) => {
      const data = dataDict(inputs.data ?? { content: "updated" }, "data");
      const set = Object.keys(data).map((k) => `${quoteIdentifier(k, "column name")} = ?`);
      let sql = `UPDATE ${quoteIdentifier(toText(inputs.table_name ?? "flashcards"), "table_name")} SET ${set.join(", ")}`;
      const where = toText(inputs.where);
      if (where.trim()) sql += ` WHERE ${where}\n`;
      const r = await run(service, database, sql, Object.values(data).map(toSqlValue), ctx);
      return { output: { rows_affected: r.rowsAffected, message: `Updated ${r.rowsAffected} record(s)` } };
    },
  ),
  sqliteNode(
    "Delete",
    "Delete records from a SQLite table.",
    [dbProp, tableProp("Name of the table to delete from"), whereProp("WHERE clause (without 'WHERE' keyword), e.g., 'id = 1'. REQUIRED for safety.")],
    DICT_OUT,
    async (service, database, inputs, ctx) => {
      const where = toText(inputs.where);
      if (!where.trim()) throw new Error("WHERE clause is required for DELETE operations to prevent accidental data loss");
      const r = await run(service, database, `DELETE FROM ${quoteIdentifier(toText(inputs.table_name ?? "flashcards"), "table_name")} WHERE ${where}\n`, [], ctx);
      return { output: { rows_affected: r.rowsAffected, message: `Deleted ${r.rowsAffected} record(s)` } };
    },
  ),
  sqliteNode(
    "ExecuteSQL",
    "Execute arbitrary SQL statements for advanced operations.",
    [dbProp, prop("sql", "str", "SELECT * FROM flashcards", { description: "SQL statement to execute" }), prop("parameters", "list[any]", [], { description: "Parameters for parameterized queries (use ? in SQL)" })],
    DICT_OUT,
    async (service, database, inputs, ctx) => {
      const sql = toText(inputs.sql);
      const params = inputs.parameters === undefined || inputs.parameters === null ? [] : inputs.parameters;
      if (!Array.isArray(params)) throw new Error(`parameters must be a list, got ${describe(params)}`);
      const r = await run(service, database, sql, params.map(toSqlValue), ctx);
      // NodeTool decides by the statement's first word whether it modifies (and so what it answers).
      const verb = /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? "";
      if (["INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP"].includes(verb)) {
        // Python's cursor: rowcount is -1 for DDL, and lastrowid is set by INSERT only.
        const dml = verb === "INSERT" || verb === "UPDATE" || verb === "DELETE";
        return { output: { rows_affected: dml ? r.rowsAffected : -1, last_row_id: verb === "INSERT" ? r.lastRowId : null, message: "SQL executed successfully" } };
      }
      const rows = rowDicts(r);
      return { output: { rows, count: rows.length, message: `Query returned ${rows.length} row(s)` } };
    },
  ),
  defineNode({
    type: "lib.sqlite.GetDatabasePath",
    description: "Get the full path to a SQLite database file.",
    properties: [dbProp],
    outputs: [out("output", "str")],
    process: (inputs) => {
      try {
        // Where NodeTool keeps the file: the name under the workspace directory. The lib.sqlite nodes accept
        // this path as a database_name; the database itself is not a workspace file here.
        return { output: `${WORKSPACE_DIR}/${databaseName(toText(inputs.database_name ?? "memory.db"))}` };
      } catch (err) {
        throw new Error(`GetDatabasePath: ${(err as Error).message}`);
      }
    },
  }),
];
