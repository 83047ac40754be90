import OpenAI from "openai";
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ANTHROPIC_KEY,
  anthropicEvent,
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
 * The proxy's two stream paths on the real Worker (edge/chat/stream.ts): an OpenAI-protocol stream is the
 * upstream's body itself, streamed by the runtime; a translated (Anthropic) one goes through the JavaScript
 * relay, which adds mid-stream keepalives and the error event. Silences, break-offs and bursts on each.
 */

const TOKEN = "chat-streams-e2e-token";
let openai: Awaited<ReturnType<typeof startOpenAIUpstream>>;
let anthropic: Upstream;
let edge: LocalEdge;
let client: OpenAI;

beforeAll(async () => {
  openai = await startOpenAIUpstream();
  anthropic = await startAnthropicUpstream();
  edge = await startEdge(migratedStateDir(), {
    AUTH_PROVIDER: "static",
    SERVER_AUTH_TOKEN: TOKEN,
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: `${openai.url}/v1`,
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    ANTHROPIC_BASE_URL: anthropic.url,
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

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${edge.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
}

describe("streams on the native path and through the relay", () => {
  it("keepalive comments while an OpenAI-protocol upstream has not answered, then its stream passes through byte for byte", async () => {
    const body = (model: string) => `${chunkEvent(model, { role: "assistant", content: "" })}${chunkEvent(model, { content: "late" }, "stop")}data: [DONE]\n\n`;
    openai.on("slow-head", async (req, res: ServerResponse) => {
      // Thinking before the response head, as a model does before its first token.
      await new Promise((r) => setTimeout(r, 600));
      sseHead(res);
      res.end(body(String(req.body?.model)));
    });
    const wire = await readAll(await post("/v1/chat/completions", { model: "openai:slow-head", messages: user("x"), stream: true }));
    expect(wire.startsWith(": keepalive\n\n")).toBe(true);
    expect(wire.match(/: keepalive\n\n/g)!.length).toBeGreaterThanOrEqual(3);
    // After the keepalives, the upstream's bytes exactly: the runtime pipes them (edge/chat/stream.ts, pipeSse).
    expect(wire.replace(/^(: keepalive\n\n)+/, "")).toBe(body("slow-head"));
    const viaSdk = await collect(await client.chat.completions.create({ model: "openai:slow-head", messages: user("x"), stream: true }));
    expect(viaSdk.text).toBe("late");

    // Once the upstream's body has started, the native pipe adds nothing: a pause mid-stream is passed on as it is.
    let sent = "";
    openai.on("slow", async (req, res: ServerResponse) => {
      const model = String(req.body?.model);
      sseHead(res);
      const write = (text: string) => {
        sent += text;
        res.write(text);
      };
      write(chunkEvent(model, { role: "assistant", content: "" }));
      await new Promise((r) => setTimeout(r, 600));
      write(chunkEvent(model, { content: "late" }, "stop"));
      write("data: [DONE]\n\n");
      res.end();
    });
    expect(await readAll(await post("/v1/chat/completions", { model: "openai:slow", messages: user("x"), stream: true }))).toBe(sent);
  });

  it("sends keepalive comments while a translated (Anthropic) stream is silent mid-stream (the SDK ignores them)", async () => {
    anthropic.on("claude-slow", async (req, res: ServerResponse) => {
      const model = String(req.body?.model);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(anthropicEvent("message_start", { message: { id: "msg_slow", type: "message", role: "assistant", model, content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 1 } } }));
      res.write(anthropicEvent("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
      await new Promise((r) => setTimeout(r, 600));
      res.write(anthropicEvent("content_block_delta", { index: 0, delta: { type: "text_delta", text: "late" } }));
      res.write(anthropicEvent("content_block_stop", { index: 0 }));
      res.write(anthropicEvent("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 2 } }));
      res.end(anthropicEvent("message_stop", {}));
    });
    const wire = await readAll(await post("/v1/chat/completions", { model: "anthropic:claude-slow", messages: user("x"), stream: true }));
    expect(wire).toContain(": keepalive\n\n");
    expect(wire.indexOf('"role":"assistant"')).toBeLessThan(wire.indexOf(": keepalive"));
    expect(wire.indexOf(": keepalive")).toBeLessThan(wire.indexOf('"late"'));
    expect(wire.endsWith("data: [DONE]\n\n")).toBe(true);
    const viaSdk = await collect(await client.chat.completions.create({ model: "anthropic:claude-slow", messages: user("x"), stream: true }));
    expect(viaSdk.text).toBe("late");
  });

  it("reports an upstream failure mid-stream as a data: {error} event, then [DONE], on the translated path", async () => {
    anthropic.on("claude-broken", async (req, res: ServerResponse) => {
      const model = String(req.body?.model);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(anthropicEvent("message_start", { message: { id: "msg_broken", type: "message", role: "assistant", model, content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 1 } } }));
      res.write(anthropicEvent("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
      res.write(anthropicEvent("content_block_delta", { index: 0, delta: { type: "text_delta", text: "partial " } }));
      await new Promise((r) => setTimeout(r, 50));
      res.destroy();
    });
    const wire = await readAll(await post("/v1/chat/completions", { model: "anthropic:claude-broken", messages: user("x"), stream: true }));
    expect(wire).toContain('"content":"partial "');
    expect(wire).toMatch(/data: \{"error":\{"message":"The stream from provider 'anthropic' broke off","type":"server_error","param":null,"code":"provider_stream_error"\}\}\n\ndata: \[DONE\]\n\n$/);

    let received = "";
    const sdk = async () => {
      const stream = await client.chat.completions.create({ model: "anthropic:claude-broken", messages: user("x"), stream: true });
      for await (const c of stream) received += c.choices[0]?.delta?.content ?? "";
    };
    await expect(sdk()).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(received).toBe("partial ");

    const anthropicWire = await readAll(await post("/v1/chat/completions", { model: "claude-error-stream", messages: user("x"), stream: true }));
    expect(anthropicWire).toContain('"content":"Hello"');
    expect(anthropicWire).toMatch(/data: \{"error":\{"message":"Overloaded","type":"server_error","param":null,"code":"provider_unavailable"\}\}\n\ndata: \[DONE\]\n\n$/);
  });

  it("an OpenAI-protocol upstream that breaks off mid-stream: its bytes so far arrive intact, and the stream ends there without [DONE]", async () => {
    // The native pipe cannot add the error event (edge/chat/stream.ts, pipeSse): a missing [DONE] is how a
    // client tells this stream was cut.
    const wire = await readAll(await post("/v1/chat/completions", { model: "openai:midstream-error", messages: user("x"), stream: true }));
    expect(wire).toBe(chunkEvent("midstream-error", { role: "assistant", content: "" }) + chunkEvent("midstream-error", { content: "partial " }));
  });

  it("a burst of chunks (far faster than tokens) arrives complete and in order, natively and through the translating relay, also when it breaks off", async () => {
    const burst = (n: number, breakOff: boolean) => async (_req: Received, res: ServerResponse) => {
      sseHead(res);
      for (let i = 0; i < n; i++) {
        if (!res.write(chunkEvent("burst", { content: `${i},` }))) await new Promise((r) => res.once("drain", r));
      }
      if (breakOff) {
        await new Promise((r) => setTimeout(r, 50));
        res.destroy();
        return;
      }
      res.write(chunkEvent("burst", {}, "stop"));
      res.end("data: [DONE]\n\n");
    };
    openai.on("burst-ok", burst(3000, false));
    openai.on("burst-broken", burst(2000, true));
    const expected = (n: number) => Array.from({ length: n }, (_, i) => `${i},`).join("");
    const ok = await collect(await client.chat.completions.create({ model: "openai:burst-ok", messages: user("x"), stream: true }));
    expect(ok.text).toBe(expected(3000));
    expect(ok.finish).toEqual(["stop"]);
    // Asked for usage, the same stream goes through the JavaScript relay (its tail is kept for the meter).
    const relayed = await collect(await client.chat.completions.create({ model: "openai:burst-ok", messages: user("x"), stream: true, stream_options: { include_usage: true } }));
    expect(relayed.text).toBe(expected(3000));
    expect(relayed.finish).toEqual(["stop"]);

    const textOf = (events: string[]) => events.map((e) => (JSON.parse(e.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0].delta.content ?? "").join("");
    const wire = await readAll(await post("/v1/chat/completions", { model: "openai:burst-broken", messages: user("x"), stream: true }));
    const events = wire.split("\n\n").filter(Boolean);
    expect(wire.endsWith("\n\n")).toBe(true);
    expect(wire).not.toContain("[DONE]");
    expect(textOf(events)).toBe(expected(2000));

    // The same through the JavaScript relay: Anthropic's events, translated, batched on the way out.
    const anthropicBurst = (n: number, breakOff: boolean) => async (req: Received, res: ServerResponse) => {
      const model = String(req.body?.model);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(anthropicEvent("message_start", { message: { id: "msg_burst", type: "message", role: "assistant", model, content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 1 } } }));
      res.write(anthropicEvent("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
      for (let i = 0; i < n; i++) {
        if (!res.write(anthropicEvent("content_block_delta", { index: 0, delta: { type: "text_delta", text: `${i},` } }))) await new Promise((r) => res.once("drain", r));
      }
      if (breakOff) {
        await new Promise((r) => setTimeout(r, 50));
        res.destroy();
        return;
      }
      res.write(anthropicEvent("content_block_stop", { index: 0 }));
      res.write(anthropicEvent("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: n } }));
      res.end(anthropicEvent("message_stop", {}));
    };
    anthropic.on("claude-burst-ok", anthropicBurst(3000, false));
    anthropic.on("claude-burst-broken", anthropicBurst(2000, true));
    const translated = await collect(await client.chat.completions.create({ model: "anthropic:claude-burst-ok", messages: user("x"), stream: true }));
    expect(translated.text).toBe(expected(3000));
    expect(translated.finish).toEqual(["stop"]);
    const brokenWire = await readAll(await post("/v1/chat/completions", { model: "anthropic:claude-burst-broken", messages: user("x"), stream: true }));
    const brokenEvents = brokenWire.split("\n\n").filter(Boolean);
    expect(brokenEvents.at(-1)).toBe("data: [DONE]");
    expect(JSON.parse(brokenEvents.at(-2)!.slice(6))).toMatchObject({ error: { code: "provider_stream_error" } });
    expect(textOf(brokenEvents.slice(0, -2))).toBe(expected(2000));
  });
});
