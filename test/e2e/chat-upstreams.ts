/**
 * Loopback upstreams for the chat tests: one server speaking OpenAI's Chat Completions protocol, one speaking
 * Anthropic's Messages protocol (streaming included). Both record what they receive; behaviour is chosen by
 * the model name, and a test can script a model of its own with `on(model, handler)`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type OpenAI from "openai";
import type { AddressInfo } from "node:net";

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown> | null;
}

export type Handler = (req: Received, res: ServerResponse) => void | Promise<void>;

export interface Upstream {
  url: string;
  /** Every request, in order. */
  received: Received[];
  /** Requests to the completion endpoint only. */
  completions(): Received[];
  on(model: string, handler: Handler): void;
  off(model: string): void;
  close(): Promise<void>;
}

export const OPENAI_KEY = "sk-upstream-secret-openai-0123456789";
export const ANTHROPIC_KEY = "sk-ant-upstream-secret-0123456789";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

function lastUserText(body: Record<string, unknown> | null): string {
  const messages = (body?.messages ?? []) as { role: string; content: unknown }[];
  const last = [...messages].reverse().find((m) => m.role === "user");
  if (!last) return "";
  if (typeof last.content === "string") return last.content;
  if (Array.isArray(last.content)) return last.content.map((p: { type?: string; text?: string }) => (p.type === "text" ? (p.text ?? "") : "")).join("");
  return "";
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (chunks.length === 0) return null;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function startServer(route: (req: Received, res: ServerResponse) => Promise<void>): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const rec: Received = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: await readBody(req) };
    received.push(rec);
    try {
      await route(rec, res);
    } catch (err) {
      if (!res.headersSent) json(res, 500, { error: { message: String(err) } });
      else res.destroy();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received }));
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

// ---------------------------------------------------------------------------------------------------------
// OpenAI

export function completion(model: string, content: string | null, extra: { tool_calls?: unknown[]; finish_reason?: string } = {}) {
  return {
    id: "chatcmpl-upstream-1",
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal: null, ...(extra.tool_calls ? { tool_calls: extra.tool_calls } : {}) },
        finish_reason: extra.finish_reason ?? (extra.tool_calls ? "tool_calls" : "stop"),
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
  };
}

export function chunkEvent(model: string, delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: "chatcmpl-upstream-1", object: "chat.completion.chunk", created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
}

export function usageEvent(model: string): string {
  return `data: ${JSON.stringify({ id: "chatcmpl-upstream-1", object: "chat.completion.chunk", created: 1_700_000_000, model, choices: [], usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } })}\n\n`;
}

export function sseHead(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.flushHeaders();
}

/** Streams `pieces` as content deltas, then the finish chunk, the usage chunk when asked, and [DONE]. */
export async function streamPieces(req: Received, res: ServerResponse, pieces: string[], pauseMs = 0): Promise<void> {
  const model = String(req.body?.model);
  sseHead(res);
  res.write(chunkEvent(model, { role: "assistant", content: "" }));
  for (const p of pieces) {
    if (pauseMs) await sleep(pauseMs);
    res.write(chunkEvent(model, { content: p }));
  }
  res.write(chunkEvent(model, {}, "stop"));
  if ((req.body?.stream_options as { include_usage?: boolean } | undefined)?.include_usage) res.write(usageEvent(model));
  res.end("data: [DONE]\n\n");
}

export const LIST_REPLY = "Here you go:\n<LIST_ITEM>alpha</LIST_ITEM>\n<LIST_ITEM>**beta**\nbravo</LIST_ITEM>\n<LIST_ITEM>gamma</LIST_ITEM>\n";

/** Splits text into pieces of `size` characters: tags end up split across chunks, as real streams split them. */
export function pieces(text: string, size = 5): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const WEATHER_CALL = { id: "call_weather_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } };

/**
 * The OpenAI-protocol upstream. Models: anything else echoes the last user message (`echo: ...`, streamed
 * word by word); `list-*` answers LIST_REPLY; `tools-*` calls get_weather; `status-NNN` fails with that
 * status and an error body that names the key and the server's URL (which must not reach clients);
 * `midstream-error` breaks the connection after two chunks; `endless` streams until the client goes away.
 */
export async function startOpenAIUpstream(key = OPENAI_KEY, models = ["gpt-4o-mini", "gpt-4o", "llama3.2:3b", "mistral"]): Promise<Upstream & { closedEarly: Promise<string> }> {
  const handlers = new Map<string, Handler>();
  let url = "";
  let resolveClosed!: (model: string) => void;
  const closedEarly = new Promise<string>((r) => (resolveClosed = r));

  const started = await startServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${key}`) {
      json(res, 401, { error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } });
      return;
    }
    if (req.method === "GET" && req.path.endsWith("/models")) {
      json(res, 200, { object: "list", data: models.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "test" })) });
      return;
    }
    if (req.method !== "POST" || !req.path.endsWith("/chat/completions")) {
      json(res, 404, { error: { message: "no such route" } });
      return;
    }
    const model = String(req.body?.model ?? "");
    const stream = req.body?.stream === true;
    const custom = handlers.get(model);
    if (custom) return custom(req, res);

    const status = /^status-(\d{3})$/.exec(model);
    if (status) {
      const code = Number(status[1]);
      json(
        res,
        code,
        { error: { message: `Upstream says no (key ${key}, server ${url}, trace at /srv/app/handler.py:42)`, type: code === 429 ? "requests" : "invalid_request_error", code: code === 404 ? "model_not_found" : "upstream_code", param: null } },
        code === 429 ? { "retry-after": "7" } : {},
      );
      return;
    }
    if (model === "midstream-error") {
      sseHead(res);
      res.write(chunkEvent(model, { role: "assistant", content: "" }));
      res.write(chunkEvent(model, { content: "partial " }));
      await sleep(50);
      res.destroy();
      return;
    }
    if (model === "endless") {
      sseHead(res);
      res.on("close", () => {
        if (!res.writableEnded) resolveClosed(model);
      });
      for (let i = 0; !res.destroyed && i < 10_000; i++) {
        res.write(chunkEvent(model, { content: `tick${i} ` }));
        await sleep(20);
      }
      if (!res.destroyed) res.end("data: [DONE]\n\n");
      return;
    }
    if (model.startsWith("tools-")) {
      if (!stream) return json(res, 200, completion(model, null, { tool_calls: [WEATHER_CALL] }));
      sseHead(res);
      res.write(chunkEvent(model, { role: "assistant", content: null, tool_calls: [{ index: 0, id: WEATHER_CALL.id, type: "function", function: { name: "get_weather", arguments: "" } }] }));
      res.write(chunkEvent(model, { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }));
      res.write(chunkEvent(model, { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }));
      res.write(chunkEvent(model, {}, "tool_calls"));
      if ((req.body?.stream_options as { include_usage?: boolean } | undefined)?.include_usage) res.write(usageEvent(model));
      res.end("data: [DONE]\n\n");
      return;
    }
    const reply = model.startsWith("list-") ? LIST_REPLY : `echo: ${lastUserText(req.body)}`;
    if (!stream) return json(res, 200, completion(model, reply));
    await streamPieces(req, res, model.startsWith("list-") ? pieces(reply) : reply.split(/(?<= )/));
  });
  url = started.url;
  return {
    url: started.url,
    received: started.received,
    completions: () => started.received.filter((r) => r.path.endsWith("/chat/completions")),
    on: (model, handler) => void handlers.set(model, handler),
    off: (model) => void handlers.delete(model),
    close: () => closeServer(started.server),
    closedEarly,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Anthropic

export function anthropicEvent(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/**
 * The Anthropic-protocol upstream. Models: `claude-tools*` answers with text and a get_weather tool_use;
 * `claude-error-stream` sends an overloaded error event mid-stream; `claude-status-NNN` fails with that
 * status; anything else answers "Hello from Claude". Streams use Anthropic's real event sequence.
 */
export async function startAnthropicUpstream(key = ANTHROPIC_KEY): Promise<Upstream> {
  const handlers = new Map<string, Handler>();
  const started = await startServer(async (req, res) => {
    if (req.headers["x-api-key"] !== key || req.headers["anthropic-version"] !== "2023-06-01") {
      json(res, 401, { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } });
      return;
    }
    if (req.method === "GET" && req.path.startsWith("/v1/models")) {
      json(res, 200, {
        data: [{ type: "model", id: "claude-sonnet-4-20250514", display_name: "Claude Sonnet 4", created_at: "2025-05-14T00:00:00Z" }],
        has_more: false,
        first_id: "claude-sonnet-4-20250514",
        last_id: "claude-sonnet-4-20250514",
      });
      return;
    }
    if (req.method !== "POST" || req.path !== "/v1/messages") {
      json(res, 404, { type: "error", error: { type: "not_found_error", message: "no such route" } });
      return;
    }
    const model = String(req.body?.model ?? "");
    const custom = handlers.get(model);
    if (custom) return custom(req, res);
    const status = /^claude-status-(\d{3})$/.exec(model);
    if (status) {
      const types: Record<string, string> = { "401": "authentication_error", "404": "not_found_error", "429": "rate_limit_error", "529": "overloaded_error" };
      json(res, Number(status[1]), { type: "error", error: { type: types[status[1]] ?? "api_error", message: `Anthropic says no (key ${key})` } });
      return;
    }
    const tools = model.startsWith("claude-tools");
    const usage = { input_tokens: 21, output_tokens: 9 };
    if (req.body?.stream !== true) {
      json(res, 200, {
        id: "msg_01",
        type: "message",
        role: "assistant",
        model,
        content: tools
          ? [
              { type: "text", text: "Let me check." },
              { type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris" } },
            ]
          : [{ type: "text", text: "Hello from Claude" }],
        stop_reason: tools ? "tool_use" : "end_turn",
        stop_sequence: null,
        usage,
      });
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.flushHeaders();
    res.write(anthropicEvent("message_start", { message: { id: "msg_01", type: "message", role: "assistant", model, content: [], stop_reason: null, usage: { input_tokens: 21, output_tokens: 1 } } }));
    res.write(anthropicEvent("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
    res.write(anthropicEvent("ping", {}));
    const text = tools ? ["Let me ", "check."] : ["Hello", " from", " Claude"];
    for (const t of text) res.write(anthropicEvent("content_block_delta", { index: 0, delta: { type: "text_delta", text: t } }));
    if (model === "claude-error-stream") {
      res.end(anthropicEvent("error", { error: { type: "overloaded_error", message: "Overloaded" } }));
      return;
    }
    res.write(anthropicEvent("content_block_stop", { index: 0 }));
    if (tools) {
      res.write(anthropicEvent("content_block_start", { index: 1, content_block: { type: "tool_use", id: "toolu_01", name: "get_weather", input: {} } }));
      res.write(anthropicEvent("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: "" } }));
      res.write(anthropicEvent("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '{"city": "Pa' } }));
      res.write(anthropicEvent("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: 'ris"}' } }));
      res.write(anthropicEvent("content_block_stop", { index: 1 }));
    }
    res.write(anthropicEvent("message_delta", { delta: { stop_reason: tools ? "tool_use" : "end_turn", stop_sequence: null }, usage: { output_tokens: 9 } }));
    res.end(anthropicEvent("message_stop", {}));
  });
  return {
    url: started.url,
    received: started.received,
    completions: () => started.received.filter((r) => r.path === "/v1/messages"),
    on: (model, handler) => void handlers.set(model, handler),
    off: (model) => void handlers.delete(model),
    close: () => closeServer(started.server),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Tool calling, for scripted models (`on(model, handler)`) in the agent tests

export interface ScriptedCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** Splits a string into `n` pieces of about equal size (at least one), as streams split arguments. */
function split(text: string, n: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [""];
}

/**
 * An OpenAI stream of one assistant turn: `text` as content deltas, then each call as OpenAI streams it (id
 * and name with empty arguments, then the arguments JSON in fragments), finish_reason `tool_calls` (or `stop`).
 */
export async function streamOpenAITurn(req: Received, res: ServerResponse, turn: { text?: string; calls?: ScriptedCall[]; pauseMs?: number }): Promise<void> {
  const model = String(req.body?.model);
  sseHead(res);
  res.write(chunkEvent(model, { role: "assistant", content: turn.text ? "" : null }));
  for (const piece of turn.text ? split(turn.text, 3) : []) {
    if (turn.pauseMs) await sleep(turn.pauseMs);
    res.write(chunkEvent(model, { content: piece }));
  }
  (turn.calls ?? []).forEach((call, index) => {
    res.write(chunkEvent(model, { tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }));
    for (const piece of split(JSON.stringify(call.args), 3)) res.write(chunkEvent(model, { tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  res.write(chunkEvent(model, {}, turn.calls?.length ? "tool_calls" : "stop"));
  res.end("data: [DONE]\n\n");
}

/** Anthropic's event sequence for one assistant turn: a text block, then one tool_use block per call, with `input_json_delta`s. */
export function streamAnthropicTurn(req: Received, res: ServerResponse, turn: { text?: string; calls?: ScriptedCall[] }): void {
  const model = String(req.body?.model);
  res.writeHead(200, { "content-type": "text/event-stream" });
  res.flushHeaders();
  res.write(anthropicEvent("message_start", { message: { id: "msg_turn", type: "message", role: "assistant", model, content: [], stop_reason: null, usage: { input_tokens: 30, output_tokens: 1 } } }));
  let index = 0;
  if (turn.text) {
    res.write(anthropicEvent("content_block_start", { index, content_block: { type: "text", text: "" } }));
    for (const piece of split(turn.text, 3)) res.write(anthropicEvent("content_block_delta", { index, delta: { type: "text_delta", text: piece } }));
    res.write(anthropicEvent("content_block_stop", { index }));
    index++;
  }
  for (const call of turn.calls ?? []) {
    res.write(anthropicEvent("content_block_start", { index, content_block: { type: "tool_use", id: call.id, name: call.name, input: {} } }));
    res.write(anthropicEvent("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: "" } }));
    for (const piece of split(JSON.stringify(call.args), 3)) res.write(anthropicEvent("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: piece } }));
    res.write(anthropicEvent("content_block_stop", { index }));
    index++;
  }
  const stop = turn.calls?.length ? "tool_use" : "end_turn";
  res.write(anthropicEvent("message_delta", { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 12 } }));
  res.end(anthropicEvent("message_stop", {}));
}

/** The tool results in an OpenAI request, in order: `{tool_call_id, content}`. */
export function openAIToolResults(body: Record<string, unknown> | null): { tool_call_id: string; content: string }[] {
  const messages = (body?.messages ?? []) as { role: string; tool_call_id?: string; content?: unknown }[];
  return messages.filter((m) => m.role === "tool").map((m) => ({ tool_call_id: String(m.tool_call_id), content: String(m.content) }));
}

/** The tool results in an Anthropic request, in order: `{tool_use_id, content}`. */
export function anthropicToolResults(body: Record<string, unknown> | null): { tool_use_id: string; content: string }[] {
  const out: { tool_use_id: string; content: string }[] = [];
  for (const m of (body?.messages ?? []) as { role: string; content: unknown }[]) {
    if (m.role !== "user" || !Array.isArray(m.content)) continue;
    for (const b of m.content as { type: string; tool_use_id?: string; content?: unknown }[]) {
      if (b.type === "tool_result") out.push({ tool_use_id: String(b.tool_use_id), content: typeof b.content === "string" ? b.content : JSON.stringify(b.content) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Reading answers

/** An SDK stream's chunks, with its text, finish reasons and tool calls put together. */
export async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  for await (const c of stream) chunks.push(c);
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
  const finish = chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean);
  const args = new Map<number, { id?: string; name?: string; arguments: string }>();
  for (const c of chunks) {
    for (const t of c.choices[0]?.delta?.tool_calls ?? []) {
      const cur = args.get(t.index) ?? { arguments: "" };
      if (t.id) cur.id = t.id;
      if (t.function?.name) cur.name = t.function.name;
      cur.arguments += t.function?.arguments ?? "";
      args.set(t.index, cur);
    }
  }
  return { chunks, text, finish, toolCalls: [...args.values()] };
}

/** A response's body as text: the wire, keepalives and all. */
export async function readAll(res: Response): Promise<string> {
  return new TextDecoder().decode(await res.arrayBuffer());
}
