import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import exported from "../fixtures/workflows/exported-decision.json";
import { saved, sseEvents } from "./helpers";
import { call, errorOf } from "./users";

const boundedWorkflow = {
  name: "bounded",
  graph: {
    nodes: [
      { id: "n", type: "nodetool.input.IntegerInput", data: { name: "count", value: 5, min: 1, max: 10 } },
      { id: "o", type: "nodetool.output.Output", data: { name: "count" } },
    ],
    edges: [{ source: "n", sourceHandle: "output", target: "o", targetHandle: "value" }],
  },
};

describe("running workflows", () => {
  it("returns the result map from the editor route and records the job in D1", async () => {
    const id = await saved("alice");
    const res = await call("alice", "POST", `/api/workflows/${id}/run`, { params: { "first name": "Grace" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ greeting: "Grace" });
    const jobId = res.headers.get("X-Job-Id")!;
    const row = await env.DB.prepare("SELECT * FROM jobs WHERE id = ?").bind(jobId).first<Record<string, string>>();
    expect(row).toMatchObject({ user_id: "alice", workflow_id: id, status: "completed" });
    expect(JSON.parse(row!.outputs)).toEqual({ greeting: ["Grace"] });
    expect(JSON.parse(row!.params)).toEqual({ "first name": "Grace" });
    expect(row!.started_at).toBeTruthy();
    expect(row!.finished_at).toBeTruthy();
  });

  it("uses stored input values when no params are sent, with or without a body", async () => {
    const id = await saved("alice");
    expect(await (await call("alice", "POST", `/api/workflows/${id}/run`)).json()).toEqual({ greeting: "Ada" });
    expect(await (await call("alice", "POST", `/api/workflows/${id}/run`, {})).json()).toEqual({ greeting: "Ada" });
  });

  it("streams NDJSON messages stamped with increasing job_seq, ending in the completed job_update", async () => {
    const id = await saved("alice");
    const res = await call("alice", "POST", `/api/workflows/${id}/run?stream=true`, { params: { "first name": "Lin" } });
    expect(res.headers.get("Content-Type")).toMatch(/application\/x-ndjson/);
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.job_seq)).toEqual(lines.map((_, i) => i + 1));
    expect(new Set(lines.map((l) => l.job_id))).toEqual(new Set([res.headers.get("X-Job-Id")]));
    expect(lines.every((l) => l.workflow_id === id)).toBe(true);
    expect(lines[0]).toMatchObject({ type: "job_update", status: "running" });
    expect(lines.at(-1)).toMatchObject({ type: "job_update", status: "completed", result: { greeting: "Lin" } });
    expect(lines).toContainEqual(expect.objectContaining({ type: "output_update", node_id: "out", output_name: "greeting", value: "Lin" }));
    expect(lines).toContainEqual(expect.objectContaining({ type: "node_update", node_id: "out", status: "completed" }));
    expect(lines).toContainEqual(expect.objectContaining({ type: "edge_update", edge_id: "e1", status: "active" }));
  });

  it("answers the worker route with {results, job_id, status}, taking {params} or bare params", async () => {
    const id = await saved("alice");
    for (const body of [{ params: { "first name": "Kay" } }, { "first name": "Kay" }]) {
      const res = await call("alice", "POST", `/workflows/${id}/run`, body);
      expect(res.status).toBe(200);
      const out = (await res.json()) as { results: unknown; job_id: string; status: string };
      expect(out).toEqual({ results: { greeting: "Kay" }, job_id: res.headers.get("X-Job-Id"), status: "completed" });
    }
    const list = (await (await call("alice", "GET", "/workflows")).json()) as { workflows: { id: string }[] };
    expect(list.workflows.map((w) => w.id)).toContain(id);
  });

  it("streams SSE with id: lines equal to job_seq and ends with [DONE]", async () => {
    const id = await saved("alice");
    const res = await call("alice", "POST", `/workflows/${id}/run/stream`, { params: { "first name": "Sam" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/text\/event-stream/);
    const { events } = await sseEvents(res);
    expect(events.at(-1)!.data).toBe("[DONE]");
    const messages = events.slice(0, -1).map((e) => ({ id: e.id, m: JSON.parse(e.data) as { job_seq: number; type: string; status?: string; result?: unknown } }));
    for (const { id: eventId, m } of messages) expect(eventId).toBe(String(m.job_seq));
    expect(messages.at(-1)!.m).toMatchObject({ type: "job_update", status: "completed", result: { greeting: "Sam" } });
  });

  it("rejects out-of-range and mistyped params with 422 naming the input and bounds, and starts no job; ignores unknown ones with a warning", async () => {
    const id = await saved("alice", boundedWorkflow);
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM jobs").first<{ n: number }>();
    const outOfRange = await call("alice", "POST", `/api/workflows/${id}/run`, { params: { count: 11 } });
    expect(outOfRange.status).toBe(422);
    const err = await errorOf(outOfRange);
    expect(err.message).toMatch(/count.*between 1 and 10/);
    const wrongType = await call("alice", "POST", `/workflows/${id}/run/stream`, { count: "3" });
    expect(wrongType.status).toBe(422);
    expect((await errorOf(wrongType)).message).toMatch(/must be an integer/);
    const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM jobs").first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
    expect(await (await call("alice", "POST", `/api/workflows/${id}/run`, { params: { count: 10 } })).json()).toEqual({ count: 10 });
    // Issue 15: NodeTool's runner ignores a param no input takes; the run says so in a log_update warning.
    const unknown = await call("alice", "POST", `/api/workflows/${id}/run?stream=true`, { params: { cuont: 3, count: 2 } });
    expect(unknown.status).toBe(200);
    const lines = (await unknown.text()).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ type: "log_update", severity: "warning", content: expect.stringMatching(/unknown input 'cuont'/) }));
    expect(lines.at(-1)).toMatchObject({ type: "job_update", status: "completed", result: { count: 2 } });
  });

  it("answers bad run requests in the contract's shape", async () => {
    const id = await saved("alice");
    const malformed = await call("alice", "POST", `/api/workflows/${id}/run`, "{", { "Content-Type": "application/json" });
    expect(malformed.status).toBe(400);
    const notObject = await call("alice", "POST", `/api/workflows/${id}/run`, { params: [1, 2] });
    expect(notObject.status).toBe(422);
    const workerNotObject = await call("alice", "POST", `/workflows/${id}/run`, { params: "x" });
    expect(workerNotObject.status).toBe(422);
    const tooBig = await call("alice", "POST", `/workflows/${id}/run`, { params: { "first name": "x".repeat(70_000) } });
    expect(tooBig.status).toBe(413);
    expect((await call(null, "POST", `/workflows/${id}/run`, {})).status).toBe(401);
    expect((await call("alice", "POST", `/workflows/0000000000000000ffffffffffffffff/run`, {})).status).toBe(404);
  });
});


describe("NodeTool files and failing jobs over HTTP", () => {
  it("accepts an editor-exported NodeTool file unmodified, keeps its extra fields, and runs it", async () => {
    const res = await call("alice", "POST", "/api/workflows", JSON.stringify(exported), { "Content-Type": "application/json" });
    expect(res.status).toBe(201);
    const wf = (await res.json()) as { id: string; etag: string; required_models: unknown[]; input_schema: { properties: Record<string, unknown> } };
    expect(wf.etag).toBe('W/"abc123"');
    expect(wf.required_models).toEqual([]);
    expect(wf.input_schema.properties["celsius reading"]).toMatchObject({ type: "number", minimum: -50, maximum: 60, default: 21.5 });
    const run = await call("alice", "POST", `/api/workflows/${wf.id}/run`, { params: { "celsius reading": 35 } });
    expect(await run.json()).toEqual({ report: "35 °C (hot: true, cold: false): Stay in the shade." });
  });

  it("reports a node failure as a failed job with the node's error, never a stack", async () => {
    const id = await saved("alice", {
      name: "divide",
      graph: {
        nodes: [
          { id: "n", type: "nodetool.input.FloatInput", data: { name: "n", value: 1, min: -10, max: 10 } },
          { id: "div", type: "lib.math.Divide", data: { b: 0 } },
          { id: "o", type: "nodetool.output.Output", data: { name: "q" } },
        ],
        edges: [
          { source: "n", sourceHandle: "output", target: "div", targetHandle: "a" },
          { source: "div", sourceHandle: "output", target: "o", targetHandle: "value" },
        ],
      },
    });
    const worker = await call("alice", "POST", `/workflows/${id}/run`, {});
    expect(worker.status).toBe(200);
    const body = (await worker.json()) as { status: string; error: string; results: unknown };
    expect(body.status).toBe("failed");
    expect(body.results).toBeNull();
    expect(body.error).toMatch(/division by zero/);
    expect(body.error).not.toMatch(/at .*\.ts:\d+/);

    const editor = await call("alice", "POST", `/api/workflows/${id}/run`, {});
    expect(editor.status).toBe(500);
    const err = (await editor.json()) as { error: { type: string; status: string; job_id: string; message: string } };
    expect(err.error).toMatchObject({ type: "job_failed", status: "failed" });
    const row = await env.DB.prepare("SELECT status, error FROM jobs WHERE id = ?").bind(err.error.job_id).first<{ status: string; error: string }>();
    expect(row).toMatchObject({ status: "failed" });
    expect(row!.error).toMatch(/division by zero/);
  });
});
