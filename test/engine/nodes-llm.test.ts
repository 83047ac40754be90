import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { ChatService } from "../../engine/providers/service";
import type { ChatSettings } from "../../engine/providers/types";
import type { EngineServices } from "../../engine/registry/types";
import type { EngineMessage } from "../../schema/messages";
import type { Graph } from "../../schema/workflow";
import { WorkflowInputSchema } from "../../schema/workflow";
import {
  ANTHROPIC_KEY,
  chunkEvent,
  completion,
  OPENAI_KEY,
  sseHead,
  startAnthropicUpstream,
  startOpenAIUpstream,
  streamPieces,
  type Received,
  type Upstream,
} from "../e2e/chat-upstreams";
import { graph, registry } from "./helpers";

/**
 * The LLM nodes through the real executor, against loopback upstreams speaking OpenAI's and Anthropic's
 * protocols, with the provider layer constructed here as the Worker constructs it.
 */

let openai: Awaited<ReturnType<typeof startOpenAIUpstream>>;
let anthropic: Upstream;
let services: Partial<EngineServices>;

beforeAll(async () => {
  openai = await startOpenAIUpstream();
  anthropic = await startAnthropicUpstream();
  const settings: ChatSettings = {
    providers: [
      { name: "openai", kind: "openai", baseUrl: `${openai.url}/v1`, apiKey: OPENAI_KEY },
      { name: "anthropic", kind: "anthropic", baseUrl: anthropic.url, apiKey: ANTHROPIC_KEY },
      { name: "local", kind: "openai", baseUrl: `${openai.url}/local/v1`, apiKey: OPENAI_KEY },
    ],
    defaultModel: { provider: "local", model: "mistral" },
    aliases: {},
    problems: [],
  };
  services = { llm: new ChatService(settings, { log: () => {} }) };
});
afterAll(async () => {
  await openai.close();
  await anthropic.close();
});

const model = (provider: string, id: string) => ({ type: "language_model", provider, id, name: id });

async function runWith(g: Graph, opts: { services?: Partial<EngineServices>; params?: Record<string, unknown>; signal?: AbortSignal; onMessage?: (m: EngineMessage) => void } = {}) {
  const messages: EngineMessage[] = [];
  const result = await runWorkflow(g, opts.params ?? {}, {
    registry,
    services: opts.services ?? services,
    signal: opts.signal,
    emit: (m) => {
      messages.push(m);
      opts.onMessage?.(m);
    },
  });
  return { ...result, messages };
}

/** The last request a provider path received. */
function lastRequest(pathPart: string): Received {
  const reqs = openai.completions().filter((r) => r.path.includes(pathPart));
  return reqs[reqs.length - 1];
}

const outputsOf = (messages: EngineMessage[], output: string) =>
  messages.filter((m): m is Extract<EngineMessage, { type: "output_update" }> => m.type === "output_update" && m.output_name === output).map((m) => m.value);

describe("nodetool.agents.Agent", () => {
  it("streams the answer as chunks, then the whole text, with NodeTool's defaults in the request", async () => {
    const g = graph(
      [
        { id: "agent", type: "nodetool.agents.Agent", data: { model: model("openai", "gpt-4o-mini"), prompt: "hello there world" } },
        { id: "out", type: "nodetool.output.Output", data: { name: "answer" } },
      ],
      [["agent", "text", "out", "value"]],
    );
    const r = await runWith(g);
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ answer: "echo: hello there world" });
    const chunks = outputsOf(r.messages, "chunk") as { type: string; content: string; content_type: string; node_id: string }[];
    expect(chunks.length).toBe(4);
    expect(chunks.map((c) => c.content).join("")).toBe("echo: hello there world");
    expect(chunks[0]).toMatchObject({ type: "chunk", content_type: "text", node_id: "agent" });

    const sent = lastRequest("/v1/chat").body!;
    expect(sent).toMatchObject({ model: "gpt-4o-mini", stream: true, max_tokens: 8192 });
    expect(sent.messages).toEqual([
      { role: "system", content: "You are a friendly assistant" },
      { role: "user", content: "hello there world" },
    ]);
  });

  it("feeds its chunks to downstream nodes one by one", async () => {
    const g = graph(
      [
        { id: "agent", type: "nodetool.agents.Agent", data: { model: model("openai", "gpt-4o"), prompt: "a b c" } },
        { id: "count", type: "nodetool.control.Count", data: {} },
        { id: "out", type: "nodetool.output.Output", data: { name: "chunks" } },
      ],
      [
        ["agent", "chunk", "count", "input_item"],
        ["count", "output", "out", "value"],
      ],
    );
    expect((await runWith(g)).result).toEqual({ chunks: 4 }); // "echo: " "a " "b " "c"
  });

  it("routes provider anthropic to the Messages API and passes history and the system prompt", async () => {
    const g = graph(
      [
        {
          id: "agent",
          type: "nodetool.agents.Agent",
          data: {
            model: model("anthropic", "claude-sonnet-4"),
            system: "Be brief.",
            prompt: "Who are you?",
            history: [
              { role: "user", content: "Hi" },
              { role: "assistant", content: [{ type: "text", text: "Hello!" }] },
            ],
            max_tokens: 300,
          },
        },
        { id: "out", type: "nodetool.output.Output", data: { name: "answer" } },
      ],
      [["agent", "text", "out", "value"]],
    );
    const r = await runWith(g);
    expect(r.result).toEqual({ answer: "Hello from Claude" });
    const sent = anthropic.completions().at(-1)!.body!;
    expect(sent).toMatchObject({ model: "claude-sonnet-4", system: "Be brief.", max_tokens: 300, stream: true });
    expect(sent.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Hi" }] },
      { role: "assistant", content: [{ type: "text", text: "Hello!" }] },
      { role: "user", content: [{ type: "text", text: "Who are you?" }] },
    ]);
  });

  it("falls back to the configured default model when the model is empty", async () => {
    const g = graph(
      [
        { id: "agent", type: "nodetool.agents.Agent", data: { model: { type: "language_model", provider: "empty", id: "" }, prompt: "ping" } },
        { id: "out", type: "nodetool.output.Output", data: { name: "answer" } },
      ],
      [["agent", "text", "out", "value"]],
    );
    const before = openai.completions().filter((r) => r.path.startsWith("/local/")).length;
    expect((await runWith(g)).result).toEqual({ answer: "echo: ping" });
    const local = openai.completions().filter((r) => r.path.startsWith("/local/"));
    expect(local.length).toBe(before + 1);
    expect(local.at(-1)!.body!.model).toBe("mistral");
  });

  it("sends an image input as an image part", async () => {
    const pixel = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    const g = graph(
      [
        { id: "agent", type: "nodetool.agents.Agent", data: { model: model("openai", "gpt-4o"), prompt: "describe", image: { type: "image", uri: pixel } } },
        { id: "out", type: "nodetool.output.Output", data: { name: "answer" } },
      ],
      [["agent", "text", "out", "value"]],
    );
    expect((await runWith(g)).status).toBe("completed");
    const user = (lastRequest("/v1/chat").body!.messages as { role: string; content: unknown }[]).at(-1)!;
    expect(user.content).toEqual([
      { type: "text", text: "describe" },
      { type: "image_url", image_url: { url: pixel } },
    ]);
  });

  it("fails the run with the provider's error, without leaking the upstream key", async () => {
    const g = graph(
      [
        { id: "agent", type: "nodetool.agents.Agent", data: { model: model("openai", "status-429"), prompt: "x" } },
        { id: "out", type: "nodetool.output.Output", data: { name: "answer" } },
      ],
      [["agent", "text", "out", "value"]],
    );
    const r = await runWith(g);
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/Agent \(node agent\) failed: The provider .openai. is rate limiting requests/);
    expect(r.error).not.toContain(OPENAI_KEY);
    expect(r.error).not.toContain(openai.url);
  });

  it("fails with a clear message for a provider that is not configured, and without any provider service", async () => {
    const g = graph(
      [
        { id: "agent", type: "nodetool.agents.Agent", data: { model: model("gemini", "gemini-2.0-flash"), prompt: "x" } },
        { id: "out", type: "nodetool.output.Output", data: { name: "answer" } },
      ],
      [["agent", "text", "out", "value"]],
    );
    const unknown = await runWith(g);
    expect(unknown.status).toBe("failed");
    expect(unknown.error).toMatch(/Unknown provider 'gemini'.*configured providers: openai, anthropic, local/);

    const none = await runWith(g, { services: {} });
    expect(none.status).toBe("failed");
    expect(none.error).toMatch(/No language model provider is available/);
  });

  it("cancelling the run aborts the upstream request", async () => {
    const g = graph(
      [
        { id: "agent", type: "nodetool.agents.Agent", data: { model: model("openai", "endless"), prompt: "go" } },
        { id: "out", type: "nodetool.output.Output", data: { name: "answer" } },
      ],
      [["agent", "text", "out", "value"]],
    );
    const controller = new AbortController();
    const r = await runWith(g, {
      signal: controller.signal,
      onMessage: (m) => {
        if (m.type === "output_update" && m.output_name === "chunk") controller.abort();
      },
    });
    expect(r.status).toBe("cancelled");
    expect(await openai.closedEarly).toBe("endless");
  });
});

describe("nodetool.generators.ListGenerator", () => {
  it("emits each <LIST_ITEM> on item with its index, cleaned, and the whole list on output", async () => {
    const g = graph(
      [
        { id: "gen", type: "nodetool.generators.ListGenerator", data: { model: model("openai", "list-model"), prompt: "Three words", input_text: "about greek letters" } },
        { id: "items", type: "nodetool.output.Output", data: { name: "items" } },
        { id: "indexes", type: "nodetool.output.Output", data: { name: "indexes" } },
        { id: "all", type: "nodetool.output.Output", data: { name: "all" } },
      ],
      [
        ["gen", "item", "items", "value"],
        ["gen", "index", "indexes", "value"],
        ["gen", "output", "all", "value"],
      ],
    );
    const r = await runWith(g);
    expect(r.result).toEqual({ items: ["alpha", "beta bravo", "gamma"], indexes: [0, 1, 2], all: ["alpha", "beta bravo", "gamma"] });
    const sent = lastRequest("/v1/chat").body!;
    const msgs = sent.messages as { role: string; content: string }[];
    expect(msgs[0].role).toBe("system");
    expect(msgs[0].content).toContain("<LIST_ITEM>");
    expect(msgs[1]).toEqual({ role: "user", content: "Three words\n\nabout greek letters" });
    expect(sent.max_tokens).toBe(4096);
  });

  it("streams an item as soon as it is complete, before the model has finished", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let upstreamWaited: "released" | "gave up" | undefined;
    openai.on("list-gated", async (_req, res: ServerResponse) => {
      sseHead(res);
      res.write(chunkEvent("list-gated", { content: "<LIST_ITEM>first</LIST_" }));
      res.write(chunkEvent("list-gated", { content: "ITEM>\n<LIST_ITEM>sec" }));
      // The rest is held back until the run has delivered the first item; a buffering node would never
      // deliver it, so the upstream gives up after a while (and the test fails on what it saw).
      upstreamWaited = await Promise.race([gate.then(() => "released" as const), new Promise<"gave up">((r) => setTimeout(() => r("gave up"), 2000))]);
      res.write(chunkEvent("list-gated", { content: "ond</LIST_ITEM>" }));
      res.write(chunkEvent("list-gated", {}, "stop"));
      res.end("data: [DONE]\n\n");
    });
    const g = graph(
      [
        { id: "gen", type: "nodetool.generators.ListGenerator", data: { model: model("openai", "list-gated"), prompt: "two" } },
        { id: "items", type: "nodetool.output.Output", data: { name: "items" } },
      ],
      [["gen", "item", "items", "value"]],
    );
    const r = await runWith(g, {
      onMessage: (m) => {
        if (m.type === "output_update" && m.node_id === "items" && m.value === "first") release();
      },
    });
    expect(r.result).toEqual({ items: ["first", "second"] });
    expect(upstreamWaited).toBe("released");
  });

  it("runs ListGenerator -> ForEach -> FormatText -> Collect", async () => {
    const g = graph(
      [
        { id: "gen", type: "nodetool.generators.ListGenerator", data: { model: model("openai", "list-model"), prompt: "letters" } },
        { id: "each", type: "nodetool.control.ForEach", data: {} },
        { id: "fmt", type: "nodetool.text.FormatText", data: { template: "{{ i }}={{ word|upper }}" }, dynamic_properties: { word: "", i: "" } },
        { id: "collect", type: "nodetool.control.Collect", data: {} },
        { id: "out", type: "nodetool.output.Output", data: { name: "list" } },
      ],
      [
        ["gen", "output", "each", "input_list"],
        ["each", "output", "fmt", "word"],
        ["each", "index", "fmt", "i"],
        ["fmt", "output", "collect", "input_item"],
        ["collect", "output", "out", "value"],
      ],
    );
    expect((await runWith(g)).result).toEqual({ list: ["0=ALPHA", "1=BETA BRAVO", "2=GAMMA"] });
  });

  it("also runs with the streamed item wired into ForEach", async () => {
    const g = graph(
      [
        { id: "gen", type: "nodetool.generators.ListGenerator", data: { model: model("openai", "list-model"), prompt: "letters" } },
        { id: "each", type: "nodetool.control.ForEach", data: {} },
        { id: "fmt", type: "nodetool.text.FormatText", data: { template: "<{{ word }}>" }, dynamic_properties: { word: "" } },
        { id: "collect", type: "nodetool.control.Collect", data: {} },
        { id: "out", type: "nodetool.output.Output", data: { name: "list" } },
      ],
      [
        ["gen", "item", "each", "input_list"],
        ["each", "output", "fmt", "word"],
        ["fmt", "output", "collect", "input_item"],
        ["collect", "output", "out", "value"],
      ],
    );
    expect((await runWith(g)).result).toEqual({ list: ["<alpha>", "<beta bravo>", "<gamma>"] });
  });

  it("falls back to numbered lines when the model ignored the tags, and fails when there is no list", async () => {
    openai.on("list-numbered", (req, res) => streamPieces(req, res, ["Sure:\n1. one\n", "2. two", "\n- three\n"]));
    openai.on("list-none", (req, res) => streamPieces(req, res, ["I cannot help with that."]));
    const g = (id: string) =>
      graph(
        [
          { id: "gen", type: "nodetool.generators.ListGenerator", data: { model: model("openai", id), prompt: "x" } },
          { id: "items", type: "nodetool.output.Output", data: { name: "items" } },
        ],
        [["gen", "item", "items", "value"]],
      );
    expect((await runWith(g("list-numbered"))).result).toEqual({ items: ["one", "two", "three"] });
    const none = await runWith(g("list-none"));
    expect(none.status).toBe("failed");
    expect(none.error).toMatch(/did not find any <LIST_ITEM> tags/);
  });
});

describe("nodetool.agents.Summarizer, nodetool.agents.Classifier and nodetool.llms.LLM", () => {
  it("Summarizer streams chunks and fills {self.max_tokens} in its system prompt", async () => {
    const g = graph(
      [
        { id: "sum", type: "nodetool.agents.Summarizer", data: { model: model("openai", "gpt-4o-mini"), text: "long text here", max_tokens: 120 } },
        { id: "out", type: "nodetool.output.Output", data: { name: "summary" } },
        { id: "chunks", type: "nodetool.control.Collect", data: {} },
        { id: "n", type: "nodetool.output.Output", data: { name: "chunks" } },
      ],
      [
        ["sum", "text", "out", "value"],
        ["sum", "chunk", "chunks", "input_item"],
        ["chunks", "output", "n", "value"],
      ],
    );
    const r = await runWith(g);
    expect(r.result.summary).toBe("echo: long text here");
    expect((r.result.chunks as { content: string }[]).map((c) => c.content)).toEqual(["echo: ", "long ", "text ", "here"]);
    const system = (lastRequest("/v1/chat").body!.messages as { content: string }[])[0].content;
    expect(system).toContain("Aim for approximately 120 tokens.");
    expect(system).not.toContain("{self.max_tokens}");
  });

  it("Classifier returns one of the categories", async () => {
    openai.on("classify", (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunkEvent("classify", { content: '{"category": "Neg' }));
      res.write(chunkEvent("classify", { content: 'ative"}' }));
      res.end("data: [DONE]\n\n");
    });
    const g = graph(
      [
        { id: "cls", type: "nodetool.agents.Classifier", data: { model: model("openai", "classify"), text: "awful", categories: ["positive", "negative"] } },
        { id: "out", type: "nodetool.output.Output", data: { name: "label" } },
      ],
      [["cls", "output", "out", "value"]],
    );
    expect((await runWith(g)).result).toEqual({ label: "negative" });
    expect((lastRequest("/v1/chat").body!.messages as { content: string }[])[0].content).toContain('Allowed categories: ["positive","negative"]');
  });

  it("LLM returns the text and reports the pieces as progress", async () => {
    const g = graph(
      [
        { id: "llm", type: "nodetool.llms.LLM", data: { model: model("openai", "gpt-4o-mini"), prompt: "one two", messages: [{ role: "user", content: "earlier" }] } },
        { id: "out", type: "nodetool.output.Output", data: { name: "text" } },
      ],
      [["llm", "text", "out", "value"]],
    );
    const r = await runWith(g);
    expect(r.result).toEqual({ text: "echo: one two" });
    const progress = r.messages.filter((m): m is Extract<EngineMessage, { type: "node_progress" }> => m.type === "node_progress" && m.node_id === "llm");
    expect(progress.map((p) => p.chunk).join("")).toBe("echo: one two");
    expect(lastRequest("/v1/chat").body!.messages).toEqual([
      { role: "system", content: "You are a friendly assistant." },
      { role: "user", content: "earlier" },
      { role: "user", content: "one two" },
    ]);
  });

  it("takes a whole JSON completion from a server that ignores stream: true", async () => {
    openai.on("json-only", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(completion("json-only", "ignored")));
    });
    const g = graph(
      [
        { id: "llm", type: "nodetool.llms.LLM", data: { model: model("openai", "json-only"), prompt: "x" } },
        { id: "out", type: "nodetool.output.Output", data: { name: "text" } },
      ],
      [["llm", "text", "out", "value"]],
    );
    const r = await runWith(g);
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ text: "ignored" });
    expect(lastRequest("/v1/chat").body!.stream).toBe(true);
  });
});

describe("NodeTool example workflows built from LLM nodes", () => {
  const load = (name: string) => WorkflowInputSchema.parse(JSON.parse(readFileSync(new URL(`../fixtures/workflows/${name}`, import.meta.url), "utf8")));

  it("Brainstorm Headlines: ListGenerator -> ForEach -> FormatText -> Collect, with a live Preview", async () => {
    openai.on("gpt-4o-mini", (req, res) => {
      const user = (req.body!.messages as { role: string; content: string }[])[1].content;
      const topic = user.split("\n\n")[1];
      return streamPieces(req, res, [`<LIST_ITEM>${topic} opens</LIST_ITEM>`, `<LIST_ITEM>${topic} thrives</LIST_ITEM>`]);
    });
    try {
      const doc = load("llm-brainstorm-headlines.json");
      const r = await runWith(doc.graph, { params: { topic: "Carless town" } });
      expect(r.status).toBe("completed");
      expect(r.result).toEqual({ headlines: ["#0: Carless town opens", "#1: Carless town thrives"], "live items": ["Carless town opens", "Carless town thrives"] });
    } finally {
      openai.off("gpt-4o-mini");
    }
  });

  it("Summarize an Article and Answer a Question run unmodified", async () => {
    openai.on("gpt-4o-mini", (req, res) => {
      const msgs = req.body!.messages as { role: string; content: string }[];
      return streamPieces(req, res, ["[", msgs[0].content.trim().split("\n")[0], "] ", msgs[1].content]);
    });
    try {
      const summary = await runWith(load("llm-summarize-article.json").graph, { params: { article: "Bridge closes in May." } });
      expect(summary.result).toEqual({
        summary: "[You are an expert summarizer. Your task is to create clear, accurate, and concise summaries using Markdown for structuring.] Bridge closes in May.",
      });
      const answer = await runWith(load("llm-agent-answer.json").graph);
      expect(answer.result).toEqual({ answer: "[You are a concise science teacher.] Answer in one sentence: Why is the sky blue?" });
    } finally {
      openai.off("gpt-4o-mini");
    }
  });
});
