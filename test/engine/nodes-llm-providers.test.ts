import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../edge/config/env";
import { parseChatSettings } from "../../host/chat/settings";
import { fromAnthropicMessage, toAnthropicRequest, translateAnthropicStream } from "../../engine/providers/anthropic";
import { ChatError, redact, upstreamError } from "../../engine/providers/errors";
import { listedModelId, resolveModel } from "../../engine/providers/routing";
import { ChatService } from "../../engine/providers/service";
import { openAIChunks } from "../../engine/providers/sse";
import type { ChatCompletionChunk, ChatRequest, ChatSettings, ProviderConfig } from "../../engine/providers/types";
import { ListItemParser, modelName } from "../../engine/nodes/llm";
import { anthropicEvent, ANTHROPIC_KEY, OPENAI_KEY, startAnthropicUpstream, startOpenAIUpstream, type Upstream } from "../e2e/chat-upstreams";

/** The provider layer under the LLM nodes and the /v1 proxy: routing, settings, Anthropic translation, errors. */

const openai: ProviderConfig = { name: "openai", kind: "openai", baseUrl: "https://api.openai.com/v1", apiKey: "sk-live-abcdef123456" };
const anthropic: ProviderConfig = { name: "anthropic", kind: "anthropic", baseUrl: "https://api.anthropic.com", apiKey: "sk-ant-secret-999999" };
const ollama: ProviderConfig = { name: "ollama", kind: "openai", baseUrl: "http://10.0.0.7:11434/v1" };

const settings = (over: Partial<ChatSettings> = {}): ChatSettings => ({
  providers: [openai, anthropic, ollama],
  defaultModel: { provider: "ollama", model: "llama3.2" },
  aliases: { fast: "openai:gpt-4o-mini", smart: "claude-sonnet-4", broken: "nosuch:x" },
  problems: [],
  ...over,
});

const route = (s: ChatSettings, model: string) => {
  const r = resolveModel(s, model);
  return `${r.provider.name}/${r.model}`;
};

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChatError) return `${err.status} ${err.code}`;
    throw err;
  }
  return null;
}

describe("routing a model name", () => {
  it("explicit provider:model first, then aliases' targets, then name prefixes, then the default", () => {
    const s = settings();
    expect(route(s, "ollama:llama3.2:3b")).toBe("ollama/llama3.2:3b");
    expect(route(s, "OpenAI:gpt-4o")).toBe("openai/gpt-4o");
    expect(route(s, "anthropic:claude-3-5-haiku-latest")).toBe("anthropic/claude-3-5-haiku-latest");
    expect(route(s, "fast")).toBe("openai/gpt-4o-mini");
    expect(route(s, "smart")).toBe("anthropic/claude-sonnet-4");
    expect(route(s, "gpt-4.1")).toBe("openai/gpt-4.1");
    expect(route(s, "o1-mini")).toBe("openai/o1-mini");
    expect(route(s, "o3")).toBe("openai/o3");
    expect(route(s, "ft:gpt-4o-mini:acme::abc")).toBe("openai/ft:gpt-4o-mini:acme::abc");
    expect(route(s, "claude-opus-4")).toBe("anthropic/claude-opus-4");
    expect(route(s, "mistral")).toBe("ollama/mistral");
    expect(route(s, "")).toBe("ollama/llama3.2");
    expect(route(s, "  ")).toBe("ollama/llama3.2");
  });

  it("a prefix rule whose provider is not configured falls through to the default provider", () => {
    const s = settings({ providers: [ollama], defaultModel: undefined, aliases: {} });
    expect(route(s, "gpt-oss-20b")).toBe("ollama/gpt-oss-20b");
    expect(route(s, "claude-x")).toBe("ollama/claude-x");
  });

  it("rejects unknown and unconfigured providers, missing names, and a server without providers", () => {
    const s = settings();
    expect(codeOf(() => resolveModel(s, "nosuch:model"))).toBe("400 unknown_provider");
    expect(codeOf(() => resolveModel(s, "llama3.2:3b"))).toBe("400 unknown_provider");
    expect(codeOf(() => resolveModel(s, "broken"))).toBe("400 unknown_provider");
    expect(codeOf(() => resolveModel(s, "ollama:"))).toBe("400 model_required");
    const onlyOllama = settings({ providers: [ollama], defaultModel: undefined, aliases: {} });
    expect(codeOf(() => resolveModel(onlyOllama, "anthropic:claude-x"))).toBe("400 provider_not_configured");
    expect(codeOf(() => resolveModel(onlyOllama, ""))).toBe("400 model_required");
    expect(codeOf(() => resolveModel(settings({ providers: [], defaultModel: undefined }), "gpt-4o"))).toBe("503 no_provider_configured");
  });

  it("lists model ids so that each routes back to where it came from", () => {
    const s = settings();
    expect(listedModelId(s, openai, "gpt-4o")).toBe("gpt-4o");
    expect(listedModelId(s, ollama, "mistral")).toBe("mistral");
    expect(listedModelId(s, ollama, "llama3.2:3b")).toBe("ollama:llama3.2:3b");
    expect(listedModelId(s, ollama, "gpt-oss-20b")).toBe("ollama:gpt-oss-20b"); // bare, it would go to OpenAI
    expect(listedModelId(s, openai, "fast")).toBe("openai:fast"); // bare, it is the alias
  });

  it("turns NodeTool's LanguageModel into a model name", () => {
    expect(modelName({ type: "language_model", provider: "ollama", id: "gemma3:4b" })).toBe("ollama:gemma3:4b");
    expect(modelName({ type: "language_model", provider: "empty", id: "gpt-4o" })).toBe("gpt-4o");
    expect(modelName({ type: "language_model", provider: "openai", id: "" })).toBe("");
    expect(modelName(undefined)).toBe("");
    expect(modelName("claude-sonnet-4")).toBe("claude-sonnet-4");
  });
});

describe("chat settings from the environment", () => {
  const env = (vars: Partial<Env>) => vars as Env;

  it("configures providers with their keys, base URLs and CHAT_PROVIDERS entries", () => {
    const s = parseChatSettings(
      env({
        OPENAI_API_KEY: "sk-1",
        ANTHROPIC_API_KEY: "sk-ant-2",
        ANTHROPIC_BASE_URL: "https://proxy.example.com/anthropic/v1/",
        CHAT_PROVIDERS: "ollama=http://127.0.0.1:11434/v1, vllm=http://gpu:8000/v1/|KEY3\nlmstudio=http://host:1234/v1",
        CHAT_DEFAULT_MODEL: "ollama:llama3.2",
        CHAT_MODEL_ALIASES: "fast=openai:gpt-4o-mini,smart=anthropic:claude-sonnet-4",
      }),
    );
    expect(s.problems).toEqual([]);
    expect(s.warnings).toEqual([]);
    expect(s.providers).toEqual([
      { name: "openai", kind: "openai", baseUrl: "https://api.openai.com/v1", apiKey: "sk-1" },
      { name: "anthropic", kind: "anthropic", baseUrl: "https://proxy.example.com/anthropic", apiKey: "sk-ant-2" },
      { name: "ollama", kind: "openai", baseUrl: "http://127.0.0.1:11434/v1" },
      { name: "vllm", kind: "openai", baseUrl: "http://gpu:8000/v1", apiKey: "KEY3" },
      { name: "lmstudio", kind: "openai", baseUrl: "http://host:1234/v1" },
    ]);
    expect(s.defaultModel).toEqual({ provider: "ollama", model: "llama3.2" });
    expect(s.aliases).toEqual({ fast: "openai:gpt-4o-mini", smart: "anthropic:claude-sonnet-4" });
  });

  it("a provider without its key is not configured; nothing set means no providers and no problems", () => {
    expect(parseChatSettings(env({ OPENAI_BASE_URL: "http://x/v1", ANTHROPIC_BASE_URL: "http://y" }))).toMatchObject({ providers: [], problems: [] });
  });

  it("collects every invalid setting as a problem naming the variable, and warns about unusable aliases", () => {
    const s = parseChatSettings(
      env({
        OPENAI_API_KEY: "sk-1",
        OPENAI_BASE_URL: "ftp://nope",
        CHAT_PROVIDERS: "good=http://ok/v1,bad name=http://x,noequals,openai=http://x,good=http://again,worse=not a url|k",
        CHAT_DEFAULT_MODEL: "nosuch:model",
        CHAT_MODEL_ALIASES: "a:b=x,empty=,later=anthropic:claude-x",
        CHAT_UPSTREAM_TIMEOUT_SECONDS: "soon",
      }),
    );
    expect(s.problems).toEqual([
      "OPENAI_BASE_URL must be an http(s) URL, got 'ftp://nope'",
      "CHAT_PROVIDERS entries are written name=value, got 'noequals'",
      "CHAT_PROVIDERS: provider names use letters, digits, '_' and '-' and start with a letter, got 'bad name'",
      "CHAT_PROVIDERS: 'openai' is reserved; configure it with OPENAI_API_KEY",
      "CHAT_PROVIDERS: provider 'good' is listed twice",
      "CHAT_PROVIDERS (worse) must be an http(s) URL, got 'not a url'",
      "CHAT_MODEL_ALIASES: alias 'a:b' must not contain ':' or spaces",
      "CHAT_MODEL_ALIASES: alias 'empty' has no model",
      "CHAT_UPSTREAM_TIMEOUT_SECONDS: expected a positive number of seconds, got 'soon'",
      expect.stringMatching(/^CHAT_DEFAULT_MODEL 'nosuch:model': Unknown provider 'nosuch'/),
    ]);
    expect(s.providers.map((p) => p.name)).toEqual(["good"]);
    expect(s.warnings).toEqual([expect.stringMatching(/^CHAT_MODEL_ALIASES: 'later' cannot be used: Provider 'anthropic' is not configured/)]);
    // The key in the entry never appears in a problem.
    expect(s.problems.join(" ")).not.toContain("|k");
  });
});

describe("Anthropic translation", () => {
  const req = (over: Partial<ChatRequest>): ChatRequest => ({ model: "claude-x", messages: [{ role: "user", content: "hi" }], ...over });

  it("moves system prompts to `system`, merges turns, and turns tool calls and results into blocks", () => {
    const body = toAnthropicRequest(
      req({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "developer", content: [{ type: "text", text: "Use metric units." }] },
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", content: "Checking.", tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
          { role: "tool", tool_call_id: "call_1", content: '{"temp":21}' },
          { role: "user", content: [{ type: "text", text: "And " }, { type: "text", text: "tomorrow?" }] },
        ],
        tools: [{ type: "function", function: { name: "get_weather", description: "Weather now", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
        tool_choice: { type: "function", function: { name: "get_weather" } },
        parallel_tool_calls: false,
        temperature: 1.7,
        top_p: 0.9,
        stop: "END",
        user: "u-1",
        stream: true,
      }),
      "claude-sonnet-4",
    );
    expect(body).toEqual({
      model: "claude-sonnet-4",
      system: "Be brief.\n\nUse metric units.",
      max_tokens: 4096,
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ["END"],
      metadata: { user_id: "u-1" },
      stream: true,
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Checking." },
            { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "call_1", content: '{"temp":21}' },
            { type: "text", text: "And " },
            { type: "text", text: "tomorrow?" },
          ],
        },
      ],
      tools: [{ name: "get_weather", description: "Weather now", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
      tool_choice: { type: "tool", name: "get_weather", disable_parallel_tool_use: true },
    });
  });

  it("translates images, tool_choice values, max tokens and response_format", () => {
    const body = toAnthropicRequest(
      req({
        messages: [
          {
            role: "user",
            content: [
              { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
              { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
            ],
          },
        ],
        max_completion_tokens: 77,
        max_tokens: 99,
        tools: [{ type: "function", function: { name: "f" } }],
        tool_choice: "required",
        response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } },
      }),
      "m",
    );
    expect(body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
          { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
        ],
      },
    ]);
    expect(body.max_tokens).toBe(77);
    expect(body.tool_choice).toEqual({ type: "any" });
    expect(body.tools).toEqual([{ name: "f", input_schema: { type: "object", properties: {} } }]);
    expect(body.system).toBe('Respond with a single JSON object and nothing else. It must validate against this JSON Schema:\n{"type":"object"}');
    expect(toAnthropicRequest(req({ tools: [{ type: "function", function: { name: "f" } }], tool_choice: "none" }), "m").tool_choice).toEqual({ type: "none" });
  });

  it("refuses what Anthropic cannot take with a 400 naming the parameter", () => {
    const err = (r: ChatRequest) => {
      try {
        toAnthropicRequest(r, "m");
      } catch (e) {
        return `${(e as ChatError).status} ${(e as ChatError).param}`;
      }
      return "ok";
    };
    expect(err(req({ n: 2 }))).toBe("400 n");
    expect(err(req({ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "x", format: "wav" } }] }] }))).toBe("400 messages[0].content[0].type");
    expect(err(req({ messages: [{ role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{oops" } }] }] }))).toBe(
      "400 messages[0].tool_calls[0].function.arguments",
    );
  });

  it("translates a message into a chat.completion with tool calls, finish reason and usage", () => {
    const c = fromAnthropicMessage(
      {
        id: "msg_1",
        model: "claude-sonnet-4-20250514",
        content: [
          { type: "thinking", thinking: "hmm" },
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
        ],
        stop_reason: "tool_use",
        usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 3 },
      },
      "claude-x",
    );
    expect(c).toMatchObject({
      id: "chatcmpl-msg_1",
      object: "chat.completion",
      model: "claude-sonnet-4-20250514",
      choices: [{ index: 0, finish_reason: "tool_calls", message: { role: "assistant", content: null, tool_calls: [{ id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] } }],
      usage: { prompt_tokens: 13, completion_tokens: 5, total_tokens: 18 },
    });
    expect(fromAnthropicMessage({ content: [{ type: "text", text: "x" }], stop_reason: "max_tokens" }, "m").choices[0].finish_reason).toBe("length");
  });

  const streamOf = (text: string, chunkSize = 7) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(text);
        for (let i = 0; i < bytes.length; i += chunkSize) controller.enqueue(bytes.subarray(i, i + chunkSize));
        controller.close();
      },
    });
  const collect = async (s: ReadableStream<Uint8Array>) => new Response(s).text();

  it("translates a stream event by event, tool call arguments and usage included", async () => {
    const events =
      anthropicEvent("message_start", { message: { id: "msg_9", model: "claude-live", usage: { input_tokens: 4, output_tokens: 1 } } }) +
      anthropicEvent("content_block_start", { index: 0, content_block: { type: "text", text: "" } }) +
      anthropicEvent("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hi" } }) +
      anthropicEvent("content_block_stop", { index: 0 }) +
      anthropicEvent("content_block_start", { index: 1, content_block: { type: "tool_use", id: "toolu_9", name: "f", input: {} } }) +
      anthropicEvent("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '{"a":' } }) +
      anthropicEvent("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: "1}" } }) +
      anthropicEvent("message_delta", { delta: { stop_reason: "tool_use" }, usage: { output_tokens: 6 } }) +
      anthropicEvent("message_stop", {});
    const text = await collect(translateAnthropicStream(streamOf(events), { model: "m", includeUsage: true, provider: "anthropic" }));
    const datas = text.split("\n\n").filter(Boolean).map((e) => e.replace(/^data: /, ""));
    expect(datas.at(-1)).toBe("[DONE]");
    const chunks = datas.slice(0, -1).map((d) => JSON.parse(d) as ChatCompletionChunk);
    expect(chunks.every((c) => c.id === "chatcmpl-msg_9" && c.model === "claude-live" && c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([
      { role: "assistant", content: "" },
      { content: "Hi" },
      { tool_calls: [{ index: 0, id: "toolu_9", type: "function", function: { name: "f", arguments: "" } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: "1}" } }] },
      {},
      null,
    ]);
    expect(chunks[5].choices[0].finish_reason).toBe("tool_calls");
    expect(chunks[6]).toMatchObject({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 } });
  });

  it("turns an error event, or a stream that ends early, into an error event and [DONE]", async () => {
    const start = anthropicEvent("message_start", { message: { id: "m", usage: { input_tokens: 1 } } });
    const overloaded = await collect(
      translateAnthropicStream(streamOf(start + anthropicEvent("error", { error: { type: "overloaded_error", message: "Overloaded" } })), { model: "m", includeUsage: false, provider: "anthropic" }),
    );
    expect(overloaded).toMatch(/data: \{"error":\{"message":"Overloaded","type":"server_error","param":null,"code":"provider_unavailable"\}\}\n\ndata: \[DONE\]\n\n$/);
    const cut = await collect(translateAnthropicStream(streamOf(start), { model: "m", includeUsage: false, provider: "anthropic" }));
    expect(cut).toMatch(/"code":"provider_stream_error".*\n\ndata: \[DONE\]\n\n$/s);
  });
});

describe("errors", () => {
  it("redacts keys, key-like tokens and provider URLs", () => {
    const text = redact(`bad key sk-live-abcdef123456 (also sk-proj-zzzzzzzz, Bearer abc.def) at http://10.0.0.7:11434/v1/chat or 10.0.0.7:11434; api_key=hunter2`, [openai, ollama]);
    expect(text).not.toMatch(/abcdef123456|zzzzzzzz|abc\.def|10\.0\.0\.7|hunter2/);
    expect(text).toContain("<ollama>");
  });

  it("maps upstream statuses to the client's", () => {
    const m = (status: number, body = "") => {
      const e = upstreamError(openai, [openai], status, body, "gpt-x", "3");
      return `${e.status} ${e.type} ${e.code}`;
    };
    expect(m(400, '{"error":{"message":"bad","type":"invalid_request_error","param":"temperature","code":null}}')).toBe("400 invalid_request_error null");
    expect(m(401)).toBe("401 authentication_error provider_authentication_failed");
    expect(m(403)).toBe("403 permission_error permission_denied");
    expect(m(404)).toBe("404 invalid_request_error model_not_found");
    expect(m(429)).toBe("429 rate_limit_error rate_limit_exceeded");
    expect(m(500, '{"error":{"message":"Traceback (most recent call last)"}}')).toBe("502 server_error provider_error");
    expect(m(503)).toBe("503 server_error provider_unavailable");
    expect(m(529)).toBe("503 server_error provider_unavailable");
    expect(m(504)).toBe("504 server_error provider_timeout");
    expect(upstreamError(openai, [openai], 429, "", "m", "3").headers).toEqual({ "Retry-After": "3" });
    expect(upstreamError(openai, [openai], 500, '{"error":{"message":"Traceback at /srv"}}', "m").message).not.toContain("Traceback");
    expect(upstreamError(openai, [openai], 400, '{"error":"plain string error from sk-live-abcdef123456"}', "m").message).toBe("plain string error from ***");
  });
});

describe("ListItemParser", () => {
  it("finds items across chunk boundaries", () => {
    const p = new ListItemParser();
    const got: string[] = [];
    for (const piece of ["<LIST", "_ITEM>a", "</LIST_I", "TEM><LIST_ITEM> b\n c </LIST_ITEM>", "<LIST_ITEM>tail"]) got.push(...p.push(piece));
    expect(got).toEqual(["a", "b c"]);
    expect(p.finish()).toEqual(["tail"]);
  });
});

describe("ChatService against loopback upstreams", () => {
  let oa: Awaited<ReturnType<typeof startOpenAIUpstream>>;
  let an: Upstream;
  let failing: Upstream;
  let service: ChatService;
  const logs: string[] = [];

  beforeAll(async () => {
    oa = await startOpenAIUpstream();
    an = await startAnthropicUpstream();
    failing = await startAnthropicUpstream("another-key"); // rejects our key: its model list fails
    service = new ChatService(
      {
        providers: [
          { name: "openai", kind: "openai", baseUrl: `${oa.url}/v1`, apiKey: OPENAI_KEY },
          { name: "anthropic", kind: "anthropic", baseUrl: an.url, apiKey: ANTHROPIC_KEY },
          { name: "flaky", kind: "anthropic", baseUrl: failing.url, apiKey: ANTHROPIC_KEY },
          { name: "down", kind: "openai", baseUrl: "http://127.0.0.1:9/v1" },
        ],
        defaultModel: { provider: "openai", model: "gpt-4o-mini" },
        aliases: { fast: "openai:gpt-4o-mini" },
        problems: [],
      },
      { log: (m) => logs.push(m) },
    );
  });
  afterAll(async () => {
    await oa.close();
    await an.close();
    await failing.close();
  });

  it("lists the union of the providers' models plus aliases, leaves failing providers out (logged), and caches", async () => {
    const models = await service.listModels();
    expect(models.map((m) => `${m.id}@${m.owned_by}`)).toEqual([
      "gpt-4o-mini@openai",
      "gpt-4o@openai",
      "openai:llama3.2:3b@openai",
      "mistral@openai",
      "claude-sonnet-4-20250514@anthropic",
      "fast@openai",
    ]);
    expect(models[4].created).toBe(Date.parse("2025-05-14T00:00:00Z") / 1000);
    expect(logs.filter((l) => /leaving provider '(flaky|down)' out/.test(l)).length).toBe(2);
    const listCalls = () => oa.received.filter((r) => r.method === "GET").length;
    const before = listCalls();
    await service.listModels();
    expect(listCalls()).toBe(before);
  });

  it("streams chunks, and throws a ChatError when the stream breaks off", async () => {
    const texts: string[] = [];
    for await (const c of service.streamChat({ model: "gpt-4o-mini", messages: [{ role: "user", content: "a b" }] })) texts.push(c.choices[0]?.delta.content ?? "");
    expect(texts.join("")).toBe("echo: a b");
    const broken = async () => {
      for await (const _ of service.streamChat({ model: "midstream-error", messages: [{ role: "user", content: "x" }] })) void _;
    };
    await expect(broken()).rejects.toMatchObject({ name: "ChatError", status: 502, code: "provider_stream_error" });
  });

  it("a provider silent past the upstream timeout is a 504; one that answered in time may stream for longer", async () => {
    const quick = new ChatService({ ...service.settings, upstreamTimeoutMs: 300 }, { log: (m) => logs.push(m) });
    oa.on("silent", () => {
      // Never answers: the request stays open until the client gives up.
    });
    oa.on("slow-stream", async (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const word of ["one", "two", "three"]) {
        res.write(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "slow-stream", choices: [{ index: 0, delta: { content: word } }] })}\n\n`);
        await new Promise((r) => setTimeout(r, 200));
      }
      res.end("data: [DONE]\n\n");
    });
    try {
      await expect(quick.chat({ model: "openai:silent", messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
        name: "ChatError",
        status: 504,
        code: "provider_timeout",
        message: "Provider 'openai' did not answer within 0.3 s",
      });
      const words: string[] = [];
      for await (const c of quick.streamChat({ model: "openai:slow-stream", messages: [{ role: "user", content: "x" }] })) words.push(c.choices[0]?.delta.content ?? "");
      expect(words).toEqual(["one", "two", "three"]);
    } finally {
      oa.off("silent");
      oa.off("slow-stream");
    }
  });

  it("a long-lived signal (a job's) keeps no listener per finished call, and aborting it still stops a call in flight", async () => {
    const job = new AbortController();
    for (let i = 0; i < 5; i++) {
      await service.complete({ model: "gpt-4o-mini", messages: [{ role: "user", content: `n${i}` }] }, job.signal);
      for await (const _ of service.streamChat({ model: "gpt-4o-mini", messages: [{ role: "user", content: `s${i}` }] }, job.signal)) void _;
      await expect(service.complete({ model: "down:gpt-4o", messages: [{ role: "user", content: "x" }] }, job.signal)).rejects.toMatchObject({ status: 502 });
    }
    expect(getEventListeners(job.signal, "abort")).toHaveLength(0);

    oa.on("silent", () => {
      // Never answers: only the abort ends the call.
    });
    try {
      const call = service.complete({ model: "openai:silent", messages: [{ role: "user", content: "x" }] }, job.signal);
      await new Promise((r) => setTimeout(r, 50));
      expect(getEventListeners(job.signal, "abort")).toHaveLength(1);
      job.abort(new Error("job cancelled"));
      await expect(call).rejects.toThrow("job cancelled");
    } finally {
      oa.off("silent");
    }
  });

  it("a problem in the settings makes every call a 503 naming it", async () => {
    const bad = new ChatService(settings({ problems: ["CHAT_PROVIDERS: provider 'x' is listed twice"] }));
    await expect(bad.chat({ model: "gpt-4o", messages: [] })).rejects.toMatchObject({ status: 503, message: expect.stringContaining("listed twice") });
    await expect(bad.listModels()).rejects.toMatchObject({ status: 503 });
  });

  it("parses an OpenAI stream's in-band error event as a ChatError", async () => {
    const body = new Response('data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\ndata: {"error":{"message":"quota","type":"rate_limit_error","code":"rate_limit_exceeded"}}\n\n').body!;
    const got: string[] = [];
    const run = async () => {
      for await (const c of openAIChunks(body, "p")) got.push(c.choices[0].delta.content ?? "");
    };
    await expect(run()).rejects.toMatchObject({ status: 429, message: "quota" });
    expect(got).toEqual(["x"]);
  });
});
