import { describe, expect, it } from "vitest";
import { call, echoWorkflow, errorOf, worker } from "./users";

type Issue = { node_id: string | null; node_type: string | null; property: string | null; message: string };
type Verdict = { valid: boolean; issues: Issue[]; node_count: number; edge_count: number; input_schema: Record<string, unknown> | null; output_schema: Record<string, unknown> | null };

/** A graph with one problem of each kind the validator knows. */
const brokenGraph = {
  nodes: [
    { id: "ghost", type: "nodetool.text.DoesNotExist", data: {} },
    { id: "n", type: "nodetool.input.IntegerInput", data: { name: "n", value: 1 } },
    { id: "m", type: "nodetool.input.IntegerInput", data: { name: "n", value: 2 } },
    { id: "blank", type: "nodetool.input.StringInput", data: { name: "" } },
    { id: "bools", type: "nodetool.boolean.All", data: {} },
    { id: "loop_a", type: "nodetool.text.ToUppercase", data: {} },
    { id: "loop_b", type: "nodetool.text.ToLowercase", data: {} },
    { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
    { id: "note", type: "nodetool.workflows.base_node.Comment", data: { comment: "editor only" } },
  ],
  edges: [
    { id: "bad-handle", source: "n", sourceHandle: "nope", target: "out", targetHandle: "value" },
    { id: "mismatch", source: "m", sourceHandle: "output", target: "bools", targetHandle: "values" },
    { id: "c1", source: "loop_a", sourceHandle: "output", target: "loop_b", targetHandle: "text" },
    { id: "c2", source: "loop_b", sourceHandle: "output", target: "loop_a", targetHandle: "text" },
  ],
};

async function validate(body: unknown): Promise<Verdict> {
  const res = await call("graphs", "POST", "/api/graph/validate", body);
  expect(res.status).toBe(200);
  return (await res.json()) as Verdict;
}

describe("POST /api/graph/validate", () => {
  it("accepts a valid graph and returns its input and output schemas", async () => {
    const wf = echoWorkflow();
    for (const body of [{ graph: wf.graph }, wf.graph, wf]) {
      const verdict = await validate(body);
      expect(verdict).toMatchObject({ valid: true, issues: [], node_count: 2, edge_count: 1 });
      expect(verdict.input_schema).toMatchObject({ properties: { "first name": { type: "string", default: "Ada" } } });
      expect(verdict.output_schema).toMatchObject({ properties: { greeting: {} } });
    }
  });

  it("reports every problem of a broken graph at once, each with node id, property and message", async () => {
    const verdict = await validate({ graph: brokenGraph });
    expect(verdict.valid).toBe(false);
    expect(verdict.input_schema).toBeNull();
    expect(verdict.node_count).toBe(8); // the Comment is editor-only
    const has = (node_id: string, property: string | null, pattern: RegExp) =>
      expect(verdict.issues, `${node_id}.${property}`).toContainEqual(expect.objectContaining({ node_id, property, message: expect.stringMatching(pattern) }));
    has("ghost", null, /unknown node type 'nodetool.text.DoesNotExist'/);
    has("n", "nope", /has no output 'nope'/);
    has("bools", "values", /type mismatch/);
    has("loop_a", null, /cycle/);
    has("loop_b", null, /cycle/);
    has("m", "name", /input name 'n' is also used by node 'n'/);
    // An input with an empty name goes by its node id, as NodeTool's runner names it: no issue.
    expect(verdict.issues.some((i) => i.node_id === "blank")).toBe(false);
    expect(verdict.issues).toHaveLength(6);
    for (const i of verdict.issues) expect(typeof i.message).toBe("string");
  });

  it("checks params against the graph's inputs when they are sent", async () => {
    const graph = {
      nodes: [
        { id: "age", type: "nodetool.input.IntegerInput", data: { name: "age", value: 30, min: 0, max: 120 } },
        { id: "out", type: "nodetool.output.Output", data: { name: "age" } },
      ],
      edges: [{ id: "e", source: "age", sourceHandle: "output", target: "out", targetHandle: "value" }],
    };
    const verdict = await validate({ graph, params: { age: 200, height: 3 } });
    expect(verdict.valid).toBe(false);
    expect(verdict.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ property: "height", message: expect.stringMatching(/unknown input 'height'/) }),
        expect.objectContaining({ node_id: "age", property: "age", message: expect.stringMatching(/between 0 and 120/) }),
      ]),
    );
    // The graph itself is fine, so its schemas still come back.
    expect(verdict.input_schema).toMatchObject({ properties: { age: { minimum: 0, maximum: 120 } } });
    expect((await validate({ graph, params: { age: 40 } })).valid).toBe(true);
  });

  it("answers a body that is not a graph with 422, malformed JSON with 400 and an oversized body with 413", async () => {
    for (const body of [{}, { graph: { nodes: "no" } }, { nodes: [{ id: "x" }] }, { graph: echoWorkflow().graph, params: [1] }]) {
      const res = await call("graphs", "POST", "/api/graph/validate", body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const err = await errorOf(res);
      expect(err.type).toBe("validation_error");
      expect(err.details!.length).toBeGreaterThan(0);
    }
    const malformed = await call("graphs", "POST", "/api/graph/validate", "{nodes:", { "Content-Type": "application/json" });
    expect(malformed.status).toBe(400);
    const big = await call("graphs", "POST", "/api/graph/validate", { graph: { nodes: [], edges: [] }, padding: "x".repeat(70_000) });
    expect(big.status).toBe(413);
  });
});

describe("POST /api/graph/export", () => {
  it("returns a TypeScript script that saves the graph under a stable id and runs it with plain fetch", async () => {
    const body = { ...echoWorkflow("Greeter"), params: { "first name": "Grace" } };
    const res = await call("graphs", "POST", "/api/graph/export", body);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/typescript/);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="run-greeter.ts"');
    const id = res.headers.get("x-workflow-id")!;
    expect(id).toMatch(/^export-[0-9a-f]{16}$/);
    const script = await res.text();
    expect(script).toContain(`const WORKFLOW_ID = "${id}";`);
    expect(script).toContain('const DEFAULT_URL = "https://edge.test";');
    expect(script).toContain("NODETOOL_EDGE_URL");
    expect(script).toContain("NODETOOL_EDGE_TOKEN");
    expect(script).toContain('"first name": "Grace"');
    expect(script).toContain("fetch(");
    expect(script).not.toMatch(/^import /m);

    // The same graph always gets the same id; another graph another one.
    const again = await call("graphs", "POST", "/api/graph/export", body);
    expect(again.headers.get("x-workflow-id")).toBe(id);
    const other = await call("graphs", "POST", "/api/graph/export", { ...echoWorkflow(), graph: { ...echoWorkflow().graph, nodes: [...echoWorkflow().graph.nodes].reverse() } });
    expect(other.headers.get("x-workflow-id")).not.toBe(id);
  });

  it("offers a plain JavaScript module too", async () => {
    const res = await call("graphs", "POST", "/api/graph/export?language=javascript", echoWorkflow().graph);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="run-exported-workflow.mjs"');
    const script = await res.text();
    expect(script).not.toMatch(/Record<string/);
    // Parses as JavaScript (no type annotations left).
    expect(() => new Function(script.replace(/^\s*\/\/.*$/gm, ""))).not.toThrow();
  });

  it("refuses to export a graph that cannot run, listing every problem", async () => {
    const res = await call("graphs", "POST", "/api/graph/export", { graph: brokenGraph });
    expect(res.status).toBe(422);
    const err = await errorOf(res);
    expect(err.type).toBe("validation_error");
    expect(err.details).toHaveLength(6);
    const badParams = await call("graphs", "POST", "/api/graph/export", { ...echoWorkflow(), params: { nope: 1 } });
    expect(badParams.status).toBe(422);
    expect(await call("graphs", "POST", "/api/graph/export?language=cobol", echoWorkflow()).then((r) => r.status)).toBe(422);
  });

  it("answers malformed, oversized and non-graph bodies like every route", async () => {
    expect((await call("graphs", "POST", "/api/graph/export", "[", { "Content-Type": "application/json" })).status).toBe(400);
    expect((await call("graphs", "POST", "/api/graph/export", { name: "no graph" })).status).toBe(422);
    expect((await call("graphs", "POST", "/api/graph/export", { ...echoWorkflow(), name: "y".repeat(70_000) })).status).toBe(413);
  });
});

describe("graph tools auth", () => {
  it("refuses a missing or wrong token", async () => {
    for (const path of ["/api/graph/validate", "/api/graph/export"]) {
      const none = await call(null, "POST", path, echoWorkflow());
      expect(none.status, path).toBe(401);
      expect((await errorOf(none)).type).toBe("unauthorized");
      const wrong = await worker().fetch(`https://edge.test${path}`, {
        method: "POST",
        headers: { Authorization: "Bearer wrong", "Content-Type": "application/json" },
        body: JSON.stringify(echoWorkflow()),
      });
      expect(wrong.status, path).toBe(401);
    }
  });
});
