import { describe, expect, it } from "vitest";
import { call, errorOf } from "./users";

type Port = { name: string; type: string; node_id: string; handle: string; from: string; default?: unknown };
type Preset = { name: string; node_type: string; inputs: Port[]; outputs: Port[]; uses: string[]; graph: { nodes: unknown[] } };

/** x -> (x * b) + c, with b = 2 and c = 1 unless the preset node sets `mul.b` / `add.b`. */
const affineSource = {
  nodes: [
    { id: "x", type: "nodetool.input.FloatInput", data: { name: "x", value: 0 } },
    { id: "mul", type: "lib.math.Multiply", data: { b: 2 } },
    { id: "add", type: "lib.math.Add", data: { b: 1 } },
    { id: "y", type: "nodetool.output.Output", data: { name: "y" } },
    { id: "note", type: "nodetool.workflows.base_node.Comment", data: { comment: "not selected" } },
    { id: "outside", type: "nodetool.output.Output", data: { name: "outside" } },
  ],
  edges: [
    { id: "e1", source: "x", sourceHandle: "output", target: "mul", targetHandle: "a" },
    { id: "e2", source: "mul", sourceHandle: "output", target: "add", targetHandle: "a" },
    { id: "e3", source: "add", sourceHandle: "output", target: "y", targetHandle: "value" },
    { id: "e4", source: "add", sourceHandle: "output", target: "outside", targetHandle: "value" },
  ],
};
const affine = (name: string, extra: Record<string, unknown> = {}) => ({ name, graph: affineSource, node_ids: ["x", "mul", "add", "y"], ...extra });

async function create(user: string, body: unknown, status = 201): Promise<Preset> {
  const res = await call(user, "POST", "/api/presets/create", body);
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as Preset;
}

/** Saves a workflow and runs it; the result map. */
async function runGraph(user: string, name: string, graph: unknown): Promise<Record<string, unknown>> {
  const saved = await call(user, "POST", "/api/workflows", { name, graph });
  expect(saved.status, await saved.clone().text()).toBe(201);
  const { id } = (await saved.json()) as { id: string };
  const res = await call(user, "POST", `/api/workflows/${id}/run`, { params: {} });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

const edge = (id: string, source: string, sourceHandle: string, target: string, targetHandle: string) => ({ id, source, sourceHandle, target, targetHandle });

describe("presets", () => {
  it("refuse every route without a token", async () => {
    for (const [method, path] of [
      ["GET", "/api/presets"],
      ["GET", "/api/presets/affine"],
      ["POST", "/api/presets/create"],
      ["DELETE", "/api/presets/affine"],
      ["POST", "/api/nodes/reload"],
    ]) {
      const res = await call(null, method, path, method === "POST" ? affine("affine") : undefined);
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it("are made from selected nodes: input/output nodes and free handles become ports", async () => {
    const p = await create("preset-maker", affine("affine", { description: "scale and shift" }));
    expect(p).toMatchObject({ name: "affine", node_type: "preset.affine", uses: [] });
    expect(p.graph.nodes).toHaveLength(4);
    expect(p.inputs).toEqual([
      { name: "x", type: "float", node_id: "x", handle: "value", from: "io_node", default: 0 },
      expect.objectContaining({ name: "mul.b", node_id: "mul", handle: "b", from: "handle", default: 2 }),
      expect.objectContaining({ name: "add.b", node_id: "add", handle: "b", from: "handle", default: 1 }),
    ]);
    expect(p.outputs.map((o) => o.name)).toEqual(["mul.output", "add.output", "y"]);
    expect(p.outputs.find((o) => o.name === "y")).toMatchObject({ from: "io_node", type: expect.any(String) });

    const list = (await (await call("preset-maker", "GET", "/api/presets")).json()) as { presets: { name: string; node_count: number }[]; count: number };
    expect(list.count).toBe(1);
    expect(list.presets[0]).toMatchObject({ name: "affine", node_count: 4, description: "scale and shift" });
    const one = await call("preset-maker", "GET", "/api/presets/affine");
    expect(((await one.json()) as Preset).inputs).toHaveLength(3);

    // The same name again is a conflict unless replaced.
    const again = await call("preset-maker", "POST", "/api/presets/create", affine("affine"));
    expect(again.status).toBe(409);
    await create("preset-maker", affine("affine", { replace: true, description: "scale and shift" }), 200);
  });

  it("appear in the owner's node catalog and health only", async () => {
    await create("catalog-owner", affine("affine"));
    const nodes = (await (await call("catalog-owner", "GET", "/api/nodes?namespace=preset")).json()) as { nodes: { type: string; properties: { name: string; default?: unknown }[]; outputs: { name: string }[] }[] };
    expect(nodes.nodes.map((n) => n.type)).toEqual(["preset.affine"]);
    expect(nodes.nodes[0].properties).toContainEqual(expect.objectContaining({ name: "mul.b", default: 2 }));
    expect(nodes.nodes[0].outputs.map((o) => o.name)).toContain("y");
    const all = (await (await call("catalog-owner", "GET", "/api/nodes")).json()) as { count: number; nodes: { type: string }[] };
    expect(all.nodes.some((n) => n.type === "lib.math.Add")).toBe(true);
    expect(all.nodes.some((n) => n.type === "preset.affine")).toBe(true);
    expect((await call("catalog-owner", "GET", "/api/nodes/preset.affine")).status).toBe(200);

    // Another user sees none of it.
    const theirs = (await (await call("catalog-stranger", "GET", "/api/nodes?namespace=preset")).json()) as { count: number };
    expect(theirs.count).toBe(0);
    expect((await call("catalog-stranger", "GET", "/api/nodes/preset.affine")).status).toBe(404);
    expect((await call("catalog-stranger", "GET", "/api/presets/affine")).status).toBe(404);
    expect((await call("catalog-stranger", "DELETE", "/api/presets/affine")).status).toBe(404);

    const health = async (user: string) => ((await (await call(user, "GET", "/api/health")).json()) as { presets_loaded: number; nodes_loaded: number });
    expect((await health("catalog-owner")).presets_loaded).toBe(1);
    expect((await health("catalog-stranger")).presets_loaded).toBe(0);

    const reload = await call("catalog-owner", "POST", "/api/nodes/reload");
    expect(reload.status).toBe(200);
    const reloaded = (await reload.json()) as { nodes_loaded: number; presets_loaded: number; presets: string[]; builtin: string };
    expect(reloaded).toMatchObject({ presets_loaded: 1, presets: ["preset.affine"], nodes_loaded: (await health("catalog-owner")).nodes_loaded });
    expect(reloaded.builtin).toMatch(/compiled into this deployment/);
  });

  it("used twice in one graph give the same results as the expanded subgraph", async () => {
    await create("preset-runner", affine("affine"));
    const withPresets = {
      nodes: [
        { id: "v", type: "nodetool.constant.Float", data: { value: 3 } },
        { id: "p1", type: "preset.affine", data: {} },
        { id: "p2", type: "preset.affine", data: { "add.b": 10 } },
        { id: "first", type: "nodetool.output.Output", data: { name: "first" } },
        { id: "result", type: "nodetool.output.Output", data: { name: "result" } },
        { id: "scaled", type: "nodetool.output.Output", data: { name: "scaled" } },
      ],
      edges: [
        edge("a", "v", "output", "p1", "x"),
        edge("b", "p1", "y", "p2", "x"),
        edge("c", "p1", "y", "first", "value"),
        edge("d", "p2", "y", "result", "value"),
        edge("e", "p2", "mul.output", "scaled", "value"),
      ],
    };
    const expanded = {
      nodes: [
        { id: "v", type: "nodetool.constant.Float", data: { value: 3 } },
        { id: "m1", type: "lib.math.Multiply", data: { b: 2 } },
        { id: "a1", type: "lib.math.Add", data: { b: 1 } },
        { id: "m2", type: "lib.math.Multiply", data: { b: 2 } },
        { id: "a2", type: "lib.math.Add", data: { b: 10 } },
        { id: "first", type: "nodetool.output.Output", data: { name: "first" } },
        { id: "result", type: "nodetool.output.Output", data: { name: "result" } },
        { id: "scaled", type: "nodetool.output.Output", data: { name: "scaled" } },
      ],
      edges: [
        edge("1", "v", "output", "m1", "a"),
        edge("2", "m1", "output", "a1", "a"),
        edge("3", "a1", "output", "m2", "a"),
        edge("4", "m2", "output", "a2", "a"),
        edge("5", "a1", "output", "first", "value"),
        edge("6", "a2", "output", "result", "value"),
        edge("7", "m2", "output", "scaled", "value"),
      ],
    };
    const viaPresets = await runGraph("preset-runner", "with presets", withPresets);
    const viaSubgraph = await runGraph("preset-runner", "expanded", expanded);
    expect(viaPresets).toEqual(viaSubgraph);
    expect(viaPresets).toEqual({ first: 7, result: 24, scaled: 14 });

    // The stored graph is the one sent, preset nodes and all.
    const list = (await (await call("preset-runner", "GET", "/api/workflows")).json()) as { workflows: { name: string; graph: { nodes: { type: string }[] } }[] };
    expect(list.workflows.find((w) => w.name === "with presets")!.graph.nodes.filter((n) => n.type === "preset.affine")).toHaveLength(2);

    // A preset's unfed input takes the value set on the preset node, else the inner input's default.
    const constant = {
      nodes: [
        { id: "p", type: "preset.affine", data: { x: 5, "mul.b": 3 } },
        { id: "q", type: "preset.affine", data: {} },
        { id: "o", type: "nodetool.output.Output", data: { name: "o" } },
        { id: "o2", type: "nodetool.output.Output", data: { name: "o2" } },
      ],
      edges: [edge("a", "p", "y", "o", "value"), edge("b", "q", "add.output", "o2", "value")],
    };
    expect(await runGraph("preset-runner", "constants", constant)).toEqual({ o: 16, o2: 1 });
  });

  it("pass an input straight to an output when the preset holds nothing else", async () => {
    const user = "preset-passthrough";
    await create(user, {
      name: "same",
      graph: {
        nodes: [
          { id: "i", type: "nodetool.input.StringInput", data: { name: "text", value: "fallback" } },
          { id: "o", type: "nodetool.output.Output", data: { name: "text" } },
        ],
        edges: [edge("a", "i", "output", "o", "value")],
      },
    });
    const result = await runGraph(user, "passthrough", {
      nodes: [
        { id: "c", type: "nodetool.constant.String", data: { value: "hello" } },
        { id: "fed", type: "preset.same", data: {} },
        { id: "unfed", type: "preset.same", data: {} },
        { id: "o1", type: "nodetool.output.Output", data: { name: "fed" } },
        { id: "o2", type: "nodetool.output.Output", data: { name: "unfed" } },
      ],
      edges: [edge("a", "c", "output", "fed", "text"), edge("b", "fed", "text", "o1", "value"), edge("c", "unfed", "text", "o2", "value")],
    });
    expect(result).toEqual({ fed: "hello", unfed: "fallback" });
  });

  it("nest, and a preset that contains itself is a cycle (422)", async () => {
    await create("preset-nester", affine("inner"));
    const outerSource = {
      nodes: [
        { id: "i1", type: "preset.inner", data: {} },
        { id: "i2", type: "preset.inner", data: {} },
      ],
      edges: [edge("a", "i1", "y", "i2", "x")],
    };
    const outer = await create("preset-nester", { name: "outer", graph: outerSource });
    expect(outer.uses).toEqual(["inner"]);
    expect(outer.inputs.map((p) => p.name)).toContain("i1.x");
    expect(outer.outputs.map((p) => p.name)).toContain("i2.y");
    const result = await runGraph("preset-nester", "nested", {
      nodes: [
        { id: "o", type: "preset.outer", data: { "i1.x": 1 } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      edges: [edge("a", "o", "i2.y", "out", "value")],
    });
    expect(result).toEqual({ out: 7 }); // (1*2+1)*2+1

    // Directly: a preset made of itself.
    const self = await call("preset-nester", "POST", "/api/presets/create", {
      name: "outer",
      replace: true,
      graph: { nodes: [{ id: "me", type: "preset.outer", data: {} }], edges: [] },
    });
    expect(self.status).toBe(422);
    expect((await errorOf(self)).message).toMatch(/cycle/i);
    // Through another preset: inner would contain outer, which contains inner.
    const through = await call("preset-nester", "POST", "/api/presets/create", {
      name: "inner",
      replace: true,
      graph: { nodes: [{ id: "o", type: "preset.outer", data: {} }], edges: [] },
    });
    expect(through.status).toBe(422);
    expect((await errorOf(through)).message).toMatch(/cycle/i);
    // Both presets are unchanged.
    expect(((await (await call("preset-nester", "GET", "/api/presets/inner")).json()) as Preset).uses).toEqual([]);
  });

  it("refuse malformed bodies, unknown names, unknown ports and unconnected outputs", async () => {
    const user = "preset-errors";
    const status = async (body: unknown) => (await call(user, "POST", "/api/presets/create", body)).status;
    expect(await status("{not json")).toBe(400);
    expect(await status({ graph: affineSource })).toBe(422); // no name
    expect(await status({ name: "has.dot", graph: affineSource })).toBe(422);
    expect(await status({ name: "ok", graph: { nodes: "nope" } })).toBe(422);
    expect(await status({ name: "ok", graph: affineSource, node_ids: ["ghost"] })).toBe(422);
    expect(await status({ name: "ok", graph: affineSource, node_ids: [] })).toBe(422);
    const dangling = await call(user, "POST", "/api/presets/create", { name: "ok", graph: affineSource, node_ids: ["x", "outside"] });
    expect(dangling.status).toBe(422);
    expect((await errorOf(dangling)).message).toMatch(/'outside' is not connected inside the selection/);
    const unknownType = await call(user, "POST", "/api/presets/create", { name: "ok", graph: { nodes: [{ id: "a", type: "preset.nothing" }], edges: [] } });
    expect(unknownType.status).toBe(422);
    expect((await errorOf(unknownType)).message).toMatch(/unknown preset 'nothing'/);

    expect((await call(user, "GET", "/api/presets/missing")).status).toBe(404);
    expect((await call(user, "DELETE", "/api/presets/missing")).status).toBe(404);
    expect((await call(user, "GET", "/api/presets/bad.name")).status).toBe(422);

    await create(user, affine("affine"));
    const badPort = { nodes: [{ id: "p", type: "preset.affine", data: {} }, { id: "o", type: "nodetool.output.Output", data: { name: "o" } }], edges: [edge("a", "p", "nope", "o", "value")] };
    const verdict = (await (await call(user, "POST", "/api/graph/validate", { graph: badPort })).json()) as { valid: boolean; issues: { node_id: string; message: string }[] };
    expect(verdict.valid).toBe(false);
    expect(verdict.issues).toContainEqual(expect.objectContaining({ node_id: "p", message: "preset 'affine' has no output 'nope'" }));
    expect((await call(user, "POST", "/api/workflows", { name: "bad port", graph: badPort })).status).toBe(422);

    // Another user's preset type is unknown to them.
    const foreign = await call("preset-stranger", "POST", "/api/workflows", { name: "theirs", graph: { nodes: [{ id: "p", type: "preset.affine", data: {} }], edges: [] } });
    expect(foreign.status).toBe(422);
    expect((await errorOf(foreign)).message).toMatch(/unknown node type 'preset.affine'/);
  });

  it("are deleted, and graphs that use them then fail to run", async () => {
    const user = "preset-deleter";
    await create(user, affine("gone"));
    const saved = await call(user, "POST", "/api/workflows", {
      name: "uses gone",
      graph: { nodes: [{ id: "p", type: "preset.gone", data: { x: 1 } }, { id: "o", type: "nodetool.output.Output", data: { name: "o" } }], edges: [edge("a", "p", "y", "o", "value")] },
    });
    expect(saved.status).toBe(201);
    const { id } = (await saved.json()) as { id: string };
    expect((await call(user, "DELETE", "/api/presets/gone")).status).toBe(204);
    expect((await call(user, "GET", "/api/presets/gone")).status).toBe(404);
    const run = await call(user, "POST", `/api/workflows/${id}/run`, { params: {} });
    expect(run.status).toBe(422);
    expect((await errorOf(run)).message).toMatch(/unknown node type 'preset.gone'/);
  });
});
