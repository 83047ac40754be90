import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anthropicToolResults, streamAnthropicTurn, streamOpenAITurn } from "../e2e/chat-upstreams";
import { logsOf, model, outputsOf, requestsFor, runGraph, startUpstreams, type Upstreams } from "./agents-helpers";
import { graph, run } from "./helpers";
import type { SearchService } from "../../engine/search/search-service";
import { GraphSchema } from "../../schema/workflow";

/**
 * Control edges as NodeTool's kernel runs them: a ClaudeAgent (Anthropic's streaming protocol, tool_use
 * blocks with input_json_delta) calls the node it controls as a tool; a ControlAgent's __control_output__
 * runs the nodes it controls once; a controlled node never runs on its own.
 */

let up: Upstreams;
beforeAll(async () => {
  up = await startUpstreams();
});
afterAll(() => up.close());

/** ClaudeAgent -> (control) lib.math.Add "Adder", whose output is also wired to an Output; the agent's text too. */
function controlledAdder(modelId: string, extra: { adderData?: Record<string, unknown>; edgeType?: boolean } = {}) {
  return GraphSchema.parse({
    nodes: [
      { id: "claude", type: "anthropic.agents.ClaudeAgent", data: { prompt: "Add 2 and 3 with the tool.", model: model("anthropic", modelId), system_prompt: "Be exact.", max_turns: 4, allowed_tools: [] } },
      { id: "adder", type: "lib.math.Add", data: { a: 0, b: 0, ...extra.adderData }, ui_properties: { title: "Adder" } },
      { id: "sum", type: "nodetool.output.Output", data: { name: "sum" } },
      { id: "text", type: "nodetool.output.Output", data: { name: "text" } },
    ],
    edges: [
      { id: "ctl", source: "claude", sourceHandle: "__control__", target: "adder", targetHandle: "__control__", ...(extra.edgeType === false ? {} : { edge_type: "control" }) },
      { id: "e1", source: "adder", sourceHandle: "output", target: "sum", targetHandle: "value" },
      { id: "e2", source: "claude", sourceHandle: "text", target: "text", targetHandle: "value" },
    ],
  });
}

describe("control edges", () => {
  it("ClaudeAgent calls the node it controls as a tool; the node runs only for that call", async () => {
    up.anthropic.on("claude-adder", (req, res) => {
      const results = anthropicToolResults(req.body);
      if (results.length === 0) return streamAnthropicTurn(req, res, { text: "Adding.", calls: [{ id: "toolu_add", name: "adder", args: { a: 2, b: 3 } }] });
      const result = JSON.parse(results[0].content) as { status: string; result: { output: number } };
      return streamAnthropicTurn(req, res, { text: ` The sum is ${result.result.output} (${result.status}).` });
    });
    const r = await runGraph(controlledAdder("claude-adder"), { llm: up.llm });
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ sum: 5, text: "Adding. The sum is 5 (completed)." });

    const [first, second] = requestsFor(up.anthropic, "claude-adder");
    expect(first.body!.system).toBe("Be exact.");
    const tools = first.body!.tools as { name: string; description: string; input_schema: { properties: Record<string, unknown> } }[];
    expect(tools.map((t) => t.name)).toEqual(["adder"]);
    expect(tools[0].description).toMatch(/^Control Adder: trigger execution with optional property overrides. Available properties: a, b/);
    expect(Object.keys(tools[0].input_schema.properties)).toEqual(["a", "b"]);
    expect(anthropicToolResults(second.body)).toEqual([
      { tool_use_id: "toolu_add", content: JSON.stringify({ status: "completed", target_node_id: "adder", result: { output: 5 } }) },
    ]);
    // The controlled node ran once, after the call, and its run shows as an active then drained control edge.
    const runs = r.messages.filter((m) => m.type === "node_update" && m.node_id === "adder" && m.status === "completed");
    expect(runs).toHaveLength(1);
    const edge = r.messages.filter((m) => m.type === "edge_update" && m.edge_id === "ctl").map((m) => (m as { status: string }).status);
    expect(edge).toEqual(["active", "drained"]);
  });

  it("a controlled node the controller never calls does not run, and its outputs stay empty", async () => {
    const r = await runGraph(controlledAdder("claude-plain"), { llm: up.llm });
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ sum: null, text: "Hello from Claude" });
  });

  it("an edge into __control__ is a control edge even without edge_type, and validates", async () => {
    up.anthropic.on("claude-adder-2", (req, res) =>
      anthropicToolResults(req.body).length === 0
        ? streamAnthropicTurn(req, res, { calls: [{ id: "t1", name: "adder", args: { a: 40 } }] })
        : streamAnthropicTurn(req, res, { text: "done" }),
    );
    // b keeps the node's own value (2) where the call does not set it.
    const r = await runGraph(controlledAdder("claude-adder-2", { edgeType: false, adderData: { b: 2 } }), { llm: up.llm });
    expect(r.result).toEqual({ sum: 42, text: "done" });
  });

  it("a failing controlled run is reported to the model, not a failed job", async () => {
    up.anthropic.on("claude-bad-args", (req, res) =>
      anthropicToolResults(req.body).length === 0
        ? streamAnthropicTurn(req, res, { calls: [{ id: "t1", name: "adder", args: { a: "not a number" } }] })
        : streamAnthropicTurn(req, res, { text: anthropicToolResults(req.body)[0].content }),
    );
    const r = await runGraph(controlledAdder("claude-bad-args"), { llm: up.llm });
    expect(r.status).toBe("completed");
    const reported = JSON.parse(String(r.result.text)) as { status: string; error: string };
    expect(reported.status).toBe("error");
    expect(reported.error).toMatch(/Add: a must be a number/);
    expect(r.result.sum).toBeNull();
    expect(logsOf(r.messages).some((l) => l.includes("A run requested by a controller failed"))).toBe(true);
  });

  it("ControlAgent decides parameters from its context and its __control_output__ runs the controlled node", async () => {
    up.openai.on("control-decider", (req, res) => streamOpenAITurn(req, res, { text: '{"a": 4, "b": 5}' }));
    const g = GraphSchema.parse({
      nodes: [
        { id: "ctx", type: "nodetool.input.StringInput", data: { name: "note", value: "use four and five" } },
        { id: "ca", type: "nodetool.agents.ControlAgent", data: { model: model("openai", "control-decider") } },
        { id: "adder", type: "lib.math.Add", data: { a: 1, b: 1 } },
        { id: "sum", type: "nodetool.output.Output", data: { name: "sum" } },
      ],
      edges: [
        { id: "c0", source: "ctx", sourceHandle: "output", target: "ca", targetHandle: "note" },
        { id: "c1", source: "ca", sourceHandle: "__control_output__", target: "adder", targetHandle: "__control__", edge_type: "control" },
        { id: "c2", source: "adder", sourceHandle: "output", target: "sum", targetHandle: "value" },
      ],
    });
    const r = await runGraph(g, { llm: up.llm });
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ sum: 9 });
    const sent = requestsFor(up.openai, "control-decider")[0].body!;
    expect(sent.response_format).toEqual({ type: "json_object" });
    const user = (sent.messages as { content: string }[])[1].content;
    expect(user).toContain('"node_type": "lib.math.Add"');
    expect(user).toContain("note: use four and five");
    expect(outputsOf(r.messages, "__control_output__")).toEqual([]);
  });

  it("runs NodeTool's search example shape: ClaudeAgent -> (control) BingSearch, text -> SaveJSON-like sink", async () => {
    const queries: string[] = [];
    const search: SearchService = {
      search: async (engine, params) => {
        queries.push(`${engine}:${params.q}`);
        return { organic_results: [{ position: 1, title: "FrameworkX", link: "https://x.example", snippet: "fast" }] };
      },
    };
    up.anthropic.on("claude-sonnet-4-6", (req, res) => {
      const results = anthropicToolResults(req.body);
      if (results.length === 0) return streamAnthropicTurn(req, res, { calls: [{ id: "tb", name: "bing_search", args: { query: "emerging AI frameworks 2026" } }] });
      const found = JSON.parse(results[0].content) as { result: { results: { title: string }[] } };
      return streamAnthropicTurn(req, res, { text: `Overview: ${found.result.results[0].title}` });
    });
    const g = GraphSchema.parse({
      nodes: [
        { id: "claude-agent", type: "anthropic.agents.ClaudeAgent", data: { prompt: "Use the Bing Search tool.", model: { type: "language_model", provider: "anthropic", id: "claude-sonnet-4-6", name: "Claude Sonnet 4.6" }, system_prompt: "You are a technology analyst.", max_turns: 10, allowed_tools: [], permission_mode: "acceptEdits", use_claude_credentials: true } },
        { id: "search", type: "search.bing.BingSearch", data: { query: "", num_results: 10 }, ui_properties: { title: "Bing Search" } },
        { id: "save", type: "nodetool.output.Output", data: { name: "analysis" } },
      ],
      edges: [
        { id: "e-control-search", source: "claude-agent", sourceHandle: "__control__", target: "search", targetHandle: "__control__", edge_type: "control", ui_properties: {} },
        { id: "e-agent-to-save", source: "claude-agent", sourceHandle: "text", target: "save", targetHandle: "value", ui_properties: { className: "str" } },
      ],
    });
    const r = await runGraph(g, { llm: up.llm, search });
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ analysis: "Overview: FrameworkX" });
    expect(queries).toEqual(["bing:emerging AI frameworks 2026"]);
    const tool = (requestsFor(up.anthropic, "claude-sonnet-4-6")[0].body!.tools as { name: string; input_schema: { properties: Record<string, { default?: unknown }> } }[])[0];
    expect(tool.name).toBe("bing_search");
    expect(tool.input_schema.properties.num_results.default).toBe(10);
  });

  it("a cycle through a control edge is a validation error", async () => {
    const g = GraphSchema.parse({
      nodes: [
        { id: "claude", type: "anthropic.agents.ClaudeAgent", data: { prompt: "x" } },
        { id: "adder", type: "lib.math.Add", data: {} },
      ],
      edges: [
        { id: "c1", source: "claude", sourceHandle: "__control__", target: "adder", targetHandle: "__control__", edge_type: "control" },
        { id: "c2", source: "adder", sourceHandle: "output", target: "claude", targetHandle: "prompt" },
      ],
    });
    const err = (await run(g).catch((e: unknown) => e)) as { issues: { message: string }[] };
    expect(err.issues.map((i) => i.message)).toEqual(["node 'claude' is part of a cycle", "node 'adder' is part of a cycle"]);
  });

  it("plain graphs still run as before (the graph helper builds no control edges)", async () => {
    const r = await run(graph([{ id: "a", type: "lib.math.Add", data: { a: 1, b: 2 } }, { id: "o", type: "nodetool.output.Output", data: { name: "o" } }], [["a", "output", "o", "value"]]));
    expect(r.result).toEqual({ o: 3 });
  });
});
