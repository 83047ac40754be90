// `npm run bench -- chat`: the /v1 proxy against calling its upstream directly, in the same run. The upstream
// is a loopback OpenAI-protocol server in its own process; the proxy is the real Worker (wrangler's local
// runtime, as the other benchmarks use it).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
// @ts-expect-error: plain ESM helper shared with npm start, without type declarations
import { startLocalEdge } from "../scripts/local-edge.mjs";
import { fmt, median, percentile } from "./stats";

const STREAM_CHUNKS = 10_000;
const CONCURRENCY = 50;
const KEY = "sk-bench-upstream";

/**
 * The upstream: a non-streamed completion is a small fixed JSON body; a streamed one is STREAM_CHUNKS content
 * chunks written one by one as fast as the socket takes them, then a finish chunk and [DONE].
 */
const UPSTREAM_SOURCE = `
const http = require("node:http");
const N = ${STREAM_CHUNKS};
const completion = JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion", created: 1700000000, model: "gpt-bench",
  choices: [{ index: 0, message: { role: "assistant", content: "pong" }, finish_reason: "stop", logprobs: null }],
  usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });
const chunk = (delta, finish) => "data: " + JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1700000000, model: "gpt-bench",
  choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] }) + "\\n\\n";
const server = http.createServer((req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (d) => (body += d));
  req.on("end", async () => {
    if (req.headers.authorization !== "Bearer ${KEY}") { res.writeHead(401).end(); return; }
    const stream = JSON.parse(body).stream === true;
    if (!stream) { res.writeHead(200, { "content-type": "application/json" }).end(completion); return; }
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(chunk({ role: "assistant", content: "" }, null));
    for (let i = 0; i < N; i++) {
      if (!res.write(chunk({ content: "tok" + (i % 10) + " " }, null))) await new Promise((r) => res.once("drain", r));
      if (res.destroyed) return;
    }
    res.write(chunk({}, "stop"));
    res.end("data: [DONE]\\n\\n");
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

async function startUpstream(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["-e", UPSTREAM_SOURCE], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once("exit", () => reject(new Error("the upstream exited")));
  });
  return { url: `http://127.0.0.1:${port}/v1`, child };
}

const BODY = JSON.stringify({ model: "gpt-bench", messages: [{ role: "user", content: "ping" }] });
const STREAM_BODY = JSON.stringify({ model: "gpt-bench", messages: [{ role: "user", content: "ping" }], stream: true });

function post(url: string, body: string, token: string): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body });
}

/** `total` requests with `concurrency` in flight; latencies (ms), sorted. */
async function load(request: () => Promise<Response>, total: number, concurrency: number, expect = '"pong"'): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const start = performance.now();
      const res = await request();
      const text = await res.text();
      if (!res.ok || !text.includes(expect)) throw new Error(`request failed with ${res.status}: ${text.slice(0, 200)}`);
      latencies.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies.sort((a, b) => a - b);
}

interface StreamRun {
  /** From sending the request to the first content chunk, ms. */
  ttft: number;
  /** Content chunks per second, from the first to the last. */
  chunksPerSecond: number;
}

const CONTENT = new TextEncoder().encode('"content":"tok');

/** Reads one streamed completion, counting content chunks as their bytes arrive. */
async function streamOnce(request: () => Promise<Response>): Promise<StreamRun> {
  const t0 = performance.now();
  const res = await request();
  if (!res.ok || !res.body) throw new Error(`stream failed with ${res.status}`);
  const reader = res.body.getReader();
  let first = 0;
  let count = 0;
  let carry = new Uint8Array(0);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    // Count occurrences of CONTENT, including one split across two reads.
    const bytes = carry.length ? concat(carry, value) : value;
    let from = 0;
    for (;;) {
      const at = indexOf(bytes, CONTENT, from);
      if (at < 0) break;
      if (count === 0) first = performance.now();
      count++;
      from = at + CONTENT.length;
    }
    carry = bytes.subarray(Math.max(from, bytes.length - CONTENT.length + 1));
  }
  const end = performance.now();
  if (count !== STREAM_CHUNKS) throw new Error(`expected ${STREAM_CHUNKS} chunks, got ${count}`);
  return { ttft: first - t0, chunksPerSecond: count / ((end - first) / 1000) };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  for (let i = hay.indexOf(first, from); i >= 0 && i <= hay.length - needle.length; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

interface Figures {
  direct: number[];
  proxied: number[];
  /** The same at concurrency 1: what one request costs without queueing behind the others. */
  directSerial: number[];
  proxiedSerial: number[];
  directStreams: StreamRun[];
  proxiedStreams: StreamRun[];
}

/** Interleaved rounds of the non-streamed load and of single streams, direct and through `proxied`. */
async function measure(directUrl: string, proxiedUrl: string, proxiedToken: string, fetchProxied: (url: string, body: string, token: string) => Promise<Response>): Promise<Figures> {
  const direct = () => post(directUrl, BODY, KEY);
  const proxied = () => fetchProxied(proxiedUrl, BODY, proxiedToken);
  // Warm both paths (connections, isolates, JIT), then interleave rounds so drift hits both alike.
  await load(direct, 1000, CONCURRENCY);
  await load(proxied, 1000, CONCURRENCY);
  const d: number[] = [];
  const p: number[] = [];
  const d1: number[] = [];
  const p1: number[] = [];
  for (let round = 0; round < 3; round++) {
    d.push(...(await load(direct, 2000, CONCURRENCY)));
    p.push(...(await load(proxied, 2000, CONCURRENCY)));
    d1.push(...(await load(direct, 300, 1)));
    p1.push(...(await load(proxied, 300, 1)));
  }
  await streamOnce(() => post(directUrl, STREAM_BODY, KEY));
  await streamOnce(() => fetchProxied(proxiedUrl, STREAM_BODY, proxiedToken));
  const ds: StreamRun[] = [];
  const ps: StreamRun[] = [];
  for (let i = 0; i < 7; i++) {
    ds.push(await streamOnce(() => post(directUrl, STREAM_BODY, KEY)));
    ps.push(await streamOnce(() => fetchProxied(proxiedUrl, STREAM_BODY, proxiedToken)));
  }
  const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
  return { direct: sorted(d), proxied: sorted(p), directSerial: sorted(d1), proxiedSerial: sorted(p1), directStreams: ds, proxiedStreams: ps };
}

function report(label: string, f: Figures): string[] {
  const [d50, d99, p50, p99] = [percentile(f.direct, 50), percentile(f.direct, 99), percentile(f.proxied, 50), percentile(f.proxied, 99)];
  const dTtft = median(f.directStreams.map((r) => r.ttft));
  const pTtft = median(f.proxiedStreams.map((r) => r.ttft));
  const dRate = median(f.directStreams.map((r) => r.chunksPerSecond));
  const pRate = median(f.proxiedStreams.map((r) => r.chunksPerSecond));
  return [
    `chat [${label}]: non-stream c=${CONCURRENCY}, ${f.direct.length} requests each: direct p50 ${fmt(d50)} ms p99 ${fmt(d99)} ms | via /v1 p50 ${fmt(p50)} ms p99 ${fmt(p99)} ms`,
    `chat [${label}]: added latency p50 ${fmt(p50 - d50)} ms (target < 1 ms), p99 ${fmt(p99 - d99)} ms (target < 5 ms)`,
    `chat [${label}]: at c=1: direct p50 ${fmt(percentile(f.directSerial, 50))} ms | via /v1 p50 ${fmt(percentile(f.proxiedSerial, 50))} ms: added ${fmt(percentile(f.proxiedSerial, 50) - percentile(f.directSerial, 50))} ms per request`,
    `chat [${label}]: ${STREAM_CHUNKS}-chunk stream, median of ${f.directStreams.length}: direct TTFT ${fmt(dTtft)} ms ${fmt(dRate, 0)} chunks/s | via /v1 TTFT ${fmt(pTtft)} ms ${fmt(pRate, 0)} chunks/s`,
    `chat [${label}]: TTFT delta ${fmt(pTtft - dTtft)} ms, stream throughput ${fmt((100 * pRate) / dRate, 1)}% of direct (target >= 90%)`,
  ];
}

/**
 * Two hosts for the same proxy code, each against the same upstream called directly:
 * - the real Worker in wrangler's local runtime (the request crosses wrangler's dev proxy and workerd; with
 *   GET /health as that runtime's own floor), which is what the targets are about;
 * - the `/v1` routes in this process (hono's `app.fetch`, no runtime hops; auth `none`, since Node lacks
 *   workerd's `crypto.subtle.timingSafeEqual`), which isolates what the proxy code itself adds.
 */
export async function benchChat(): Promise<string[]> {
  const upstream = await startUpstream();
  const lines: string[] = [];
  try {
    const state = mkdtempSync(path.join(tmpdir(), "nodetool-edge-bench-chat-"));
    const edge = await startLocalEdge({
      persistTo: state,
      vars: { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: "bench-token", OPENAI_API_KEY: KEY, OPENAI_BASE_URL: upstream.url },
    });
    try {
      const worker = await measure(`${upstream.url}/chat/completions`, `${edge.url}/v1/chat/completions`, "bench-token", post);
      const health = await load(() => fetch(`${edge.url}/health`), 6000, CONCURRENCY, "healthy");
      const health1 = await load(() => fetch(`${edge.url}/health`), 500, 1, "healthy");
      lines.push(...report("Worker, wrangler local runtime", worker));
      lines.push(
        `chat [Worker, wrangler local runtime]: for scale, the runtime's own floor GET /health: c=${CONCURRENCY} p50 ${fmt(percentile(health, 50))} ms p99 ${fmt(percentile(health, 99))} ms, c=1 p50 ${fmt(percentile(health1, 50))} ms`,
      );
    } finally {
      await edge.stop();
      rmSync(state, { recursive: true, force: true });
    }

    // The Node host has no IdentityTransformStream (a workerd global); the standard identity transform is the same stream.
    const g = globalThis as { IdentityTransformStream?: unknown };
    g.IdentityTransformStream ??= class extends TransformStream<Uint8Array, Uint8Array> {};
    const { Hono } = await import("hono");
    const { chatRoutes } = await import("../edge/chat/routes");
    const app = new Hono().route("/", chatRoutes() as never);
    const env = { AUTH_PROVIDER: "none", OPENAI_API_KEY: KEY, OPENAI_BASE_URL: upstream.url };
    const inProcess = (url: string, body: string, token: string) =>
      Promise.resolve(
        app.fetch(new Request(url, { method: "POST", headers: { "content-type": "application/json", "content-length": String(body.length), authorization: `Bearer ${token}` }, body }), env),
      );
    const code = await measure(`${upstream.url}/chat/completions`, "http://in-process/v1/chat/completions", "unused", inProcess);
    lines.push(...report("proxy code in-process, Node", code));
  } finally {
    upstream.child.kill();
  }
  return lines;
}
