import OpenAI from "openai";
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ANTHROPIC_KEY,
  chunkEvent,
  collect,
  OPENAI_KEY,
  readAll,
  sseHead,
  startAnthropicUpstream,
  startOpenAIUpstream,
  type Received,
  type Upstream,
} from "./chat-upstreams";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

/**
 * The OpenAI-compatible proxy on the real Worker, driven by the official `openai` SDK (and raw fetch where
 * the wire matters), against loopback upstreams speaking OpenAI's and Anthropic's protocols.
 */

const TOKEN = "chat-e2e-token";
let state: string;
let openai: Awaited<ReturnType<typeof startOpenAIUpstream>>;
let anthropic: Upstream;
let edge: LocalEdge;
let client: OpenAI;

beforeAll(async () => {
  state = migratedStateDir();
  openai = await startOpenAIUpstream();
  anthropic = await startAnthropicUpstream();
  edge = await startEdge(state, {
    AUTH_PROVIDER: "static",
    SERVER_AUTH_TOKEN: TOKEN,
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: `${openai.url}/v1`,
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    ANTHROPIC_BASE_URL: anthropic.url,
    CHAT_PROVIDERS: `local=${openai.url}/local/v1|${OPENAI_KEY}`,
    CHAT_DEFAULT_MODEL: "local:mistral",
    CHAT_MODEL_ALIASES: "fast=openai:gpt-4o-mini,smart=anthropic:claude-sonnet-4",
    MAX_BODY_BYTES: "65536",
    SSE_KEEPALIVE_MS: "100",
  });
  client = new OpenAI({ apiKey: TOKEN, baseURL: `${edge.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await edge?.stop();
  await openai?.close();
  await anthropic?.close();
});

const user = (content: string) => [{ role: "user" as const, content }];

function post(path: string, body: unknown, token: string | null = TOKEN, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${edge.url}${path}`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body), ...init });
}

/** The last completion request an upstream path received. */
function last(upstream: Upstream, pathPrefix?: string): Received {
  const reqs = upstream.completions().filter((r) => !pathPrefix || r.path.startsWith(pathPrefix));
  return reqs[reqs.length - 1];
}

interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

async function expectOpenAIError(res: Response, status: number, match: Partial<OpenAIErrorBody["error"]> = {}): Promise<OpenAIErrorBody["error"]> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  const body = (await res.json()) as OpenAIErrorBody;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.code === null || typeof body.error.code === "string").toBe(true);
  expect(body.error).toMatchObject(match);
  return body.error;
}

describe("GET /v1/models", () => {
  it("lists every provider's live models and the aliases, in OpenAI's list shape, with ids that route back", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) {
      expect(m).toEqual({ id: expect.any(String), object: "model", created: expect.any(Number), owned_by: expect.any(String) });
      ids.push(`${m.id}@${m.owned_by}`);
    }
    expect(ids).toEqual([
      "gpt-4o-mini@openai",
      "gpt-4o@openai",
      "openai:llama3.2:3b@openai",
      "openai:mistral@openai",
      "claude-sonnet-4-20250514@anthropic",
      "local:gpt-4o-mini@local",
      "local:gpt-4o@local",
      "local:llama3.2:3b@local",
      "mistral@local",
      "fast@openai",
      "smart@anthropic",
    ]);
    const raw = (await (await fetch(`${edge.url}/v1/models`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { object: string };
    expect(raw.object).toBe("list");
  });
});

describe("POST /v1/chat/completions without streaming", () => {
  it("returns the provider's chat.completion with usage, sending the server's key and the routed model", async () => {
    const res = await client.chat.completions.create({ model: "gpt-4o-mini", messages: user("Hello proxy"), temperature: 0.2, seed: 7 });
    expect(res.object).toBe("chat.completion");
    expect(res.choices[0].message).toMatchObject({ role: "assistant", content: "echo: Hello proxy" });
    expect(res.choices[0].finish_reason).toBe("stop");
    expect(res.usage).toEqual({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    const sent = last(openai, "/v1/");
    expect(sent.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(sent.body).toMatchObject({ model: "gpt-4o-mini", temperature: 0.2, seed: 7, messages: [{ role: "user", content: "Hello proxy" }] });
  });

  it("passes tools through and returns tool calls", async () => {
    const tools = [{ type: "function" as const, function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    const res = await client.chat.completions.create({ model: "tools-model", messages: user("Weather in Paris?"), tools, tool_choice: "auto" });
    expect(res.choices[0].finish_reason).toBe("tool_calls");
    expect(res.choices[0].message.tool_calls).toEqual([{ id: "call_weather_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }]);
    expect(last(openai, "/local/").body).toMatchObject({ model: "tools-model", tools, tool_choice: "auto" });
  });

  it("routes explicit providers, aliases, name prefixes and the default", async () => {
    const routeOf = (model: string) => client.chat.completions.create({ model, messages: user("x") });
    await routeOf("local:llama3.2:3b");
    expect(last(openai).path).toBe("/local/v1/chat/completions");
    expect(last(openai).body!.model).toBe("llama3.2:3b");

    await routeOf("fast");
    expect(last(openai).path).toBe("/v1/chat/completions");
    expect(last(openai).body!.model).toBe("gpt-4o-mini");

    await routeOf("o3-mini");
    expect(last(openai).path).toBe("/v1/chat/completions");

    await routeOf("some-model");
    expect(last(openai).path).toBe("/local/v1/chat/completions");
    expect(last(openai).body!.model).toBe("some-model");

    await routeOf("");
    expect(last(openai).path).toBe("/local/v1/chat/completions");
    expect(last(openai).body!.model).toBe("mistral");

    const before = anthropic.completions().length;
    await client.chat.completions.create({ model: "claude-3-5-haiku-latest", messages: user("x") });
    expect(anthropic.completions().length).toBe(before + 1);
    expect(last(anthropic).body!.model).toBe("claude-3-5-haiku-latest");
  });

  it("translates to Anthropic's Messages API and back, tool calls and usage included", async () => {
    const res = await client.chat.completions.create({
      model: "smart",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
        { role: "tool", tool_call_id: "call_a", content: "21C" },
      ],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
      tool_choice: "required",
      max_tokens: 256,
      stop: ["###"],
    });
    expect(res.choices[0].message.content).toBe("Hello from Claude");
    expect(res.choices[0].finish_reason).toBe("stop");
    expect(res.usage).toEqual({ prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 });
    const sent = last(anthropic);
    expect(sent.headers["x-api-key"]).toBe(ANTHROPIC_KEY);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({
      model: "claude-sonnet-4",
      system: "Be brief.",
      max_tokens: 256,
      stop_sequences: ["###"],
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "call_a", name: "get_weather", input: { city: "Paris" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "call_a", content: "21C" }] },
      ],
      tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
      tool_choice: { type: "any" },
    });

    const tool = await client.chat.completions.create({ model: "anthropic:claude-tools", messages: user("Weather?") });
    expect(tool.choices[0].finish_reason).toBe("tool_calls");
    expect(tool.choices[0].message.content).toBe("Let me check.");
    expect(tool.choices[0].message.tool_calls).toEqual([{ id: "toolu_01", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }]);
  });
});

describe("POST /v1/chat/completions with streaming", () => {
  it("streams chat.completion.chunk events, usage in the last chunk when asked", async () => {
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: user("one two three"), stream: true, stream_options: { include_usage: true } });
    const { chunks, text, finish } = await collect(stream);
    expect(text).toBe("echo: one two three");
    expect(finish).toEqual(["stop"]);
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } });

    const res = await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: user("a"), stream: true });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const wire = await readAll(res);
    expect(wire.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(wire.match(/data: \[DONE\]/g)!.length).toBe(1);
    expect(wire).not.toContain('"usage"');
  });

  it("streams tool calls", async () => {
    const stream = await client.chat.completions.create({
      model: "openai:tools-model",
      messages: user("Weather?"),
      tools: [{ type: "function", function: { name: "get_weather" } }],
      stream: true,
    });
    const { toolCalls, finish } = await collect(stream);
    expect(toolCalls).toEqual([{ id: "call_weather_1", name: "get_weather", arguments: '{"city":"Paris"}' }]);
    expect(finish).toEqual(["tool_calls"]);
  });

  it("streams Anthropic's events translated: text, tool-call arguments, finish reason and usage", async () => {
    const text = await collect(await client.chat.completions.create({ model: "smart", messages: user("hi"), stream: true, stream_options: { include_usage: true } }));
    expect(text.text).toBe("Hello from Claude");
    expect(text.finish).toEqual(["stop"]);
    expect(text.chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 } });
    expect(last(anthropic).body).toMatchObject({ model: "claude-sonnet-4", stream: true, max_tokens: 4096 });

    const tools = await collect(await client.chat.completions.create({ model: "claude-tools-1", messages: user("Weather?"), stream: true }));
    expect(tools.text).toBe("Let me check.");
    expect(tools.toolCalls).toEqual([{ id: "toolu_01", name: "get_weather", arguments: '{"city": "Paris"}' }]);
    expect(tools.finish).toEqual(["tool_calls"]);
  });

  it("forwards chunks as they arrive: the client has the first before the upstream sends the rest", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let upstreamWaited: "released" | "gave up" | undefined;
    openai.on("gated", async (_req, res: ServerResponse) => {
      sseHead(res);
      res.write(chunkEvent("gated", { role: "assistant", content: "first" }));
      // A proxy that buffers never delivers "first" while the upstream holds back, so this gives up.
      upstreamWaited = await Promise.race([gate.then(() => "released" as const), new Promise<"gave up">((r) => setTimeout(() => r("gave up"), 5000))]);
      res.write(chunkEvent("gated", { content: " second" }, "stop"));
      res.end("data: [DONE]\n\n");
    });
    const stream = await client.chat.completions.create({ model: "openai:gated", messages: user("x"), stream: true });
    let text = "";
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? "";
      if (text === "first") release();
    }
    expect(text).toBe("first second");
    expect(upstreamWaited).toBe("released");
  });

  it("meters streamed requests: tokens from a stream that asked for usage, the request alone for one that did not", async () => {
    type Totals = { chat_requests: number; tokens_in: number; tokens_out: number };
    const totals = async () => ((await (await fetch(`${edge.url}/api/usage`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { total: Totals }).total;
    // Usage rows are written after the response (waitUntil).
    const settled = async (expected: number) => {
      for (let i = 0; i < 100; i++) {
        const t = await totals();
        if (t.chat_requests >= expected) return t;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error("the chat request was not metered");
    };
    // Earlier tests' rows may still be on their way: start from totals that have stopped moving.
    let before = await totals();
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const now = await totals();
      if (now.chat_requests === before.chat_requests) break;
      before = now;
    }
    await readAll(await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: user("a b"), stream: true, stream_options: { include_usage: true } }));
    const withUsage = await settled(before.chat_requests + 1);
    expect(withUsage).toMatchObject({ chat_requests: before.chat_requests + 1, tokens_in: before.tokens_in + 11, tokens_out: before.tokens_out + 7 });
    await readAll(await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: user("a b"), stream: true }));
    expect(await settled(withUsage.chat_requests + 1)).toMatchObject({ chat_requests: withUsage.chat_requests + 1, tokens_in: withUsage.tokens_in, tokens_out: withUsage.tokens_out });
  });

  it("a client that disconnects aborts the upstream request", async () => {
    const controller = new AbortController();
    const res = await post("/v1/chat/completions", { model: "openai:endless", messages: user("x"), stream: true }, TOKEN, { signal: controller.signal });
    const reader = res.body!.getReader();
    // The first event may come in more than one read: the runtime forwards bytes as they arrive.
    let seen = "";
    while (!seen.includes("tick0")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    expect(seen).toContain("tick0");
    controller.abort();
    await reader.cancel().catch(() => {});
    expect(await openai.closedEarly).toBe("endless");
  });
});

describe("errors on /v1 in OpenAI's shape", () => {
  it("401 without or with a wrong bearer token", async () => {
    await expectOpenAIError(await post("/v1/chat/completions", { model: "gpt-4o", messages: user("x") }, null), 401, { type: "invalid_request_error", code: "invalid_api_key" });
    await expectOpenAIError(await fetch(`${edge.url}/v1/models`), 401);
    const wrong = new OpenAI({ apiKey: "wrong", baseURL: `${edge.url}/v1`, maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: "gpt-4o", messages: user("x") })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("400 for missing messages, wrong types, malformed JSON and an unknown provider prefix", async () => {
    await expectOpenAIError(await post("/v1/chat/completions", { model: "gpt-4o" }), 400, { type: "invalid_request_error", param: "messages", code: "missing_required_parameter" });
    await expectOpenAIError(await post("/v1/chat/completions", { model: "gpt-4o", messages: "hi" }), 400, { param: "messages" });
    await expectOpenAIError(await post("/v1/chat/completions", { model: "gpt-4o", messages: user("x"), temperature: "hot" }), 400, { param: "temperature" });
    await expectOpenAIError(await post("/v1/chat/completions", { model: 42, messages: user("x") }), 400, { param: "model" });
    await expectOpenAIError(await post("/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "robot", content: "x" }] }), 400, { param: "messages[0].role" });
    await expectOpenAIError(await post("/v1/chat/completions", { model: "gpt-4o", messages: [] }), 400, { param: "messages" });
    await expectOpenAIError(await post("/v1/chat/completions", '{"model": "gpt-4o", "messages": ['), 400, { type: "invalid_request_error" });
    const unknown = await expectOpenAIError(await post("/v1/chat/completions", { model: "nosuch:gpt-4o", messages: user("x") }), 400, { code: "unknown_provider", param: "model" });
    expect(unknown.message).toMatch(/Unknown provider 'nosuch'/);
    await expect(client.chat.completions.create({ model: "gpt-4o", messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const before = openai.completions().length;
    await post("/v1/chat/completions", { model: "gpt-4o", messages: user("x"), temperature: 9 });
    expect(openai.completions().length).toBe(before); // nothing invalid reaches a provider
  });

  it("413 for a body over MAX_BODY_BYTES", async () => {
    const big = { model: "gpt-4o", messages: user("x".repeat(70_000)) };
    await expectOpenAIError(await post("/v1/chat/completions", big), 413, { type: "invalid_request_error", code: "request_too_large" });
    await expect(client.chat.completions.create(big)).rejects.toMatchObject({ status: 413 });
  });

  it("maps upstream errors to 401/404/429/5xx without leaking the upstream key, URL or internals", async () => {
    const cases: [string, number, string][] = [
      ["status-400", 400, "upstream_code"],
      ["status-401", 401, "provider_authentication_failed"],
      ["status-404", 404, "model_not_found"],
      ["status-429", 429, "rate_limit_exceeded"],
      ["status-500", 502, "provider_error"],
      ["status-503", 503, "provider_unavailable"],
      ["anthropic:claude-status-529", 503, "provider_unavailable"],
    ];
    for (const [model, status, code] of cases) {
      const res = await post("/v1/chat/completions", { model: model.includes(":") ? model : `openai:${model}`, messages: user("x") });
      const retryAfter = res.headers.get("retry-after");
      const err = await expectOpenAIError(res, status, { code });
      for (const secret of [OPENAI_KEY, ANTHROPIC_KEY, openai.url, anthropic.url, "127.0.0.1", "/srv/app"]) expect(err.message).not.toContain(secret);
      if (status === 429) expect(retryAfter).toBe("7");
    }
    await expect(client.chat.completions.create({ model: "openai:status-404", messages: user("x") })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.chat.completions.create({ model: "openai:status-429", messages: user("x") })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(client.chat.completions.create({ model: "openai:status-401", messages: user("x") })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("404 for an unknown /v1 route", async () => {
    await expectOpenAIError(await post("/v1/embeddings", { input: "x" }), 404, { code: "unknown_url" });
  });

  it("the /v1 routes are in the OpenAPI document with OpenAI's error shape", async () => {
    const doc = (await (await fetch(`${edge.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/models", "/v1/chat/completions"]));
    expect(JSON.stringify(doc.paths["/v1/chat/completions"].post.responses["400"])).toContain("OpenAIError");
  });

  it("the rest of the API keeps its own error shape", async () => {
    const res = await fetch(`${edge.url}/api/workflows`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { type: string; code: number } }).error).toMatchObject({ type: "unauthorized", code: 401 });
  });
});

describe("LLM nodes in workflows on the Worker", () => {
  async function saveAndRun(graph: unknown, params: Record<string, unknown> = {}) {
    const created = await post("/api/workflows", { name: "llm e2e", graph });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const run = await post(`/api/workflows/${id}/run`, { params });
    return { status: run.status, body: (await run.json()) as Record<string, unknown> };
  }

  it("runs ListGenerator -> ForEach -> FormatText -> Collect against the loopback upstream", async () => {
    const graph = {
      nodes: [
        { id: "topic", type: "nodetool.input.StringInput", data: { name: "topic", value: "greek letters" } },
        { id: "gen", type: "nodetool.generators.ListGenerator", data: { model: { type: "language_model", provider: "openai", id: "list-model" }, prompt: "List three" } },
        { id: "each", type: "nodetool.control.ForEach", data: {} },
        { id: "fmt", type: "nodetool.text.FormatText", data: { template: "{{ i }}: {{ word }}" }, dynamic_properties: { word: "", i: "" } },
        { id: "collect", type: "nodetool.control.Collect", data: {} },
        { id: "out", type: "nodetool.output.Output", data: { name: "words" } },
      ],
      edges: [
        { source: "topic", sourceHandle: "output", target: "gen", targetHandle: "input_text" },
        { source: "gen", sourceHandle: "output", target: "each", targetHandle: "input_list" },
        { source: "each", sourceHandle: "output", target: "fmt", targetHandle: "word" },
        { source: "each", sourceHandle: "index", target: "fmt", targetHandle: "i" },
        { source: "fmt", sourceHandle: "output", target: "collect", targetHandle: "input_item" },
        { source: "collect", sourceHandle: "output", target: "out", targetHandle: "value" },
      ],
    };
    const r = await saveAndRun(graph, { topic: "colours" });
    expect(r).toEqual({ status: 200, body: { words: ["0: alpha", "1: beta bravo", "2: gamma"] } });
    const sent = last(openai, "/v1/").body!;
    expect(sent.model).toBe("list-model");
    expect((sent.messages as { content: string }[])[1].content).toBe("List three\n\ncolours");
  });

  it("an Agent with an empty model uses CHAT_DEFAULT_MODEL", async () => {
    const graph = {
      nodes: [
        { id: "agent", type: "nodetool.agents.Agent", data: { model: { type: "language_model", provider: "empty", id: "" }, prompt: "hi there" } },
        { id: "out", type: "nodetool.output.Output", data: { name: "answer" } },
      ],
      edges: [{ source: "agent", sourceHandle: "text", target: "out", targetHandle: "value" }],
    };
    expect(await saveAndRun(graph)).toEqual({ status: 200, body: { answer: "echo: hi there" } });
    expect(last(openai)).toMatchObject({ path: "/local/v1/chat/completions", body: { model: "mistral" } });
  });
});

describe("chat settings on the Worker", () => {
  it("no provider configured: chat completions is a 503 saying what to set; the model list is empty", async () => {
    const bare = await startEdge(state, { AUTH_PROVIDER: "none" });
    try {
      const res = await fetch(`${bare.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-4o", messages: user("x") }) });
      const err = await expectOpenAIError(res, 503, { code: "no_provider_configured" });
      expect(err.message).toMatch(/OPENAI_API_KEY, ANTHROPIC_API_KEY or CHAT_PROVIDERS/);
      expect(await (await fetch(`${bare.url}/v1/models`)).json()).toEqual({ object: "list", data: [] });
    } finally {
      await bare.stop();
    }
  });

  it("an invalid setting: both routes answer 503 naming it", async () => {
    const broken = await startEdge(state, { AUTH_PROVIDER: "none", OPENAI_API_KEY: "sk-x", CHAT_PROVIDERS: "ollama" });
    try {
      const res = await fetch(`${broken.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-4o", messages: user("x") }) });
      const err = await expectOpenAIError(res, 503, { code: "provider_misconfigured" });
      expect(err.message).toMatch(/CHAT_PROVIDERS entries are written name=value/);
      await expectOpenAIError(await fetch(`${broken.url}/v1/models`), 503, { code: "provider_misconfigured" });
    } finally {
      await broken.stop();
    }
  });
});
