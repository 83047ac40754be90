/**
 * Stand-in providers on loopback for trying real workflow files without outside services: one HTTP server that
 * speaks OpenAI's chat, embeddings, images, audio and video protocols, Anthropic's Messages protocol and SerpAPI's
 * search protocol, answering every request with generic but well-formed content:
 *
 * - chat: when tools are offered, the first turns call one (with arguments made from its JSON Schema; three
 *   calls for a data-generating tool, one otherwise), then a text answer; a JSON-Schema response format gets a
 *   JSON value made from the schema; plain prompts get a short text with a bulleted list (so list generators
 *   find items). Streams and non-streamed answers both.
 * - search: a few organic results, news, jobs, shopping and local entries for any engine.
 *
 * Used by scripts/check-examples.ts (`--loopback`); it is a development aid, not part of the product.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { makeSampleMedia, monoWav, type SampleMedia } from "./sample-media";

export interface LoopbackProviders {
  url: string;
  /** Environment that points the chat, embeddings, media and search settings at the server. */
  env: Record<string, string>;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; enum?: unknown[]; anyOf?: Schema[]; required?: string[] };

/** A value that validates against a (simple) JSON Schema. */
export function valueFor(schema: Schema | undefined, name = "value", depth = 0): unknown {
  if (!schema || depth > 6) return `${name} sample`;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.anyOf?.length) return valueFor(schema.anyOf.find((s) => s.type !== "null") ?? schema.anyOf[0], name, depth + 1);
  const type = Array.isArray(schema.type) ? (schema.type.find((t) => t !== "null") ?? "string") : (schema.type ?? (schema.properties ? "object" : "string"));
  switch (type) {
    case "object":
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, valueFor(s, k, depth + 1)]));
    case "array":
      return [1, 2, 3].map((i) => valueFor(schema.items, `${name} ${i}`, depth + 1));
    case "integer":
      return 3;
    case "number":
      return 1.5;
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return `${name} sample`;
  }
}

function lastUserText(messages: { role: string; content: unknown }[]): string {
  const last = [...messages].reverse().find((m) => m.role === "user");
  const content = last?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p: { text?: string }) => p.text ?? "").join(" ");
  return "";
}

function textAnswer(prompt: string): string {
  const topic = prompt.replace(/\s+/g, " ").slice(0, 80);
  return `Loopback answer about: ${topic}\n\n- first point\n- second point\n- third point\n`;
}

/** Which tool to call now, if any: a few calls for data generation, one for anything else. */
function toolToCall(tools: { name: string; schema: Schema }[], toolResults: number): { name: string; args: Json } | null {
  if (tools.length === 0) return null;
  const tool = tools[0];
  const wanted = /data|record|row/i.test(tool.name) ? 3 : 1;
  if (toolResults >= wanted) return null;
  return { name: tool.name, args: valueFor(tool.schema, tool.name) as Json };
}

function sse(res: ServerResponse, events: (string | [string, Json])[]): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (const e of events) res.write(typeof e === "string" ? `data: ${e}\n\n` : `event: ${e[0]}\ndata: ${JSON.stringify(e[1])}\n\n`);
  res.end();
}

function openaiChat(body: Json, res: ServerResponse): void {
  const messages = (body.messages ?? []) as { role: string; content: unknown }[];
  const tools = ((body.tools ?? []) as { function: { name: string; parameters?: Schema } }[]).map((t) => ({ name: t.function.name, schema: t.function.parameters ?? {} }));
  const call = toolToCall(tools, messages.filter((m) => m.role === "tool").length);
  const format = body.response_format as { type?: string; json_schema?: { schema?: Schema } } | undefined;
  const text = format?.type === "json_schema" ? JSON.stringify(valueFor(format.json_schema?.schema)) : format?.type === "json_object" ? "{}" : textAnswer(lastUserText(messages));
  const base = { id: "chatcmpl-loopback", created: Math.floor(Date.now() / 1000), model: String(body.model ?? "loopback") };
  const usage = { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 };
  const toolCalls = call ? [{ index: 0, id: `call_${Date.now()}`, type: "function", function: { name: call.name, arguments: JSON.stringify(call.args) } }] : undefined;
  if (!body.stream) {
    const message = call ? { role: "assistant", content: null, tool_calls: toolCalls } : { role: "assistant", content: text };
    json(res, 200, { ...base, object: "chat.completion", choices: [{ index: 0, message, finish_reason: call ? "tool_calls" : "stop" }], usage });
    return;
  }
  const chunk = (delta: Json, finish: string | null = null) => JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] });
  const events = [chunk({ role: "assistant", content: "" })];
  if (call) events.push(chunk({ tool_calls: toolCalls }), chunk({}, "tool_calls"));
  else events.push(...text.match(/[\s\S]{1,24}/g)!.map((piece) => chunk({ content: piece })), chunk({}, "stop"));
  events.push("[DONE]");
  sse(res, events);
}

function anthropicMessages(body: Json, res: ServerResponse): void {
  const messages = (body.messages ?? []) as { role: string; content: unknown }[];
  const tools = ((body.tools ?? []) as { name: string; input_schema?: Schema }[]).map((t) => ({ name: t.name, schema: t.input_schema ?? {} }));
  const toolResults = messages.filter((m) => Array.isArray(m.content) && (m.content as { type?: string }[]).some((b) => b.type === "tool_result")).length;
  const call = toolToCall(tools, toolResults);
  const system = typeof body.system === "string" ? body.system : JSON.stringify(body.system ?? "");
  const schemaText = /JSON Schema:\n(\{[\s\S]*\})/.exec(system)?.[1];
  const text = schemaText ? JSON.stringify(valueFor(JSON.parse(schemaText) as Schema)) : /single JSON object/.test(system) ? "{}" : textAnswer(lastUserText(messages));
  const id = `toolu_${Date.now()}`;
  const content = call ? [{ type: "tool_use", id, name: call.name, input: call.args }] : [{ type: "text", text }];
  const usage = { input_tokens: 10, output_tokens: 20 };
  const stop_reason = call ? "tool_use" : "end_turn";
  if (!body.stream) {
    json(res, 200, { id: "msg_loopback", type: "message", role: "assistant", model: body.model, content, stop_reason, usage });
    return;
  }
  const events: [string, Json][] = [["message_start", { type: "message_start", message: { id: "msg_loopback", type: "message", role: "assistant", model: body.model, content: [], usage } }]];
  if (call) {
    events.push(["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "tool_use", id, name: call.name, input: {} } }]);
    events.push(["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: JSON.stringify(call.args) } }]);
  } else {
    events.push(["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }]);
    for (const piece of text.match(/[\s\S]{1,24}/g)!) events.push(["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: piece } }]);
  }
  events.push(["content_block_stop", { type: "content_block_stop", index: 0 }]);
  events.push(["message_delta", { type: "message_delta", delta: { stop_reason }, usage: { output_tokens: 20 } }]);
  events.push(["message_stop", { type: "message_stop" }]);
  sse(res, events);
}

function searchAnswer(query: string): Json {
  const results = [1, 2, 3].map((i) => ({ position: i, title: `${query} result ${i}`, link: `https://example.com/${i}`, snippet: `About ${query} (${i})`, source: "example.com" }));
  return {
    search_metadata: { status: "Success" },
    organic_results: results,
    news_results: results,
    jobs_results: results.map((r) => ({ ...r, company_name: "Example Co", location: "Remote", description: r.snippet })),
    shopping_results: results.map((r) => ({ ...r, price: "$10", extracted_price: 10 })),
    local_results: results.map((r) => ({ ...r, address: "1 Example St", rating: 4.5 })),
    organic: results,
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

// A 1x1 transparent PNG and a short silent WAV: the smallest valid media answers.
const PNG_1X1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
async function readJson(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!(req.headers["content-type"] ?? "").includes("json")) return {};
  try {
    return JSON.parse(text) as Json;
  } catch {
    return {};
  }
}

/** OpenAI's video API (Sora): a job that is already complete, whose content is a short test-pattern MP4. */
function videos(path: string, body: Json, res: ServerResponse, media: SampleMedia): boolean {
  const match = /\/videos(?:\/([^/]+))?(\/content)?$/.exec(path);
  if (!match) return false;
  if (match[2]) {
    res.writeHead(200, { "content-type": "video/mp4" }).end(Buffer.from(media.video));
    return true;
  }
  json(res, 200, { id: match[1] ?? "video_loopback", object: "video", status: "completed", progress: 100, model: body.model ?? "sora-2", seconds: "4", size: "720x1280", created_at: 0 });
  return true;
}

async function route(req: IncomingMessage, res: ServerResponse, media: SampleMedia): Promise<void> {
  const url = new URL(req.url ?? "/", "http://loopback");
  const body = await readJson(req);
  const path = url.pathname;
  if (path.endsWith("/chat/completions")) return openaiChat(body, res);
  if (path.endsWith("/v1/messages")) return anthropicMessages(body, res);
  if (path.endsWith("/embeddings")) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    return json(res, 200, { object: "list", model: body.model, data: inputs.map((t, index) => ({ object: "embedding", index, embedding: [1, String(t).length % 7, 0.5, 0.25] })), usage: { prompt_tokens: 1, total_tokens: 1 } });
  }
  if (path.endsWith("/images/generations") || path.endsWith("/images/edits")) return json(res, 200, { created: 0, data: [{ b64_json: PNG_1X1 }] });
  if (path.endsWith("/audio/transcriptions")) return json(res, 200, { text: "Loopback transcription of the audio." });
  if (path.endsWith("/audio/speech")) {
    res.writeHead(200, { "content-type": "audio/wav" }).end(monoWav(new Int16Array(1600), 16_000));
    return;
  }
  if (videos(path, body, res, media)) return;
  if (path.endsWith("/models")) return json(res, 200, { object: "list", data: [{ id: "loopback", object: "model" }] });
  if (path.endsWith("/search.json") || path.endsWith("/search")) return json(res, 200, searchAnswer(url.searchParams.get("q") ?? url.searchParams.get("query") ?? "query"));
  json(res, 404, { error: { message: `loopback providers: no route ${req.method} ${path}` } });
}

export async function startLoopbackProviders(): Promise<LoopbackProviders> {
  const media = await makeSampleMedia();
  const server: Server = createServer((req, res) => {
    route(req, res, media).catch((err: unknown) => json(res, 500, { error: { message: String(err) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    env: {
      OPENAI_API_KEY: "sk-loopback",
      OPENAI_BASE_URL: `${url}/v1`,
      ANTHROPIC_API_KEY: "sk-ant-loopback",
      ANTHROPIC_BASE_URL: url,
      CHAT_DEFAULT_MODEL: "openai:gpt-4o-mini",
      SEARCH_API_BASE_URL: url,
      SEARCH_API_KEY: "serp-loopback",
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
