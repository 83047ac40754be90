import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../edge/config/env";
import { DurableSqlService } from "../../edge/sqlite/sql-service";
import { saved } from "./helpers";
import { call } from "./users";

type RunBody = { status: string; results: Record<string, unknown> | null; error?: string };

async function runAs(user: string, workflow: unknown, params: Record<string, unknown> = {}): Promise<RunBody> {
  const id = await saved(user, workflow);
  const res = await call(user, "POST", `/workflows/${id}/run`, { params });
  expect(res.status).toBe(200);
  return (await res.json()) as RunBody;
}

const COLUMNS = {
  type: "record_type",
  columns: [
    { name: "id", data_type: "int" },
    { name: "question", data_type: "string" },
    { name: "answer", data_type: "string" },
  ],
};

/** NodeTool's flashcard pattern: CreateTable hands its names and columns to Insert and Query. */
const cardsWorkflow = (database = "flashcards.db") => ({
  name: "cards",
  graph: {
    nodes: [
      { id: "q", type: "nodetool.input.StringInput", data: { name: "question", value: "" } },
      { id: "create", type: "lib.sqlite.CreateTable", data: { database_name: database, table_name: "study_cards", columns: COLUMNS, add_primary_key: true, if_not_exists: true } },
      { id: "card", type: "nodetool.dictionary.MakeDictionary", data: {}, dynamic_properties: { question: "", answer: "forty-two" } },
      { id: "insert", type: "lib.sqlite.Insert", data: {} },
      { id: "o", type: "nodetool.output.Output", data: { name: "inserted" } },
    ],
    edges: [
      { source: "q", sourceHandle: "output", target: "card", targetHandle: "question" },
      { source: "create", sourceHandle: "database_name", target: "insert", targetHandle: "database_name" },
      { source: "create", sourceHandle: "table_name", target: "insert", targetHandle: "table_name" },
      { source: "card", sourceHandle: "output", target: "insert", targetHandle: "data" },
      { source: "insert", sourceHandle: "output", target: "o", targetHandle: "value" },
    ],
  },
});

const queryWorkflow = (database = "flashcards.db") => ({
  name: "review",
  graph: {
    nodes: [
      { id: "query", type: "lib.sqlite.Query", data: { database_name: database, table_name: "study_cards", columns: COLUMNS, order_by: "id DESC", limit: 10 } },
      { id: "o", type: "nodetool.output.Output", data: { name: "cards" } },
    ],
    edges: [{ source: "query", sourceHandle: "output", target: "o", targetHandle: "value" }],
  },
});

describe("lib.sqlite through the Worker (a Durable Object per user database)", () => {
  it("persists rows across jobs", async () => {
    for (const [i, q] of ["What is 6*7?", "Largest planet?"].entries()) {
      const body = await runAs("sql-alice", cardsWorkflow(), { question: q });
      expect(body, body.error).toMatchObject({ status: "completed", results: { inserted: { row_id: i + 1, rows_affected: 1 } } });
    }
    const review = await runAs("sql-alice", queryWorkflow());
    expect(review).toMatchObject({
      status: "completed",
      results: {
        cards: [
          { id: 2, question: "Largest planet?", answer: "forty-two" },
          { id: 1, question: "What is 6*7?", answer: "forty-two" },
        ],
      },
    });
  });

  it("shows one user's databases to no other user", async () => {
    await runAs("sql-bob", cardsWorkflow("private.db"), { question: "bob's card" });
    // The same database name is another database for another user: it has no tables yet.
    expect(await runAs("sql-carol", queryWorkflow("private.db"))).toMatchObject({ status: "completed", results: { cards: [] } });
    const sneaky = await runAs("sql-carol", queryWorkflow("../sql-bob/private.db"));
    expect(sneaky.status).toBe("failed");
    expect(sneaky.error).toMatch(/parent directory traversal/);
  });

  it("runs the user's own SQL with bound parameters, one statement at a time", async () => {
    const exec = (sql: string, parameters: unknown[] = []) => ({
      name: "exec",
      graph: {
        nodes: [
          { id: "x", type: "lib.sqlite.ExecuteSQL", data: { database_name: "exec.db", sql, parameters } },
          { id: "o", type: "nodetool.output.Output", data: { name: "out" } },
        ],
        edges: [{ source: "x", sourceHandle: "output", target: "o", targetHandle: "value" }],
      },
    });
    expect(await runAs("sql-dan", exec("CREATE TABLE t (k TEXT, v INTEGER)"))).toMatchObject({ results: { out: { rows_affected: -1 } } });
    expect(await runAs("sql-dan", exec("INSERT INTO t VALUES (?, ?)", ["a", 5]))).toMatchObject({ results: { out: { rows_affected: 1, last_row_id: 1 } } });
    expect(await runAs("sql-dan", exec("SELECT k, v * 2 AS doubled FROM t WHERE v > ?", [1]))).toMatchObject({
      results: { out: { rows: [{ k: "a", doubled: 10 }], count: 1 } },
    });
    const two = await runAs("sql-dan", exec("SELECT 1; DROP TABLE t"));
    expect(two.status).toBe("failed");
    expect(two.error).toMatch(/one statement at a time/);
    const host = await runAs("sql-dan", exec("SELECT * FROM _cf_KV"));
    expect(host.status).toBe("failed");
  });

  it("bounds the rows a statement may return", async () => {
    const sql = new DurableSqlService(env as unknown as Env, "sql-erin");
    await expect(sql.exec("big.db", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c")).rejects.toMatchObject({
      reason: "too_large",
      message: expect.stringMatching(/more than 10000 rows/),
    });
    await expect(sql.exec("big.db", "SELECT 1; SELECT 2")).rejects.toThrow(/one statement at a time/);
    expect(await sql.exec("big.db", "SELECT ? AS a, ? AS b", [1.5, null])).toMatchObject({ columns: ["a", "b"], rows: [[1.5, null]] });
  });
});
