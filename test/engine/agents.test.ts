import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineServices } from "../../engine/registry/types";
import type { SearchService } from "../../engine/search/search-service";
import type { HttpRequest, HttpResponse, HttpService } from "../../engine/web/http-service";
import { WorkspaceError, type WorkspaceEntry, type WorkspaceService } from "../../engine/workspace/workspace-service";
import { openAIToolResults, streamOpenAITurn, type ScriptedCall } from "../e2e/chat-upstreams";
import { logsOf, model, outputsOf, requestsFor, runGraph, startUpstreams, type Upstreams } from "./agents-helpers";
import { graph } from "./helpers";

/**
 * nodetool.agents.Agent's tool loop through the real executor, against a loopback server speaking OpenAI's
 * streaming protocol (tool calls streamed as argument fragments), with the host services implemented by
 * small in-test classes (search, workspace) and a loopback web server (HTTP).
 */

let up: Upstreams;
let web: Server;
let webUrl = "";

beforeAll(async () => {
  up = await startUpstreams();
  web = createServer((req, res) => {
    if (req.url === "/page") {
      res.writeHead(200, { "content-type": "text/html" }).end("<html><head><title>Widgets</title><script>var x=1</script></head><body><h1>Widgets</h1><p>Blue &amp; green.</p></body></html>");
    } else res.writeHead(404).end("no");
  });
  await new Promise<void>((r) => web.listen(0, "127.0.0.1", () => r()));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await up.close();
  web.closeAllConnections();
  await new Promise((r) => web.close(r));
});

/** A search provider that answers from a fixed index and records the queries. */
class TinySearch implements SearchService {
  queries: string[] = [];
  async search(engine: string, params: Record<string, string | number | boolean>) {
    this.queries.push(`${engine}:${params.q}`);
    return { organic_results: [1, 2, 3].map((i) => ({ title: `${params.q} result ${i}`, link: `https://example.com/${i}`, snippet: `about ${params.q} #${i}` })) };
  }
}

/** A workspace in memory. */
class MemoryWorkspace implements WorkspaceService {
  files = new Map<string, Uint8Array>();
  async read(path: string) {
    const f = this.files.get(path);
    if (!f) throw new WorkspaceError(`no file ${path}`, "not_found");
    return f;
  }
  async write(path: string, bytes: Uint8Array): Promise<WorkspaceEntry> {
    this.files.set(path, bytes);
    return { path, size: bytes.byteLength, isDirectory: false, modified: 0, contentType: null };
  }
  async stat(path: string) {
    const f = this.files.get(path);
    return f ? { path, size: f.byteLength, isDirectory: false, modified: 0, contentType: null } : null;
  }
  async list(folder: string) {
    return [...this.files.keys()].filter((p) => p.startsWith(folder)).map((path) => ({ path, size: this.files.get(path)!.byteLength, isDirectory: false, modified: 0, contentType: null }));
  }
  async mkdir(path: string): Promise<WorkspaceEntry> {
    return { path, size: 0, isDirectory: true, modified: 0, contentType: null };
  }
  async delete() {}
  async move() {}
  async copy() {}
}

/** Plain fetch: the engine only sees the interface; the Worker puts its fetch guard behind it. */
class LoopbackHttp implements HttpService {
  async request(r: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    const res = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body as string | undefined, signal });
    return { status: res.status, url: res.url, headers: {}, contentType: res.headers.get("content-type") ?? "", bytes: new Uint8Array(await res.arrayBuffer()) };
  }
}

/** A model that makes the given calls on its first turn, then answers with `answer(results)`. */
function script(name: string, calls: ScriptedCall[], answer: (results: { tool_call_id: string; content: string }[]) => string) {
  up.openai.on(name, (req, res) => {
    const results = openAIToolResults(req.body);
    if (results.length === 0) return streamOpenAITurn(req, res, { text: "Let me look.", calls });
    return streamOpenAITurn(req, res, { text: answer(results) });
  });
}

const agentGraph = (id: string, data: Record<string, unknown>) =>
  graph(
    [
      { id: "agent", type: "nodetool.agents.Agent", data: { model: model("openai", id), ...data } },
      { id: "out", type: "nodetool.output.Output", data: { name: "answer" } },
    ],
    [["agent", "text", "out", "value"]],
  );

describe("Agent tool loop (OpenAI protocol)", () => {
  it("sends the tools, runs the streamed call, feeds the result back and answers", async () => {
    const search = new TinySearch();
    script("agent-search", [{ id: "call_s1", name: "google_search", args: { query: "blue widgets", num_results: 2 } }], (results) => {
      const r = JSON.parse(results[0].content) as { results: { title: string }[] };
      return `Found: ${r.results.map((x) => x.title).join("; ")}`;
    });
    const r = await runGraph(agentGraph("agent-search", { prompt: "find widgets", tools: [{ type: "tool_name", name: "google_search" }] }), { llm: up.llm, search });
    expect(r.status).toBe("completed");
    expect(r.result.answer).toBe("Found: blue widgets result 1; blue widgets result 2");
    expect(search.queries).toEqual(["google:blue widgets"]);
    // Chunks of both turns streamed as they came; `text` is the final answer only.
    expect((outputsOf(r.messages, "chunk") as { content: string }[]).map((c) => c.content).join("")).toBe(`Let me look.${r.result.answer}`);

    const [first, second] = requestsFor(up.openai, "agent-search");
    const tools = first.body!.tools as { type: string; function: { name: string; parameters: { required: string[] } } }[];
    expect(tools.map((t) => t.function.name)).toEqual(["google_search"]);
    expect(tools[0].function.parameters.required).toEqual(["query"]);
    const messages = second.body!.messages as { role: string; tool_calls?: unknown[]; tool_call_id?: string }[];
    expect(messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool"]);
    expect(messages[2].tool_calls).toEqual([{ id: "call_s1", type: "function", function: { name: "google_search", arguments: '{"query":"blue widgets","num_results":2}' } }]);
    expect(messages[3].tool_call_id).toBe("call_s1");
  });

  it("runs several calls of one turn in order, and reports a failing or unknown tool to the model instead of failing", async () => {
    const ws = new MemoryWorkspace();
    script(
      "agent-files",
      [
        { id: "c1", name: "write_file", args: { path: "notes/a.txt", content: "alpha" } },
        { id: "c2", name: "read_file", args: { path: "notes/a.txt" } },
        { id: "c3", name: "read_file", args: { path: "missing.txt" } },
        { id: "c4", name: "launch_rockets", args: {} },
      ],
      (results) => results.map((x) => x.content).join(" | "),
    );
    const r = await runGraph(agentGraph("agent-files", { prompt: "files", tools: ["write_file", "read_file"] }), { llm: up.llm, workspace: ws });
    expect(r.status).toBe("completed");
    expect(new TextDecoder().decode(ws.files.get("notes/a.txt"))).toBe("alpha");
    const parts = String(r.result.answer).split(" | ").map((p) => JSON.parse(p) as Record<string, unknown>);
    expect(parts[0]).toMatchObject({ success: true, path: "notes/a.txt" });
    expect(parts[1]).toMatchObject({ success: true, content: "alpha" });
    expect(parts[2]).toEqual({ error: "no file missing.txt" });
    expect(parts[3]).toEqual({ error: "Unknown tool: launch_rockets" });
  });

  it("opens a page with the browser tool through services.http", async () => {
    script("agent-browse", [{ id: "b1", name: "browser", args: { url: `${webUrl}/page` } }], (results) => {
      const page = JSON.parse(results[0].content) as { title: string; content: string; status: number };
      return `${page.status} ${page.title}: ${page.content.replace(/\n/g, " / ")}`;
    });
    const r = await runGraph(agentGraph("agent-browse", { prompt: "read it", tools: [{ name: "browser" }] }), { llm: up.llm, http: new LoopbackHttp() });
    expect(r.result.answer).toBe("200 Widgets: Widgets / Blue & green.");
  });

  it("leaves out tools whose service the host does not offer, saying so", async () => {
    const r = await runGraph(agentGraph("gpt-4o-mini", { prompt: "hi", tools: ["google_search"] }), { llm: up.llm });
    expect(r.result.answer).toBe("echo: hi");
    expect(logsOf(r.messages).some((l) => l.includes("Tool 'google_search' is not available"))).toBe(true);
    expect(requestsFor(up.openai, "gpt-4o-mini").at(-1)!.body!.tools).toBeUndefined();
  });

  it("stops a model that keeps calling tools at the iteration bound", async () => {
    let turns = 0;
    up.openai.on("agent-forever", (req, res) => {
      turns++;
      return streamOpenAITurn(req, res, { text: `turn ${turns}. `, calls: [{ id: `f${turns}`, name: "list_directory", args: { path: "" } }] });
    });
    const r = await runGraph(agentGraph("agent-forever", { prompt: "loop", tools: ["list_directory"] }), { llm: up.llm, workspace: new MemoryWorkspace() });
    expect(r.status).toBe("completed");
    expect(turns).toBe(25);
    expect(r.result.answer).toBe("turn 25. ");
    expect(logsOf(r.messages).some((l) => l.includes("stopped after 25 model turns"))).toBe(true);
  });

  it("fills {{ name }} placeholders of the prompt from dynamic inputs and edges into unknown handles", async () => {
    const g = graph(
      [
        { id: "brief", type: "nodetool.input.StringInput", data: { name: "brief", value: "a solar lamp" } },
        {
          id: "agent",
          type: "nodetool.agents.Agent",
          data: { model: model("openai", "gpt-4o-mini"), prompt: "Brief: {{ brief }} for {{ audience }}." },
          dynamic_properties: { brief: "", audience: "campers" },
        },
        { id: "out", type: "nodetool.output.Output", data: { name: "answer" } },
      ],
      [
        ["brief", "output", "agent", "brief"],
        ["agent", "text", "out", "value"],
      ],
    );
    const r = await runGraph(g, { llm: up.llm });
    expect(r.status).toBe("completed");
    expect(r.result.answer).toBe("echo: Brief: a solar lamp for campers.");
  });

  it("asks for one JSON object for dynamic outputs and emits each field on its output", async () => {
    up.openai.on("agent-structured", (req, res) => streamOpenAITurn(req, res, { text: '```json\n{"summary": "All good", "score": 7}\n```' }));
    const g = graph(
      [
        {
          id: "agent",
          type: "nodetool.agents.Agent",
          data: { model: model("openai", "agent-structured"), prompt: "rate it" },
          // @ts-expect-error: the graph helper's node spec has no dynamic_outputs; GraphSchema keeps it
          dynamic_outputs: { summary: { type: "str" }, score: { type: "int" } },
        },
        { id: "s", type: "nodetool.output.Output", data: { name: "summary" } },
        { id: "n", type: "nodetool.output.Output", data: { name: "score" } },
      ],
      [
        ["agent", "summary", "s", "value"],
        ["agent", "score", "n", "value"],
      ],
    );
    const r = await runGraph(g, { llm: up.llm });
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ summary: "All good", score: 7 });
    const format = requestsFor(up.openai, "agent-structured")[0].body!.response_format as { type: string; json_schema: { schema: Record<string, unknown>; strict: boolean } };
    expect(format.type).toBe("json_schema");
    expect(format.json_schema.schema).toEqual({
      type: "object",
      additionalProperties: false,
      required: ["summary", "score"],
      properties: { summary: { type: "string" }, score: { type: "integer" } },
    });
    expect(format.json_schema.strict).toBe(true);
  });

  it("keeps a thread: CreateThread's id lets a second Agent see the first one's exchange", async () => {
    const g = graph(
      [
        { id: "thread", type: "nodetool.agents.CreateThread", data: { thread_id: "t-demo" } },
        { id: "a1", type: "nodetool.agents.Agent", data: { model: model("openai", "gpt-4o-mini"), prompt: "first" } },
        { id: "a2", type: "nodetool.agents.Agent", data: { model: model("openai", "gpt-4o"), prompt: "second" } },
        { id: "out", type: "nodetool.output.Output", data: { name: "answer" } },
      ],
      [
        ["thread", "thread_id", "a1", "thread_id"],
        ["a1", "text", "a2", "system"],
        ["thread", "thread_id", "a2", "thread_id"],
        ["a2", "text", "out", "value"],
      ],
    );
    const ws = new MemoryWorkspace();
    const r = await runGraph(g, { llm: up.llm, workspace: ws });
    expect(r.status).toBe("completed");
    const sent = requestsFor(up.openai, "gpt-4o").at(-1)!.body!.messages;
    expect(sent).toEqual([
      { role: "system", content: "echo: first" },
      { role: "user", content: "first" },
      { role: "assistant", content: "echo: first" },
      { role: "user", content: "second" },
    ]);
    const stored = JSON.parse(new TextDecoder().decode(ws.files.get(".threads/t-demo.json"))) as { messages: unknown[] };
    expect(stored.messages).toHaveLength(4);
  });
});

describe("nodetool.llms.LLM with tools", () => {
  it("runs the same loop and returns the final text, reporting chunks as progress", async () => {
    const search = new TinySearch();
    script("llm-search", [{ id: "l1", name: "google_news", args: { query: "tides" } }], (results) => `news: ${results.length}`);
    const g = graph(
      [
        { id: "llm", type: "nodetool.llms.LLM", data: { model: model("openai", "llm-search"), prompt: "news?", tools: [{ name: "google_news" }] } },
        { id: "out", type: "nodetool.output.Output", data: { name: "answer" } },
      ],
      [["llm", "text", "out", "value"]],
    );
    const r = await runGraph(g, { llm: up.llm, search });
    expect(r.result.answer).toBe("news: 1");
    expect(search.queries).toEqual(["google_news:tides"]);
    const progress = r.messages.filter((m) => m.type === "node_progress").map((m) => (m as { chunk?: string }).chunk).join("");
    expect(progress).toBe("Let me look.news: 1");
  });
});

describe("a saved workflow as a tool", () => {
  it("calls workflow_<name> through services.workflows with the model's arguments", async () => {
    const calls: [string, Record<string, unknown>][] = [];
    const workflows: EngineServices["workflows"] = {
      list: async () => [{ id: "wf-1", name: "workflow_double_it", description: "Doubles a number", inputSchema: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] } }],
      describe: async () => null,
      run: async (id, params) => {
        calls.push([id, params]);
        return { doubled: Number(params.n) * 2 };
      },
    };
    script("agent-workflow", [{ id: "w1", name: "workflow_double_it", args: { n: 21 } }], (results) => results[0].content);
    const r = await runGraph(agentGraph("agent-workflow", { prompt: "double 21", tools: [{ name: "workflow_double_it" }] }), { llm: up.llm, workflows });
    expect(calls).toEqual([["wf-1", { n: 21 }]]);
    expect(JSON.parse(String(r.result.answer))).toEqual({ doubled: 42 });
    const tools = requestsFor(up.openai, "agent-workflow")[0].body!.tools as { function: { name: string; description: string } }[];
    expect(tools[0].function).toMatchObject({ name: "workflow_double_it", description: "Doubles a number" });
  });
});
