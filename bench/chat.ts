// `npm run bench -- chat`: the /v1 proxy against calling its upstream directly, in the same run. The upstream
// is a loopback OpenAI-protocol server in its own process; the proxy is the real Worker, bundled by wrangler
// and run by workerd.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
// @ts-expect-error: plain ESM helper shared with npm start, without type declarations
import { applyLocalMigrations, startBundledEdge } from "../scripts/local-edge.mjs";
import { ALL_CPUS, canPin, pin, splitCpus } from "./cpu-affinity";
import { available as cpuTimeAvailable, childrenNamed, cpuMs } from "./process-cpu";
import { fmt, median, percentile } from "./stats";

const STREAM_CHUNKS = 10_000;
const CONCURRENCY = 50;
const KEY = "sk-bench-upstream";

/**
 * The upstream: a non-streamed completion is a small fixed JSON body; a streamed one is STREAM_CHUNKS content
 * chunks written one by one as fast as the socket takes them, then a finish chunk, the usage chunk when
 * `stream_options.include_usage` asks for it, and [DONE].
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
    if (JSON.parse(body).stream_options?.include_usage === true) {
      res.write("data: " + JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1700000000, model: "gpt-bench", choices: [],
        usage: { prompt_tokens: 5, completion_tokens: N, total_tokens: N + 5 } }) + "\\n\\n");
    }
    res.end("data: [DONE]\\n\\n");
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

interface Upstream {
  url: string;
  child: ChildProcess;
}

async function startUpstream(): Promise<Upstream> {
  const child = spawn(process.execPath, ["-e", UPSTREAM_SOURCE], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once("exit", () => reject(new Error("the upstream exited")));
  });
  return { url: `http://127.0.0.1:${port}/v1`, child };
}

const BODY = JSON.stringify({ model: "gpt-bench", messages: [{ role: "user", content: "ping" }] });
const STREAM_BODY = JSON.stringify({ model: "gpt-bench", messages: [{ role: "user", content: "ping" }], stream: true });
const STREAM_USAGE_BODY = JSON.stringify({ model: "gpt-bench", messages: [{ role: "user", content: "ping" }], stream: true, stream_options: { include_usage: true } });

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

const ROUNDS = 5;
const PER_ROUND = 1200;
const PER_ROUND_SERIAL = 200;

interface Figures {
  /** Per round, sorted latencies (ms) at CONCURRENCY. */
  direct: number[][];
  proxied: number[][];
  /** The same at concurrency 1: what one request costs without queueing behind the others. */
  directSerial: number[];
  proxiedSerial: number[];
  directStreams: StreamRun[];
  proxiedStreams: StreamRun[];
}

type Fetcher = (url: string, body: string, token: string) => Promise<Response>;

/**
 * Interleaved rounds of the non-streamed load and of single streams, direct and through `proxiedUrl`, so
 * that drift on this noisy machine hits both alike; each round's direct and proxied figures are compared
 * with each other.
 */
async function measure(directUrl: string, proxiedUrl: string, proxiedToken: string, fetchProxied: Fetcher): Promise<Figures> {
  const direct = () => post(directUrl, BODY, KEY);
  const proxied = () => fetchProxied(proxiedUrl, BODY, proxiedToken);
  // Warm both paths (connections, isolates, JIT).
  await load(direct, 1000, CONCURRENCY);
  await load(proxied, 1000, CONCURRENCY);
  const f: Figures = { direct: [], proxied: [], directSerial: [], proxiedSerial: [], directStreams: [], proxiedStreams: [] };
  for (let round = 0; round < ROUNDS; round++) {
    f.direct.push(await load(direct, PER_ROUND, CONCURRENCY));
    f.proxied.push(await load(proxied, PER_ROUND, CONCURRENCY));
    f.directSerial.push(...(await load(direct, PER_ROUND_SERIAL, 1)));
    f.proxiedSerial.push(...(await load(proxied, PER_ROUND_SERIAL, 1)));
  }
  await streamOnce(() => post(directUrl, STREAM_BODY, KEY));
  await streamOnce(() => fetchProxied(proxiedUrl, STREAM_BODY, proxiedToken));
  for (let i = 0; i < 7; i++) {
    f.directStreams.push(await streamOnce(() => post(directUrl, STREAM_BODY, KEY)));
    f.proxiedStreams.push(await streamOnce(() => fetchProxied(proxiedUrl, STREAM_BODY, proxiedToken)));
  }
  f.directSerial.sort((x, y) => x - y);
  f.proxiedSerial.sort((x, y) => x - y);
  return f;
}

const pooled = (rounds: number[][]) => rounds.flat().sort((x, y) => x - y);

/** The median over rounds of (proxied − direct) at percentile `p`: robust to a round that drift spoiled. */
function addedPerRound(f: Figures, p: number): number {
  return median(f.proxied.map((round, i) => percentile(round, p) - percentile(f.direct[i], p)));
}

function report(label: string, f: Figures, targets = true): string[] {
  const direct = pooled(f.direct);
  const proxied = pooled(f.proxied);
  const [d50, d99, p50, p99] = [percentile(direct, 50), percentile(direct, 99), percentile(proxied, 50), percentile(proxied, 99)];
  const dTtft = median(f.directStreams.map((r) => r.ttft));
  const pTtft = median(f.proxiedStreams.map((r) => r.ttft));
  const dRate = median(f.directStreams.map((r) => r.chunksPerSecond));
  const pRate = median(f.proxiedStreams.map((r) => r.chunksPerSecond));
  const target = (text: string) => (targets ? ` (target ${text})` : "");
  return [
    `chat [${label}]: non-stream c=${CONCURRENCY}, ${ROUNDS} rounds of ${PER_ROUND} requests each: direct p50 ${fmt(d50)} ms p99 ${fmt(d99)} ms | proxied p50 ${fmt(p50)} ms p99 ${fmt(p99)} ms`,
    `chat [${label}]: added latency, all rounds pooled: p50 ${fmt(p50 - d50)} ms${target("< 1 ms")}, p99 ${fmt(p99 - d99)} ms${target("< 5 ms")}; median of per-round differences: p50 ${fmt(addedPerRound(f, 50))} ms, p99 ${fmt(addedPerRound(f, 99))} ms`,
    `chat [${label}]: at c=1: direct p50 ${fmt(percentile(f.directSerial, 50))} ms | proxied p50 ${fmt(percentile(f.proxiedSerial, 50))} ms: added ${fmt(percentile(f.proxiedSerial, 50) - percentile(f.directSerial, 50))} ms per request`,
    `chat [${label}]: ${STREAM_CHUNKS}-chunk stream, median of ${f.directStreams.length}: direct TTFT ${fmt(dTtft)} ms ${fmt(dRate, 0)} chunks/s | proxied TTFT ${fmt(pTtft)} ms ${fmt(pRate, 0)} chunks/s`,
    `chat [${label}]: TTFT delta ${fmt(pTtft - dTtft)} ms, stream throughput ${fmt((100 * pRate) / dRate, 1)}% of direct${target(">= 90%")}`,
  ];
}

/**
 * The thinnest proxy workerd can run: one fetch to the upstream, its body handed back untouched (workerd
 * pipes it natively, no JavaScript per chunk). No auth, no validation, no keepalive or error events. It is
 * the runtime's floor: what any Worker proxy pays before its own code runs.
 */
const PASSTHROUGH_WORKER = `
export default {
  async fetch(request, env) {
    const upstream = await fetch(env.UPSTREAM_URL, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer " + env.UPSTREAM_KEY },
      body: request.body,
    });
    return new Response(upstream.body, { status: upstream.status, headers: { "content-type": upstream.headers.get("content-type") ?? "" } });
  },
};`;

interface Server {
  url: string;
  stop(): Promise<void>;
}

async function startPassthroughWorker(upstream: Upstream): Promise<Server> {
  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: true,
    script: PASSTHROUGH_WORKER,
    compatibilityDate: "2026-04-01",
    bindings: { UPSTREAM_URL: `${upstream.url}/chat/completions`, UPSTREAM_KEY: KEY },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  });
  await mf.ready;
  const url = (await mf.unsafeGetDirectURL()).toString().replace(/\/$/, "");
  return { url, stop: () => mf.dispose() };
}

async function startOurWorker(upstream: Upstream): Promise<Server> {
  const state = mkdtempSync(path.join(tmpdir(), "nodetool-edge-bench-chat-"));
  // The proxy records each request's usage in D1.
  applyLocalMigrations(state);
  const edge: Server = await startBundledEdge({
    persistTo: state,
    vars: { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: "bench-token", OPENAI_API_KEY: KEY, OPENAI_BASE_URL: upstream.url },
  });
  return {
    url: edge.url,
    stop: async () => {
      await edge.stop();
      rmSync(state, { recursive: true, force: true });
    },
  };
}

const CPU_ROUNDS = 3;
const CPU_REQUESTS = 3000;

/** workerd's CPU time per non-streamed request at c=50 (µs), the median of CPU_ROUNDS rounds. */
async function workerdCpuPerRequest(pids: number[], url: string): Promise<number> {
  const perRequest: number[] = [];
  for (let round = 0; round < CPU_ROUNDS; round++) {
    const before = cpuMs(pids);
    await load(() => post(url, BODY, "bench-token"), CPU_REQUESTS, CONCURRENCY);
    perRequest.push(((cpuMs(pids) - before) * 1000) / CPU_REQUESTS);
  }
  return median(perRequest);
}

/**
 * Measures a Worker in workerd against the upstream called directly: ours (`/v1/chat/completions`) or the
 * passthrough floor. `pinned` gives workerd CPUs of its own.
 */
async function measureWorker(upstream: Upstream, which: "ours" | "passthrough", pinned: boolean): Promise<{ lines: string[]; cpuPerRequestUs?: number }> {
  const cpus = splitCpus();
  const name = which === "ours" ? "our Worker" : "floor: passthrough Worker";
  const label = `${name}, ${pinned ? "workerd on its own CPU" : "CPUs shared"}`;
  // workerd inherits the affinity this process has when it starts it.
  if (pinned) pin(process.pid, cpus.server);
  const workerdBefore = new Set(cpuTimeAvailable() ? childrenNamed("workerd") : []);
  const server = which === "ours" ? await startOurWorker(upstream) : await startPassthroughWorker(upstream);
  const workerd = cpuTimeAvailable() ? childrenNamed("workerd").filter((pid) => !workerdBefore.has(pid)) : [];
  try {
    if (pinned) {
      pin(process.pid, cpus.load);
      pin(upstream.child.pid!, cpus.load);
    }
    const proxiedUrl = which === "ours" ? `${server.url}/v1/chat/completions` : server.url;
    const lines = report(label, await measure(`${upstream.url}/chat/completions`, proxiedUrl, "bench-token", post), which === "ours");
    if (which === "ours") {
      const health = await load(() => fetch(`${server.url}/health`), 6000, CONCURRENCY, "healthy");
      const health1 = await load(() => fetch(`${server.url}/health`), 500, 1, "healthy");
      lines.push(
        `chat [${label}]: for scale, GET /health (no upstream call): c=${CONCURRENCY} p50 ${fmt(percentile(health, 50))} ms p99 ${fmt(percentile(health, 99))} ms, c=1 p50 ${fmt(percentile(health1, 50))} ms`,
      );
    }
    if (pinned) lines.push(`chat [${label}]: workerd on CPU ${cpus.server}; load generator and upstream on CPU ${cpus.load}`);
    const cpuPerRequestUs = workerd.length > 0 ? await workerdCpuPerRequest(workerd, proxiedUrl) : undefined;
    return { lines, cpuPerRequestUs };
  } finally {
    if (pinned) {
      pin(process.pid, ALL_CPUS);
      pin(upstream.child.pid!, ALL_CPUS);
    }
    await server.stop();
  }
}

/**
 * The in-process figures, or a line saying why they are missing: the routes' module graph reaches Durable
 * Object classes (`cloudflare:workers`), which Node cannot load, and the figures above should not be lost.
 */
async function inProcessOrWhy(upstream: Upstream): Promise<string[]> {
  try {
    return await measureInProcess(upstream);
  } catch (err) {
    return [`chat [proxy code in-process, Node]: left out: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`];
  }
}

/** The `/v1` routes in this process (hono's `app.fetch`): what the proxy code adds without any runtime hop. */
async function measureInProcess(upstream: Upstream): Promise<string[]> {
  // Node has no IdentityTransformStream (a workerd global); the standard identity transform is the same stream.
  const g = globalThis as { IdentityTransformStream?: unknown };
  g.IdentityTransformStream ??= class extends TransformStream<Uint8Array, Uint8Array> {};
  const { Hono } = await import("hono");
  const { chatRoutes } = await import("../edge/chat/routes");
  const app = new Hono().route("/", chatRoutes() as never);
  // Auth `none`: Node lacks workerd's `crypto.subtle.timingSafeEqual`.
  const env = { AUTH_PROVIDER: "none", OPENAI_API_KEY: KEY, OPENAI_BASE_URL: upstream.url };
  const inProcess = (url: string, body: string, token: string) =>
    Promise.resolve(
      app.fetch(new Request(url, { method: "POST", headers: { "content-type": "application/json", "content-length": String(body.length), authorization: `Bearer ${token}` }, body }), env),
    );
  return report("proxy code in-process, Node", await measure(`${upstream.url}/chat/completions`, "http://in-process/v1/chat/completions", "unused", inProcess));
}

/**
 * Each figure is against the same upstream called directly, in the same run:
 * - our Worker, bundled and served by workerd on a socket straight to the Worker as in production (no
 *   wrangler dev proxy), first sharing this machine's CPUs with the load generator and the upstream, then
 *   pinned to CPUs of its own: in production the proxy, its clients and the provider do not share cores,
 *   and on a 2-core machine the shared variant mostly measures contention (at c=50 every process's CPU
 *   time queues);
 * - beside each, the passthrough floor: the same runtime with a one-fetch Worker, what any Worker proxy pays;
 * - the routes in this process (Node, no runtime hop), which isolates what the proxy code itself costs.
 */
export async function benchChat(): Promise<string[]> {
  const upstream = await startUpstream();
  try {
    const lines: string[] = [...(await streamShare(upstream))];
    for (const pinned of canPin() ? [false, true] : [false]) {
      const ours = await measureWorker(upstream, "ours", pinned);
      const floor = await measureWorker(upstream, "passthrough", pinned);
      lines.push(...ours.lines, ...floor.lines);
      if (ours.cpuPerRequestUs !== undefined && floor.cpuPerRequestUs !== undefined) {
        lines.push(
          `chat [${pinned ? "workerd on its own CPU" : "CPUs shared"}]: workerd CPU time per non-streamed request (median of ${CPU_ROUNDS} x ${CPU_REQUESTS} at c=${CONCURRENCY}): our Worker ${fmt(ours.cpuPerRequestUs, 0)} us, floor ${fmt(floor.cpuPerRequestUs, 0)} us: our code adds ${fmt(ours.cpuPerRequestUs - floor.cpuPerRequestUs, 0)} us (${fmt(ours.cpuPerRequestUs / floor.cpuPerRequestUs)}x the floor)`,
        );
      }
    }
    if (!canPin()) lines.push("chat: the pinned variants need Linux, taskset and 2 CPUs; left out");
    lines.push(...(await inProcessOrWhy(upstream)));
    return lines;
  } finally {
    upstream.child.kill();
  }
}

const SHARE_STREAMS = 9;

/**
 * The headline stream figure: our Worker's streamed-completion throughput as a share of the passthrough
 * floor's, both running at once and measured in alternation (direct, ours, floor, ...), so drift on this
 * machine hits all three alike. The median of SHARE_STREAMS streams each. Then, in a second alternation with
 * the floor, a request with `stream_options.include_usage`: its usage chunk has to be found, so it goes
 * through the JavaScript relay (which keeps the stream's tail for the meter) instead of the runtime's pipe.
 * It runs apart from the headline because it shares our Worker's isolate: the garbage it leaves would be
 * collected during the next stream.
 */
async function streamShare(upstream: Upstream): Promise<string[]> {
  const ours = await startOurWorker(upstream);
  const floor = await startPassthroughWorker(upstream);
  try {
    const direct = () => post(`${upstream.url}/chat/completions`, STREAM_BODY, KEY);
    const viaOurs = () => post(`${ours.url}/v1/chat/completions`, STREAM_BODY, "bench-token");
    const viaFloor = () => post(floor.url, STREAM_BODY, "unused");
    const viaOursMetered = () => post(`${ours.url}/v1/chat/completions`, STREAM_USAGE_BODY, "bench-token");
    for (const warm of [direct, viaOurs, viaFloor]) await streamOnce(warm);
    const runs: Record<"direct" | "ours" | "floor" | "metered" | "meteredFloor", StreamRun[]> = { direct: [], ours: [], floor: [], metered: [], meteredFloor: [] };
    for (let i = 0; i < SHARE_STREAMS; i++) {
      runs.direct.push(await streamOnce(direct));
      runs.ours.push(await streamOnce(viaOurs));
      runs.floor.push(await streamOnce(viaFloor));
    }
    await streamOnce(viaOursMetered);
    for (let i = 0; i < SHARE_STREAMS; i++) {
      runs.metered.push(await streamOnce(viaOursMetered));
      runs.meteredFloor.push(await streamOnce(viaFloor));
    }
    const rate = (r: StreamRun[]) => median(r.map((x) => x.chunksPerSecond));
    const ttft = (r: StreamRun[]) => median(r.map((x) => x.ttft));
    const [d, o, f, m, mf] = [rate(runs.direct), rate(runs.ours), rate(runs.floor), rate(runs.metered), rate(runs.meteredFloor)];
    return [
      `chat [streams, CPUs shared]: ${STREAM_CHUNKS}-chunk stream, median of ${SHARE_STREAMS} each, alternating: direct ${fmt(d, 0)} chunks/s | our Worker ${fmt(o, 0)} chunks/s (TTFT ${fmt(ttft(runs.ours))} ms) | passthrough Worker ${fmt(f, 0)} chunks/s (TTFT ${fmt(ttft(runs.floor))} ms)`,
      `chat [streams, CPUs shared]: stream throughput ${fmt((100 * o) / f, 1)}% of the passthrough Worker's (target >= 90%); our Worker ${fmt((100 * o) / d, 1)}% and the passthrough ${fmt((100 * f) / d, 1)}% of direct`,
      `chat [streams, CPUs shared]: with stream_options.include_usage (the JavaScript relay, keeping the tail for the meter), alternating with the passthrough: ${fmt(m, 0)} chunks/s (TTFT ${fmt(ttft(runs.metered))} ms) against ${fmt(mf, 0)} chunks/s, ${fmt((100 * m) / mf, 1)}% of the passthrough Worker's`,
    ];
  } finally {
    await ours.stop();
    await floor.stop();
  }
}

/** Only the stream share (for a quick look while changing the stream path). */
export async function benchChatStreams(): Promise<string[]> {
  const upstream = await startUpstream();
  try {
    return await streamShare(upstream);
  } finally {
    upstream.child.kill();
  }
}
