/**
 * The runner semantics NodeTool graphs rely on, through the real executor and the /api/graph/validate
 * function: test.Input parameters, trailing reroutes as outputs, the `value` handle of input nodes, and
 * input names falling back to the node's own name or id (NodeTool: packages/kernel/src/runner.ts).
 */
import { describe, expect, it } from "vitest";
import { checkGraph } from "../../edge/graph/check";
import { normalizeGraph } from "../../engine/graph/normalize";
import { GraphSchema, type Graph } from "../../schema/workflow";
import { registry, run } from "./helpers";

type RawEdge = [string, string, string, string];
function g(nodes: Record<string, unknown>[], edges: RawEdge[] = []): Graph {
  return GraphSchema.parse({
    nodes,
    edges: edges.map(([source, sourceHandle, target, targetHandle], i) => ({ id: `e${i}`, source, sourceHandle, target, targetHandle })),
  });
}

describe("trailing reroutes are outputs", () => {
  it("a test.Input into a reroute with no outgoing edge is a named result (CLI graph shape)", async () => {
    const graph = g(
      [
        { id: "src", type: "test.Input", name: "text" },
        { id: "sink", type: "nodetool.control.Reroute", name: "output" },
      ],
      [["src", "value", "sink", "input_value"]],
    );
    const r = await run(graph, { text: "hello from the runner" });
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ output: "hello from the runner" });
    const update = r.messages.find((m) => m.type === "output_update");
    expect(update).toMatchObject({ node_id: "sink", output_name: "output", value: "hello from the runner" });
  });

  it("If routes to one of two reroute sinks; the branch not taken yields null", async () => {
    const graph = g(
      [
        { id: "payload", type: "test.Input", name: "payload" },
        { id: "condition", type: "test.Input", name: "condition" },
        { id: "if", type: "nodetool.control.If" },
        { id: "t", type: "nodetool.control.Reroute", name: "when_true" },
        { id: "f", type: "nodetool.control.Reroute", name: "when_false" },
      ],
      [
        ["payload", "value", "if", "value"],
        ["condition", "value", "if", "condition"],
        ["if", "if_true", "t", "input_value"],
        ["if", "if_false", "f", "input_value"],
      ],
    );
    const payload = { kind: "example", value: 42 };
    const yes = await run(graph, { payload, condition: true });
    expect(yes.result).toEqual({ when_true: payload, when_false: null });
    const no = await run(graph, { payload, condition: false });
    expect(no.result).toEqual({ when_true: null, when_false: payload });
  });

  it("reroutes that feed other nodes stay pass-through, also in a chain ending in a sink", async () => {
    const graph = g(
      [
        { id: "in", type: "nodetool.input.StringInput", data: { name: "s", value: "abc" } },
        { id: "r1", type: "nodetool.control.Reroute" },
        { id: "up", type: "nodetool.text.ToUppercase" },
        { id: "r2", type: "nodetool.workflows.base_node.Reroute" },
        { id: "r3", type: "nodetool.control.Reroute", data: { name: "shout" } },
      ],
      [
        ["in", "output", "r1", "input_value"],
        ["r1", "output", "up", "text"],
        ["up", "output", "r2", "input_value"],
        ["r2", "output", "r3", "input_value"],
      ],
    );
    const normalized = normalizeGraph(graph);
    expect(normalized.nodes.map((n) => n.id)).toEqual(["in", "up", "r3"]);
    const r = await run(graph);
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ shout: "ABC" });
  });

  it("an unnamed trailing reroute goes by its id; an unconnected one yields its stored input_value", async () => {
    const graph = g(
      [
        { id: "n", type: "nodetool.constant.Integer", data: { value: 7 } },
        { id: "r", type: "nodetool.control.Reroute" },
        { id: "lonely", type: "nodetool.control.Reroute", data: { input_value: "kept" } },
      ],
      [["n", "output", "r", "input_value"]],
    );
    const r = await run(graph);
    expect(r.result).toEqual({ r: 7, lonely: "kept" });
  });

  it("a stream reaching a trailing reroute gathers every item", async () => {
    const graph = g(
      [
        { id: "each", type: "nodetool.control.ForEach", data: { input_list: [1, 2, 3] } },
        { id: "sink", type: "nodetool.control.Reroute", name: "items" },
      ],
      [["each", "output", "sink", "input_value"]],
    );
    const r = await run(graph);
    expect(r.result).toEqual({ items: [1, 2, 3] });
  });

  it("validation and output_schema see a trailing reroute as an output", () => {
    const graph = g(
      [
        { id: "src", type: "test.Input", name: "text" },
        { id: "sink", type: "nodetool.control.Reroute", name: "wait_result" },
      ],
      [["src", "value", "sink", "input_value"]],
    );
    const verdict = checkGraph(graph, { text: "x" }, registry);
    expect(verdict.valid).toBe(true);
    expect(verdict.output_schema).toMatchObject({ properties: { wait_result: { label: "wait_result" } } });
    expect(verdict.input_schema).toMatchObject({ properties: { text: { label: "text" } } });
  });
});

describe("input nodes", () => {
  it("hand their value on the `value` handle as well as `output`", async () => {
    const graph = g(
      [
        { id: "m", type: "nodetool.input.LanguageModelInput", name: "model" },
        { id: "s", type: "nodetool.input.StringInput", data: { name: "s", value: "text" } },
        { id: "a", type: "nodetool.output.Output", data: { name: "model" } },
        { id: "b", type: "nodetool.output.Output", data: { name: "s1" } },
        { id: "c", type: "nodetool.output.Output", data: { name: "s2" } },
      ],
      [
        ["m", "value", "a", "value"],
        ["s", "value", "b", "value"],
        ["s", "output", "c", "value"],
      ],
    );
    expect(checkGraph(graph, undefined, registry).issues).toEqual([]);
    const model = { type: "language_model", provider: "openai", id: "gpt-4o-mini" };
    const r = await run(graph, { model });
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ model, s1: "text", s2: "text" });
  });

  it("other unknown output handles of an input still fail validation", () => {
    const graph = g(
      [
        { id: "s", type: "nodetool.input.StringInput", data: { name: "s" } },
        { id: "o", type: "nodetool.output.Output", data: { name: "o" } },
      ],
      [["s", "nope", "o", "value"]],
    );
    const verdict = checkGraph(graph, undefined, registry);
    expect(verdict.issues).toContainEqual(expect.objectContaining({ node_id: "s", property: "nope" }));
  });

  it("an input without data.name goes by the node's own name, else its id; duplicates are still reported", async () => {
    const graph = g(
      [
        { id: "a", type: "nodetool.input.IntegerInput", data: { name: "", value: 1 } },
        { id: "b", type: "nodetool.input.IntegerInput", name: "bee", data: { value: 2 } },
        { id: "c", type: "nodetool.input.IntegerInput", data: { name: " padded ", value: 3 } },
        { id: "sum", type: "lib.math.Add" },
        { id: "o", type: "nodetool.output.Output", data: { name: "sum" } },
      ],
      [
        ["a", "output", "sum", "a"],
        ["b", "output", "sum", "b"],
        ["sum", "output", "o", "value"],
      ],
    );
    const verdict = checkGraph(graph, undefined, registry);
    expect(verdict.valid).toBe(true);
    expect(Object.keys((verdict.input_schema as { properties: object }).properties)).toEqual(["a", "bee", "padded"]);
    const r = await run(graph, { a: 10, bee: 20 });
    expect(r.result).toEqual({ sum: 30 });

    const dup = g([
      { id: "x", type: "nodetool.input.IntegerInput", data: { name: "n" } },
      { id: "y", type: "nodetool.input.IntegerInput", name: "n" },
    ]);
    expect(checkGraph(dup, undefined, registry).issues).toContainEqual(
      expect.objectContaining({ node_id: "y", property: "name", message: expect.stringMatching(/also used by node 'x'/) }),
    );
  });

  it("test.Input without a param or stored value hands on nothing, so its consumers never fire", async () => {
    const graph = g(
      [
        { id: "maybe", type: "test.Input", name: "maybe" },
        { id: "sink", type: "nodetool.control.Reroute", name: "out" },
      ],
      [["maybe", "value", "sink", "input_value"]],
    );
    const none = await run(graph);
    expect(none.status).toBe("completed");
    expect(none.result).toEqual({ out: null });
    const some = await run(graph, { maybe: [1, { a: 2 }] });
    expect(some.result).toEqual({ out: [1, { a: 2 }] });
  });
});
