import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ToolCallAssembler } from "../../engine/providers/tool-calls";
import type { SearchService } from "../../engine/search/search-service";
import { GraphSchema } from "../../schema/workflow";
import { anthropicToolResults, openAIToolResults, streamAnthropicTurn, streamOpenAITurn } from "../e2e/chat-upstreams";
import { logsOf, model, outputsOf, requestsFor, runGraph, startUpstreams, type Upstreams } from "./agents-helpers";

/** The generator nodes and the structured-output agents against loopback OpenAI and Anthropic servers. */

let up: Upstreams;
beforeAll(async () => {
  up = await startUpstreams();
});
afterAll(() => up.close());

/** A graph of one node feeding Output nodes: `wires` maps the node's handle to the output's name. */
function single(type: string, data: Record<string, unknown>, wires: Record<string, string>, dynamic_outputs?: Record<string, unknown>) {
  return GraphSchema.parse({
    nodes: [{ id: "n", type, data, ...(dynamic_outputs ? { dynamic_outputs } : {}) }, ...Object.values(wires).map((name) => ({ id: `o-${name}`, type: "nodetool.output.Output", data: { name } }))],
    edges: Object.entries(wires).map(([handle, name], i) => ({ id: `e${i}`, source: "n", sourceHandle: handle, target: `o-${name}`, targetHandle: "value" })),
  });
}

const VEG_COLUMNS = { type: "record_type", columns: [{ name: "name", data_type: "string", description: "" }, { name: "color", data_type: "string", description: "" }] };

describe("DataGenerator", () => {
  it("streams one record per generate_data call and ends with NodeTool's dataframe", async () => {
    up.openai.on("data-veg", (req, res) => {
      if (openAIToolResults(req.body).length > 0) return streamOpenAITurn(req, res, { text: "Done." });
      return streamOpenAITurn(req, res, {
        calls: [
          { id: "r1", name: "generate_data", args: { name: "carrot", color: "orange" } },
          { id: "r2", name: "generate_data", args: { name: "pea", color: "green", extra: "dropped" } },
          { id: "r3", name: "generate_data", args: { name: "beet" } },
        ],
      });
    });
    const g = single("nodetool.generators.DataGenerator", { model: model("openai", "data-veg"), prompt: "Generate a table of veggies", columns: VEG_COLUMNS }, { record: "records", dataframe: "df", output: "preview" });
    const r = await runGraph(g, { llm: up.llm });
    expect(r.status).toBe("completed");
    expect(r.outputs.records).toEqual([
      { name: "carrot", color: "orange" },
      { name: "pea", color: "green" },
      { name: "beet", color: null },
    ]);
    const df = {
      type: "dataframe",
      uri: "",
      asset_id: null,
      columns: [
        { name: "name", data_type: "string", description: "" },
        { name: "color", data_type: "string", description: "" },
      ],
      data: [
        ["carrot", "orange"],
        ["pea", "green"],
        ["beet", null],
      ],
    };
    expect(r.result.df).toEqual(df);
    expect(r.result.preview).toEqual(df);
    const tool = (requestsFor(up.openai, "data-veg")[0].body!.tools as { function: { name: string; parameters: unknown } }[])[0].function;
    expect(tool).toEqual({
      name: "generate_data",
      description: "Generate a record according to the schema",
      parameters: { type: "object", properties: { name: { type: "string" }, color: { type: "string" } }, required: ["name", "color"], additionalProperties: false },
    });
    // Three calls, three results, one per call id, then the model's closing turn.
    expect(openAIToolResults(requestsFor(up.openai, "data-veg")[1].body).map((t) => t.tool_call_id)).toEqual(["r1", "r2", "r3"]);
  });

  it("also runs on Anthropic, and refuses an empty column list", async () => {
    up.anthropic.on("claude-data", (req, res) =>
      anthropicToolResults(req.body).length > 0
        ? streamAnthropicTurn(req, res, { text: "ok" })
        : streamAnthropicTurn(req, res, { text: "Here:", calls: [{ id: "tu1", name: "generate_data", args: { name: "kale", color: "green" } }] }),
    );
    const g = single("nodetool.generators.DataGenerator", { model: model("anthropic", "claude-data"), prompt: "veg", columns: VEG_COLUMNS }, { dataframe: "df" });
    expect((await runGraph(g, { llm: up.llm })).result.df).toMatchObject({ data: [["kale", "green"]] });
    const empty = await runGraph(single("nodetool.generators.DataGenerator", { model: model("anthropic", "claude-data"), prompt: "veg" }, { dataframe: "df" }), { llm: up.llm });
    expect(empty.status).toBe("failed");
    expect(empty.error).toMatch(/needs columns/);
  });
});

describe("SVGGenerator, ChartGenerator, StructuredOutputGenerator, Extractor", () => {
  it("SVGGenerator returns the SVG element from the reply, and fails when there is none", async () => {
    up.openai.on("svg-ok", (req, res) => streamOpenAITurn(req, res, { text: 'Sure!\n<svg width="10" height="10"><circle r="4"/></svg>\nEnjoy' }));
    const r = await runGraph(single("nodetool.generators.SVGGenerator", { model: model("openai", "svg-ok"), prompt: "a dot" }, { output: "svg" }), { llm: up.llm });
    expect(r.result.svg).toEqual([{ type: "svg_element", content: '<svg width="10" height="10"><circle r="4"/></svg>' }]);
    const bad = await runGraph(single("nodetool.generators.SVGGenerator", { model: model("openai", "gpt-4o"), prompt: "a dot" }, { output: "svg" }), { llm: up.llm });
    expect(bad.error).toMatch(/No valid SVG content found/);
  });

  it("ChartGenerator sends columns and rows and returns the Plotly config", async () => {
    const config = { data: [{ type: "scatter", x: [2020, 2021], y: [1, 3], mode: "lines" }], layout: { title: "Value over Year" } };
    up.openai.on("chart", (req, res) => streamOpenAITurn(req, res, { text: JSON.stringify(config) }));
    const data = { type: "dataframe", columns: [{ name: "Year", data_type: "int" }, { name: "Value", data_type: "float" }], data: [[2020, 1], [2021, 3]] };
    const r = await runGraph(single("nodetool.generators.ChartGenerator", { model: model("openai", "chart"), prompt: "make a line graph of Value over Year", data }, { output: "chart" }), { llm: up.llm });
    expect(r.result.chart).toEqual({ type: "plotly_config", config });
    const user = (requestsFor(up.openai, "chart")[0].body!.messages as { content: string }[])[1].content;
    expect(user).toContain('"name": "Year"');
    expect(user).toContain("[[2020,1],[2021,3]]");
  });

  it("StructuredOutputGenerator and Extractor emit the fields of their dynamic outputs", async () => {
    up.openai.on("structured", (req, res) => streamOpenAITurn(req, res, { text: '```json\n{"name": "Ada", "age": 36, "tags": ["math"]}\n```' }));
    const outputs = { name: { type: "str" }, age: { type: "int" }, tags: { type: "list", type_args: [{ type: "str" }] } };
    const gen = await runGraph(single("nodetool.generators.StructuredOutputGenerator", { model: model("openai", "structured"), instructions: "a person" }, { name: "name", age: "age", tags: "tags" }, outputs), { llm: up.llm });
    expect(gen.result).toEqual({ name: "Ada", age: 36, tags: ["math"] });
    const ext = await runGraph(single("nodetool.agents.Extractor", { model: model("openai", "structured"), text: "Ada, 36, likes math" }, { name: "name", age: "age" }, outputs), { llm: up.llm });
    expect(ext.result).toEqual({ name: "Ada", age: 36 });
    const sent = requestsFor(up.openai, "structured").at(-1)!.body!;
    expect((sent.messages as { content: string }[])[1].content).toContain("<TEXT>\nAda, 36, likes math\n</TEXT>");
    expect((sent.response_format as { json_schema: { schema: { properties: Record<string, unknown> } } }).json_schema.schema.properties.tags).toEqual({ type: "array", items: { type: "string" } });
    const none = await runGraph(single("nodetool.agents.Extractor", { model: model("openai", "structured"), text: "x" }, {}), { llm: up.llm });
    expect(none.error).toMatch(/needs at least one output field/);
  });
});

describe("ResearchAgent and ClaudeAgent tools", () => {
  it("ResearchAgent searches with its default tools and returns summary and findings", async () => {
    const search: SearchService = { search: async (_e, p) => ({ organic_results: [{ title: `${p.q} paper`, link: "https://example.org/p", snippet: "s" }] }) };
    up.openai.on("research", (req, res) => {
      const results = openAIToolResults(req.body);
      if (results.length === 0) return streamOpenAITurn(req, res, { calls: [{ id: "q1", name: "google_search", args: { query: "solid state batteries" } }] });
      const hit = (JSON.parse(results[0].content) as { results: { title: string; link: string }[] }).results[0];
      return streamOpenAITurn(req, res, { text: JSON.stringify({ summary: "Promising.", findings: [{ title: hit.title, summary: "one", source: hit.link }] }) });
    });
    const r = await runGraph(single("nodetool.agents.ResearchAgent", { model: model("openai", "research"), objective: "solid state batteries" }, { text: "summary", findings: "findings" }), { llm: up.llm, search });
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ summary: "Promising.", findings: [{ title: "solid state batteries paper", summary: "one", source: "https://example.org/p" }] });
    // browser (the other default tool) needs services.http, which this run lacks.
    expect(logsOf(r.messages).some((l) => l.includes("Tool 'browser' is not available"))).toBe(true);
  });

  it("ClaudeAgent maps Claude Code's tool names, leaves out Bash, and streams its text on chunk", async () => {
    up.anthropic.on("claude-ls", (req, res) => {
      const tools = (req.body!.tools as { name: string }[]).map((t) => t.name).join(",");
      return streamAnthropicTurn(req, res, { text: `tools: ${tools}` });
    });
    const ws = { list: async () => [], read: async () => new Uint8Array(), write: async () => ({ path: "", size: 0, isDirectory: false, modified: 0, contentType: null }), stat: async () => null, mkdir: async () => ({ path: "", size: 0, isDirectory: true, modified: 0, contentType: null }), delete: async () => {}, move: async () => {}, copy: async () => {} };
    const g = single("anthropic.agents.ClaudeAgent", { model: model("anthropic", "claude-ls"), prompt: "look", allowed_tools: ["Read", "Write", "Bash", "LS"], permission_mode: "plan" }, { text: "text", chunk: "chunks" });
    const r = await runGraph(g, { llm: up.llm, workspace: ws });
    expect(r.result.text).toBe("tools: read_file,list_directory");
    expect((outputsOf(r.messages, "chunk") as unknown[]).length).toBe(0); // wired: chunks go to the Output, not output_update
    expect((r.outputs.chunks as { content: string }[]).map((c) => c.content).join("")).toBe("tools: read_file,list_directory");
    expect(logsOf(r.messages).some((l) => l.includes("Claude Code tool 'Bash' is not available"))).toBe(true);
    const empty = await runGraph(single("anthropic.agents.ClaudeAgent", { prompt: "  " }, { text: "text" }), { llm: up.llm });
    expect(empty.error).toMatch(/Prompt is required/);
  });
});

describe("ToolCallAssembler", () => {
  it("assembles calls whose id, name and arguments arrive in fragments, one call after another", () => {
    const a = new ToolCallAssembler();
    expect(a.push([{ index: 0, id: "c0", type: "function", function: { name: "f", arguments: "" } }])).toEqual([]);
    expect(a.push([{ index: 0, function: { arguments: '{"x":' } }])).toEqual([]);
    expect(a.push([{ index: 0, function: { arguments: "1}" } }])).toEqual([]);
    const first = a.push([{ index: 1, id: "c1", function: { name: "g", arguments: "{not json" } }]);
    expect(first).toEqual([{ id: "c0", name: "f", arguments: '{"x":1}', args: { x: 1 } }]);
    expect(a.finish()).toEqual([{ id: "c1", name: "g", arguments: "{not json", args: {}, argumentsError: "the arguments were not valid JSON" }]);
    const b = new ToolCallAssembler(10);
    expect(() => b.push([{ index: 0, id: "x", function: { name: "h", arguments: "x".repeat(11) } }])).toThrow(/exceed 10 characters/);
  });
});
