import { afterAll, describe, expect, it } from "vitest";
import { MemorySqlService } from "../../cli/sql/memory-sql";
import { runWorkflow } from "../../engine/executor/run-workflow";
import type { EngineServices } from "../../engine/registry/types";
import { countStatements, quoteIdentifier } from "../../engine/sql/statements";
import { graph, registry } from "./helpers";

const sql = new MemorySqlService();
afterAll(() => sql.close());

async function node(type: string, data: Record<string, unknown>, services: Partial<EngineServices> = { sql }, handle = "output"): Promise<unknown> {
  const g = graph([{ id: "n", type, data }, { id: "o", type: "nodetool.output.Output", data: { name: "o" } }], [["n", handle, "o", "value"]]);
  const r = await runWorkflow(g, {}, { registry, emit: () => {}, services });
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return r.result.o;
}

async function fails(type: string, data: Record<string, unknown>, services: Partial<EngineServices> = { sql }): Promise<string> {
  const r = await runWorkflow(graph([{ id: "n", type, data }]), {}, { registry, emit: () => {}, services });
  expect(r.status).toBe("failed");
  return r.error ?? "";
}

const CARD_COLUMNS = {
  type: "record_type",
  columns: [
    { name: "id", data_type: "int" },
    { name: "question", data_type: "string" },
    { name: "answer", data_type: "string" },
    { name: "tags", data_type: "object" },
  ],
};

/** The shape of NodeTool's flashcard example: CreateTable feeds Insert and Query their names and columns. */
function cardsGraph(db: string, question: string) {
  return graph(
    [
      { id: "create", type: "lib.sqlite.CreateTable", data: { database_name: db, table_name: "study cards", columns: CARD_COLUMNS, add_primary_key: true, if_not_exists: true } },
      { id: "card", type: "nodetool.constant.Dict", data: { value: { question, answer: "42", tags: ["x", "y"] } } },
      { id: "insert", type: "lib.sqlite.Insert", data: {} },
      { id: "o_insert", type: "nodetool.output.Output", data: { name: "inserted" } },
    ],
    [
      ["create", "database_name", "insert", "database_name"],
      ["create", "table_name", "insert", "table_name"],
      ["card", "output", "insert", "data"],
      ["insert", "output", "o_insert", "value"],
    ],
  );
}

describe("SQL checks", () => {
  it("counts statements past strings, identifiers and comments", () => {
    expect(countStatements("SELECT 1")).toBe(1);
    expect(countStatements("SELECT ';' -- ; \n ; /* ; */")).toBe(1);
    expect(countStatements(`SELECT "a;b", [c;d], \`e;f\`; SELECT 2`)).toBe(2);
    expect(countStatements("  ;  ")).toBe(0);
  });

  it("quotes identifiers so that names cannot close the quote", () => {
    expect(quoteIdentifier('t"; DROP TABLE x; --')).toBe('"t""; DROP TABLE x; --"');
    expect(() => quoteIdentifier("sqlite_master")).toThrow(/reserved/);
    expect(() => quoteIdentifier("")).toThrow(/non-empty/);
  });
});

describe("lib.sqlite nodes on in-memory SQLite", () => {
  it("creates a table, inserts records and queries them back, JSON values parsed", async () => {
    for (const q of ["What is 6*7?", "Largest planet?"]) {
      const r = await runWorkflow(cardsGraph("cards.db", q), {}, { registry, emit: () => {}, services: { sql } });
      expect(r.status, r.error ?? "").toBe("completed");
    }
    const rows = await node("lib.sqlite.Query", { database_name: "cards.db", table_name: "study cards", columns: CARD_COLUMNS, order_by: "id DESC", limit: 1 });
    expect(rows).toEqual([{ id: 2, question: "Largest planet?", answer: 42, tags: ["x", "y"] }]);
    const all = (await node("lib.sqlite.Query", { database_name: "cards.db", table_name: "study cards", where: "question LIKE 'What%'" })) as unknown[];
    expect(all).toHaveLength(1);
    expect(await node("lib.sqlite.Insert", { database_name: "cards.db", table_name: "study cards", data: { question: "q3", answer: "a3" } })).toEqual({
      row_id: 3,
      rows_affected: 1,
      message: "Inserted record with ID 3",
    });
  });

  it("answers CreateTable's outputs without touching an existing table", async () => {
    const first = await node("lib.sqlite.CreateTable", { database_name: "t.db", table_name: "notes", columns: { type: "record_type", columns: [{ name: "body", data_type: "string" }] } }, { sql }, "table_name");
    expect(first).toBe("notes");
    const again = await node("lib.sqlite.CreateTable", { database_name: "t.db", table_name: "notes", columns: { type: "record_type", columns: [{ name: "other", data_type: "int" }] }, if_not_exists: false }, { sql }, "columns");
    expect(again).toEqual({ type: "record_type", columns: [{ name: "other", data_type: "int" }] });
    const cols = (await node("lib.sqlite.ExecuteSQL", { database_name: "t.db", sql: "SELECT name FROM pragma_table_info('notes')" })) as { rows: unknown[] };
    expect(cols.rows).toEqual([{ name: "body" }]);
  });

  it("updates and deletes, requiring a WHERE for Delete", async () => {
    const db = "crud.db";
    await node("lib.sqlite.ExecuteSQL", { database_name: db, sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER)" });
    for (const [name, qty] of [["a", 1], ["b", 2], ["c", 3]] as const) {
      await node("lib.sqlite.ExecuteSQL", { database_name: db, sql: "INSERT INTO items (name, qty) VALUES (?, ?)", parameters: [name, qty] });
    }
    expect(await node("lib.sqlite.Update", { database_name: db, table_name: "items", data: { qty: 10 }, where: "qty >= 2" })).toEqual({ rows_affected: 2, message: "Updated 2 record(s)" });
    expect(await fails("lib.sqlite.Delete", { database_name: db, table_name: "items", where: "" })).toMatch(/WHERE clause is required/);
    expect(await node("lib.sqlite.Delete", { database_name: db, table_name: "items", where: "name = 'a'" })).toEqual({ rows_affected: 1, message: "Deleted 1 record(s)" });
    const sum = await node("lib.sqlite.ExecuteSQL", { database_name: db, sql: "SELECT sum(qty) AS total, count(*) AS n FROM items WHERE qty > ?", parameters: [0] });
    expect(sum).toEqual({ rows: [{ total: 20, n: 2 }], count: 1, message: "Query returned 1 row(s)" });
    expect(await node("lib.sqlite.ExecuteSQL", { database_name: db, sql: "insert into items (name, qty) values ('d', 4)" })).toEqual({ rows_affected: 1, last_row_id: 4, message: "SQL executed successfully" });
    expect(await node("lib.sqlite.ExecuteSQL", { database_name: db, sql: "DROP TABLE items" })).toEqual({ rows_affected: -1, last_row_id: null, message: "SQL executed successfully" });
  });

  it("keeps databases apart by name and answers [] for a database without tables", async () => {
    await node("lib.sqlite.ExecuteSQL", { database_name: "one.db", sql: "CREATE TABLE flashcards (x)" });
    expect(await node("lib.sqlite.Query", { database_name: "two.db" })).toEqual([]);
    expect(await fails("lib.sqlite.Query", { database_name: "one.db", table_name: "missing" })).toMatch(/no such table: missing/);
    expect(await node("lib.sqlite.GetDatabasePath", { database_name: "one.db" }, {})).toBe("/workspace/one.db");
    // GetDatabasePath's answer names the same database.
    await node("lib.sqlite.Insert", { database_name: "/workspace/one.db", data: { x: 5 } });
    expect(await node("lib.sqlite.Query", { database_name: "one.db" })).toEqual([{ x: 5 }]);
  });

  it("refuses injection through names, several statements, and unsafe database names", async () => {
    await node("lib.sqlite.ExecuteSQL", { database_name: "safe.db", sql: "CREATE TABLE keep (v)" });
    const evil = 'keep"; DROP TABLE keep; --';
    expect(await fails("lib.sqlite.Insert", { database_name: "safe.db", table_name: evil, data: { v: 1 } })).toMatch(/no such table: keep"; DROP/);
    expect(await fails("lib.sqlite.ExecuteSQL", { database_name: "safe.db", sql: "SELECT 1; DROP TABLE keep" })).toMatch(/one statement at a time/);
    expect(await fails("lib.sqlite.Query", { database_name: "safe.db", table_name: "keep", where: "1=1; DROP TABLE keep" })).toMatch(/one statement at a time/);
    expect(await fails("lib.sqlite.Query", { database_name: "../other-user/x.db" })).toMatch(/traversal/);
    expect(await fails("lib.sqlite.Query", { database_name: "/etc/x.db" })).toMatch(/absolute paths are not allowed/);
    expect(await node("lib.sqlite.ExecuteSQL", { database_name: "safe.db", sql: "SELECT count(*) AS n FROM keep" })).toMatchObject({ rows: [{ n: 0 }] });
  });

  it("bounds rows and time", async () => {
    expect(await fails("lib.sqlite.ExecuteSQL", { database_name: "big.db", sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c" })).toMatch(/more than 10000 rows/);
    const slow = new MemorySqlService({ timeoutMs: 300 });
    try {
      const started = Date.now();
      const err = await fails("lib.sqlite.ExecuteSQL", { database_name: "slow.db", sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c" }, { sql: slow });
      expect(err).toMatch(/longer than 300 ms/);
      expect(Date.now() - started).toBeLessThan(5000);
      // A fresh thread answers the next statement.
      expect(await node("lib.sqlite.ExecuteSQL", { database_name: "slow.db", sql: "SELECT 7 AS v" }, { sql: slow })).toMatchObject({ rows: [{ v: 7 }] });
    } finally {
      await slow.close();
    }
  });

  it("fails clearly without SQL storage", async () => {
    expect(await fails("lib.sqlite.Query", {}, {})).toMatch(/no SQLite storage/);
  });
});
