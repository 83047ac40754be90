import { spawn, type ChildProcess } from "node:child_process";
import type { ServerResponse } from "node:http";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkEvent, OPENAI_KEY, sseHead, startOpenAIUpstream } from "./chat-upstreams";

/**
 * The chat proxy under `npm start` (scripts/start.mjs: `wrangler dev`, whose proxy Worker sits in front of
 * ours): a client that goes away mid-stream must still reach the upstream, which stops generating.
 */

const ROOT = path.resolve(__dirname, "..", "..");
let upstream: Awaited<ReturnType<typeof startOpenAIUpstream>>;
let start: ChildProcess;
let base: string;
let output = "";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  upstream = await startOpenAIUpstream();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  start = spawn(process.execPath, [path.join(ROOT, "scripts", "start.mjs")], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      // Runners of "our own" that are never asked: no chat request needs one, and none is started.
      GPU_RUNNER_URLS: "http://127.0.0.1:9",
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      SSE_KEEPALIVE_MS: "200",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  start.stdout!.on("data", (d) => (output += d));
  start.stderr!.on("data", (d) => (output += d));
  for (let i = 0; ; i++) {
    if (/\[start\] ready on/.test(output)) break;
    if (start.exitCode !== null || i > 1200) throw new Error(`npm start did not come up:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 180_000);

afterAll(async () => {
  if (start && start.exitCode === null) {
    const exited = new Promise((r) => start.once("exit", r));
    start.kill("SIGINT");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  await upstream?.close();
});

describe("chat streams under npm start", () => {
  it("streams, and a client that disconnects aborts the upstream request", async () => {
    const whole = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai:gpt-4o-mini", messages: [{ role: "user", content: "one two" }], stream: true }),
    });
    expect(whole.status).toBe(200);
    const wire = await whole.text();
    expect(wire).toContain('"content":"two"');
    expect(wire.endsWith("data: [DONE]\n\n")).toBe(true);

    const controller = new AbortController();
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai:endless", messages: [{ role: "user", content: "x" }], stream: true }),
      signal: controller.signal,
    });
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
    // The endless upstream writes a tick every 20 ms for 200 s unless its client goes away.
    const closed = await Promise.race([upstream.closedEarly, new Promise<string>((r) => setTimeout(() => r("still streaming after 15 s"), 15_000))]);
    expect(closed).toBe("endless");
  });

  it("a client that disconnects before the first token aborts the upstream request too", async () => {
    let upstreamGone!: (v: string) => void;
    const gone = new Promise<string>((r) => (upstreamGone = r));
    upstream.on("thinking", async (_req, res: ServerResponse) => {
      res.on("close", () => {
        if (!res.writableEnded) upstreamGone("closed");
      });
      // A model still thinking: nothing at all for 30 s, not even the response head.
      await new Promise((r) => setTimeout(r, 30_000));
      if (!res.destroyed) res.writeHead(200, { "content-type": "text/event-stream" }).end("data: [DONE]\n\n");
    });
    const controller = new AbortController();
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai:thinking", messages: [{ role: "user", content: "x" }], stream: true }),
      signal: controller.signal,
    });
    // The response has started (after SSE_KEEPALIVE_MS) with keepalives while the upstream thinks.
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain(": keepalive");
    await new Promise((r) => setTimeout(r, 500));
    controller.abort();
    await reader.cancel().catch(() => {});
    const result = await Promise.race([gone, new Promise<string>((r) => setTimeout(() => r("upstream still waiting after 15 s"), 15_000))]);
    expect(result).toBe("closed");
  });

  it("a client that disconnects after a late upstream's stream was handed to the native pipe aborts the upstream request", async () => {
    let upstreamGone!: (v: string) => void;
    const gone = new Promise<string>((r) => (upstreamGone = r));
    upstream.on("late-endless", async (req, res: ServerResponse) => {
      res.on("close", () => {
        if (!res.writableEnded) upstreamGone("closed");
      });
      // Longer than SSE_KEEPALIVE_MS: the response starts with keepalives, then the body is piped natively.
      await new Promise((r) => setTimeout(r, 600));
      sseHead(res);
      for (let i = 0; !res.destroyed && i < 10_000; i++) {
        res.write(chunkEvent(String(req.body?.model), { content: `tick${i} ` }));
        await new Promise((r) => setTimeout(r, 20));
      }
      if (!res.destroyed) res.end("data: [DONE]\n\n");
    });
    const controller = new AbortController();
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai:late-endless", messages: [{ role: "user", content: "x" }], stream: true }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes("tick1 ")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    expect(seen).toMatch(/^(: keepalive\n\n)+data: .*tick0 /);
    controller.abort();
    await reader.cancel().catch(() => {});
    const result = await Promise.race([gone, new Promise<string>((r) => setTimeout(() => r("upstream still streaming after 15 s"), 15_000))]);
    expect(result).toBe("closed");
  });

  it("an upstream that fails after the response has started reports it as the error event, then [DONE]", async () => {
    upstream.on("late-failure", async (_req, res: ServerResponse) => {
      await new Promise((r) => setTimeout(r, 800));
      res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "overloaded", type: "server_error" } }));
    });
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai:late-failure", messages: [{ role: "user", content: "x" }], stream: true }),
    });
    expect(res.status).toBe(200);
    const wire = await res.text();
    expect(wire.startsWith(": keepalive\n\n")).toBe(true);
    expect(wire).toMatch(/data: \{"error":\{.*"code":"provider_unavailable"\}\}\n\ndata: \[DONE\]\n\n$/);
  });
});
