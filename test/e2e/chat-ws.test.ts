/**
 * Chat over WebSocket as NodeTool's clients speak it, against the real Worker and a loopback OpenAI-protocol
 * upstream. Message shapes from nodetool-ai/nodetool packages/protocol/src/messages.ts (`chunkSchema`,
 * `toolCallUpdateSchema`, `toolResultUpdateSchema`), api-schemas/messages.ts (`messageResponse`) and
 * ws-commands.ts (`chatMessageDataSchema`, `stopDataSchema`); `/chat` bare Message frames as in NodeTool's
 * chat server docs. Also `/updates` (job_update per status change) and the openai SDK with tools on `/v1`.
 */
import { decode, encode } from "@msgpack/msgpack";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { OPENAI_KEY, openAIToolResults, startOpenAIUpstream, streamOpenAITurn, type Received } from "./chat-upstreams";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

type Msg = Record<string, unknown>;

const TOKEN = "chat-ws-token";
let edge: LocalEdge;
let openai: Awaited<ReturnType<typeof startOpenAIUpstream>>;

class Socket {
  readonly frames: Msg[] = [];
  private wake: (() => void)[] = [];
  private constructor(
    private readonly ws: WebSocket,
    private readonly binary: boolean,
  ) {
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      this.frames.push((isBinary ? decode(data) : JSON.parse(data.toString("utf8"))) as Msg);
      for (const w of this.wake.splice(0)) w();
    });
    ws.on("close", () => this.wake.splice(0).forEach((w) => w()));
  }
  static open(path: string, binary = true): Promise<Socket> {
    const ws = new WebSocket(`${edge.url.replace(/^http/, "ws")}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new Socket(ws, binary)));
      ws.once("error", reject);
    });
  }
  send(value: unknown): void {
    this.ws.send(this.binary ? encode(value) : JSON.stringify(value));
  }
  async until(match: (m: Msg) => boolean, timeoutMs = 20_000): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error("socket closed while waiting");
      if (Date.now() > deadline) throw new Error(`timed out; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await Promise.race([new Promise<void>((r) => this.wake.push(r)), new Promise((r) => setTimeout(r, 200))]);
    }
  }
  close(): void {
    this.ws.close(1000);
  }
}

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${edge.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

const doubler = {
  name: "Double It",
  description: "Doubles a number",
  run_mode: "tool",
  tool_name: "double_it",
  graph: {
    nodes: [
      { id: "n", type: "nodetool.input.IntegerInput", data: { name: "n", value: 0 } },
      { id: "m", type: "lib.math.Multiply", data: { b: 2 } },
      { id: "o", type: "nodetool.output.Output", data: { name: "doubled" } },
    ],
    edges: [
      { source: "n", sourceHandle: "output", target: "m", targetHandle: "a" },
      { source: "m", sourceHandle: "output", target: "o", targetHandle: "value" },
    ],
  },
};

function roles(req: Received): string[] {
  return ((req.body?.messages ?? []) as { role: string }[]).map((m) => m.role);
}

beforeAll(async () => {
  openai = await startOpenAIUpstream();
  edge = await startEdge(migratedStateDir(), {
    AUTH_PROVIDER: "static",
    SERVER_AUTH_TOKEN: TOKEN,
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: `${openai.url}/v1`,
  });
  const saved = await api("POST", "/api/workflows", doubler);
  expect(saved.status).toBe(201);
  // Calls workflow_double_it once, then answers with what the tool returned.
  openai.on("chat-tools", (req, res) => {
    const results = openAIToolResults(req.body);
    if (results.length === 0) return streamOpenAITurn(req, res, { text: "Let me double it.", calls: [{ id: "call_w1", name: "workflow_double_it", args: { n: 21 } }] });
    return streamOpenAITurn(req, res, { text: `The answer is ${results[0].content}` });
  });
});
afterAll(async () => {
  await edge?.stop();
  await openai?.close();
});

describe("chat_message on /ws", () => {
  it("stores the message, streams chunks with thread_id, ends with done and the stored assistant message", async () => {
    const ws = await Socket.open("/ws");
    ws.send({ command: "chat_message", data: { type: "message", role: "user", content: "hello there", model: "gpt-4o-mini", provider: "openai" } });
    const ack = await ws.until((m) => m.command === "chat_message");
    expect(ack).toMatchObject({ message: "Chat message processing started", thread_id: expect.any(String), message_id: expect.any(String) });
    const threadId = ack.thread_id as string;
    const final = await ws.until((m) => m.type === "message");
    const chunks = ws.frames.filter((m) => m.type === "chunk");
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) expect(c).toMatchObject({ thread_id: threadId, content_type: "text", done: expect.any(Boolean) });
    expect(chunks.at(-1)!.done).toBe(true);
    expect(chunks.filter((c) => !c.done).map((c) => c.content).join("")).toBe("echo: hello there");
    // The chunks come after the reply and before the message.
    expect(ws.frames.indexOf(ack)).toBeLessThan(ws.frames.indexOf(chunks[0]));
    expect(final).toMatchObject({ type: "message", role: "assistant", content: "echo: hello there", thread_id: threadId, tool_calls: null, tool_call_id: null });
    ws.close();

    const listed = (await (await api("GET", `/api/messages?thread_id=${threadId}`)).json()) as { messages: Msg[]; next: string | null };
    expect(listed.next).toBeNull();
    expect(listed.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "hello there"],
      ["assistant", "echo: hello there"],
    ]);
    expect(listed.messages[1].id).toBe(final.id);
    const thread = (await (await api("GET", `/api/threads/${threadId}`)).json()) as Msg;
    expect(thread).toMatchObject({ id: threadId, title: "hello there", user_id: expect.any(String) });
  });

  it("keeps the thread across connections: a later /chat message sends the earlier turns to the model", async () => {
    const first = await Socket.open("/ws", false);
    first.send({ command: "chat_message", data: { role: "user", content: "my name is Ada", model: "gpt-4o-mini", provider: "openai", thread_id: "persist-thread-1" } });
    await first.until((m) => m.type === "message");
    first.close();

    const second = await Socket.open("/chat");
    // NodeTool's /chat socket takes the Message itself, no command envelope.
    second.send({ role: "user", content: "what is my name?", model: "gpt-4o", provider: "openai", thread_id: "persist-thread-1" });
    const final = await second.until((m) => m.type === "message");
    expect(final).toMatchObject({ role: "assistant", content: "echo: what is my name?", thread_id: "persist-thread-1" });
    second.close();

    const sent = openai.completions().filter((r) => r.body?.model === "gpt-4o").at(-1)!;
    const messages = sent.body!.messages as { role: string; content: string }[];
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "my name is Ada"],
      ["assistant", "echo: my name is Ada"],
      ["user", "what is my name?"],
    ]);
  });

  it("runs a workflow as a tool: tool_call_update, tool_result_update, and every step stored", async () => {
    const ws = await Socket.open("/ws");
    ws.send({ command: "chat_message", data: { role: "user", content: "double 21", model: "chat-tools", provider: "openai", tools: ["workflow_double_it"] } });
    const ack = await ws.until((m) => m.command === "chat_message");
    const call = await ws.until((m) => m.type === "tool_call_update");
    expect(call).toMatchObject({ thread_id: ack.thread_id, tool_call_id: "call_w1", name: "workflow_double_it", args: { n: 21 } });
    const result = await ws.until((m) => m.type === "tool_result_update");
    expect(result).toMatchObject({ thread_id: ack.thread_id, tool_call_id: "call_w1", name: "workflow_double_it", result: { doubled: 42 }, is_error: false });
    const final = await ws.until((m) => m.type === "message");
    expect(final.content).toBe('The answer is {"doubled":42}');
    ws.close();

    const offered = openai.completions().find((r) => r.body?.model === "chat-tools")!;
    expect((offered.body!.tools as { function: { name: string } }[]).map((t) => t.function.name)).toEqual(["workflow_double_it"]);
    const listed = (await (await api("GET", `/api/messages?thread_id=${ack.thread_id as string}`)).json()) as { messages: Msg[] };
    expect(listed.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(listed.messages[1].tool_calls).toEqual([{ id: "call_w1", type: "function", function: { name: "workflow_double_it", arguments: '{"n":21}' } }]);
    expect(listed.messages[2]).toMatchObject({ tool_call_id: "call_w1", content: '{"doubled":42}' });
  });

  it("stop with thread_id ends the generation and closes the upstream request", async () => {
    const ws = await Socket.open("/ws");
    ws.send({ command: "chat_message", data: { role: "user", content: "go on forever", model: "endless", provider: "openai", thread_id: "stop-thread" } });
    await ws.until((m) => m.type === "chunk" && m.thread_id === "stop-thread");
    ws.send({ command: "stop", data: { thread_id: "stop-thread" } });
    const stopped = await ws.until((m) => m.type === "generation_stopped");
    expect(stopped).toMatchObject({ message: "Generation stopped by user", thread_id: "stop-thread" });
    await ws.until((m) => m.command === "stop");
    await expect(openai.closedEarly).resolves.toBe("endless");
    // Nothing more streams for the thread once it stopped.
    await new Promise((r) => setTimeout(r, 300));
    const count = ws.frames.filter((m) => m.type === "chunk").length;
    await new Promise((r) => setTimeout(r, 300));
    expect(ws.frames.filter((m) => m.type === "chunk").length).toBe(count);
    expect(ws.frames.some((m) => m.type === "message" || m.type === "error")).toBe(false);
    ws.close();
    // What was said before the stop is kept.
    const listed = (await (await api("GET", "/api/messages?thread_id=stop-thread")).json()) as { messages: Msg[] };
    expect(listed.messages[0]).toMatchObject({ role: "user", content: "go on forever" });
    expect(String(listed.messages[1]?.content ?? "")).toMatch(/^tick0 /);
  });

  it("answers a bad chat_message with an error reply and keeps the connection", async () => {
    const ws = await Socket.open("/ws", false);
    ws.send({ command: "chat_message", data: { role: "assistant", content: "x" } });
    const reply = await ws.until((m) => m.command === "chat_message" && typeof m.error === "string");
    expect(reply).toMatchObject({ error_type: "validation_error" });
    ws.send({ type: "ping" });
    await ws.until((m) => m.type === "pong");
    ws.close();
  });
});

describe("/updates", () => {
  it("streams the user's job status changes as job_update messages", async () => {
    const ws = await Socket.open("/updates", false);
    ws.send({ type: "ping" });
    await ws.until((m) => m.type === "pong");
    const saved = (await (await api("POST", "/api/workflows", { name: "sum", graph: { nodes: [{ id: "a", type: "nodetool.constant.Integer", data: { value: 5 } }, { id: "o", type: "nodetool.output.Output", data: { name: "out" } }], edges: [{ source: "a", sourceHandle: "output", target: "o", targetHandle: "value" }] } })).json()) as { id: string };
    const run = await api("POST", `/api/workflows/${saved.id}/run`, {});
    expect(run.status).toBe(200);
    const jobId = run.headers.get("x-job-id");
    expect(jobId).toBeTruthy();
    const running = await ws.until((m) => m.job_id === jobId && m.status === "running");
    const done = await ws.until((m) => m.job_id === jobId && m.status === "completed");
    expect(running).toMatchObject({ type: "job_update", workflow_id: saved.id });
    expect(done).toMatchObject({ type: "job_update", workflow_id: saved.id, duration: expect.any(Number) });
    expect(ws.frames.indexOf(running)).toBeLessThan(ws.frames.indexOf(done));
    ws.close();
  });
});

describe("/v1/chat/completions with NodeTool tools", () => {
  it("runs the workflow tool server-side (openai SDK), streamed and not", async () => {
    const client = new OpenAI({ apiKey: TOKEN, baseURL: `${edge.url}/v1`, maxRetries: 0 });
    const tools = [{ type: "function" as const, function: { name: "workflow_double_it" } }];
    const answer = await client.chat.completions.create({ model: "openai:chat-tools", messages: [{ role: "user", content: "double 21" }], tools });
    expect(answer.choices[0].message.content).toBe('The answer is {"doubled":42}');
    expect(answer.choices[0].finish_reason).toBe("stop");

    const stream = await client.chat.completions.create({ model: "openai:chat-tools", messages: [{ role: "user", content: "double 21" }], tools, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe('Let me double it.The answer is {"doubled":42}');

    // Client-defined tools stay a plain proxy: the tool call comes back to the client.
    const proxied = await client.chat.completions.create({
      model: "openai:tools-proxy",
      messages: [{ role: "user", content: "weather?" }],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
    });
    expect(proxied.choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name: "get_weather" } });

    await expect(client.chat.completions.create({ model: "openai:chat-tools", messages: [{ role: "user", content: "x" }], tools: [{ type: "function", function: { name: "workflow_no_such_tool" } }] })).rejects.toMatchObject({ status: 400 });
    expect(roles(openai.completions().at(-1)!)).toContain("user");
  });
});
