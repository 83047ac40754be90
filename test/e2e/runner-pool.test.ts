import { decode, encode } from "@msgpack/msgpack";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RunnerPool } from "../../host/runners/pool";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { InferenceError, type InferenceService } from "../../engine/inference/types";
import { createCoreRegistry } from "../../engine/nodes/index";
import {
  INFER_STREAM_CONTENT_TYPE,
  InferRequestSchema,
  MSGPACK_CONTENT_TYPE,
  type InferFrame,
  type InferRequest,
  type InferResult,
  type WireTensor,
} from "../../schema/runner";
import { GraphSchema, type Graph } from "../../schema/workflow";
import { addModel } from "../fixtures/onnx-models";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

/**
 * The runner pool (edge/runners) against real HTTP servers on loopback that speak the runner protocol
 * (schema/runner.ts) and misbehave on request: refuse connections, reset them before answering, never
 * answer, answer 503, break or stall mid-stream, send error frames or malformed frames. They stand in for
 * gpu-runners, which are outside this system; the real runner has its own tests (test/runner). Then the ML
 * nodes through the executor and the pool, and a whole job through the Worker, whose pool reaches a stand-in
 * that fetches the uploaded model back from the edge's runner route as a real runner does.
 */

const TOKEN = "runner-pool-e2e-token";

type Mode =
  | "answer" // progress, heartbeat, progress, result
  | "reset" // destroys the connection before any response
  | "silent" // accepts the request, never answers
  | "overloaded" // 503 with an `overloaded` error body
  | "overloaded-frame" // 200, then an `overloaded` error frame (a streaming runner refusing)
  | "break-mid" // headers and a progress frame, then a reset
  | "stall-mid" // headers and a progress frame, then nothing
  | "error-frame" // an `invalid_input` error frame
  | "bad-frame" // a frame the contract does not allow
  | "slow" // heartbeats for a while, then the result
  | "hang"; // heartbeats until the job is cancelled

interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  request?: InferRequest;
}

interface StandIn {
  url: string;
  mode: Mode;
  health: "ok" | "unauthorized" | "silent";
  inFlight: number;
  received: Received[];
  infers(): Received[];
  cancels: string[];
  /** Resolves with the job id of the next cancel request. */
  nextCancel(): Promise<string>;
  /** Where "answer" fetches tensor models from (the edge), when set. */
  edgeUrl?: string;
  close(): Promise<void>;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const frame = (f: InferFrame) => encode(f);

/** Elementwise sum of every float32 input: what the stand-in computes for tensor requests. */
function addTensors(inputs: Record<string, WireTensor>): WireTensor {
  const tensors = Object.values(inputs);
  const n = tensors[0].data.byteLength / 4;
  const out = new Float32Array(n);
  for (const t of tensors) {
    const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    for (let i = 0; i < n; i++) out[i] += view.getFloat32(i * 4, true);
  }
  return { dtype: "float32", dims: tensors[0].dims, data: new Uint8Array(out.buffer) };
}

async function resultFor(request: InferRequest, standIn: StandIn): Promise<InferResult> {
  switch (request.kernel) {
    case "ocr":
      return { kernel: "ocr", width: 40, height: 20, lines: [{ text: `HELLO ${request.options.language}`, score: 0.97, box: [[1, 2], [30, 2], [30, 9], [1, 9]] }] };
    case "vad":
      return { kernel: "vad", sample_rate: 16000, duration: 2, segments: [{ start: 0.5, end: 1.25 }] };
    case "tensor": {
      if (standIn.edgeUrl) {
        // As a real runner does: fetch the ModelRef from the edge with the runner token and verify it.
        const path = request.model.key.split("/").map(encodeURIComponent).join("/");
        const res = await fetch(`${standIn.edgeUrl}/api/runner/models/${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
        if (!res.ok) throw new Error(`model fetch answered ${res.status}`);
        const bytes = Buffer.from(await res.arrayBuffer());
        if (bytes.length !== request.model.size || createHash("sha256").update(bytes).digest("hex") !== request.model.sha256) throw new Error("model bytes do not match the ModelRef");
      }
      return { kernel: "tensor", outputs: { sum: addTensors(request.inputs) } };
    }
    default:
      // The pool tests dispatch OCR, VAD and tensor work only; media kernels have their own e2e tests.
      throw new Error(`the stand-in runner does not answer '${request.kernel}' requests`);
  }
}

async function startStandIn(mode: Mode = "answer", inFlight = 0): Promise<StandIn> {
  const cancelWaiters: ((jobId: string) => void)[] = [];
  const standIn = {
    mode,
    health: "ok",
    inFlight,
    received: [] as Received[],
    cancels: [] as string[],
    infers: () => standIn.received.filter((r) => r.path === "/v1/infer"),
    nextCancel: () => new Promise<string>((resolve) => cancelWaiters.push(resolve)),
  } as StandIn;
  const hanging = new Map<string, ServerResponse>();

  const server: Server = createServer(async (req, res) => {
    const rec: Received = { path: req.url ?? "", headers: req.headers };
    standIn.received.push(rec);
    const body = await readAll(req);
    const json = (status: number, value: unknown) => res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(value));
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(401, { error: { code: "unauthorized", message: "bad token" } });

    if (rec.path === "/health") {
      if (standIn.health === "silent") return; // never answers
      if (standIn.health === "unauthorized") return json(401, { error: { code: "unauthorized", message: "bad token" } });
      return json(200, { status: "ok", execution_provider: "cpu", requested_providers: ["cpu"], worker_threads: 1, busy_workers: 0, in_flight: standIn.inFlight, queue: {}, loaded_models: [], uptime_seconds: 1 });
    }
    const cancel = /^\/v1\/jobs\/([^/]+)\/cancel$/.exec(rec.path);
    if (cancel && req.method === "POST") {
      const jobId = decodeURIComponent(cancel[1]);
      standIn.cancels.push(jobId);
      cancelWaiters.splice(0).forEach((w) => w(jobId));
      const open = hanging.get(jobId);
      if (open) {
        open.end(frame({ type: "error", error: { code: "cancelled", message: "cancelled" } }));
        hanging.delete(jobId);
      }
      return json(200, { cancelled: open ? 1 : 0 });
    }
    if (rec.path !== "/v1/infer") return json(404, { error: { code: "invalid_request", message: "no such route" } });

    const request = InferRequestSchema.parse(decode(body));
    rec.request = request;
    const stream = () => res.writeHead(200, { "Content-Type": INFER_STREAM_CONTENT_TYPE });
    switch (standIn.mode) {
      case "reset":
        return req.socket.destroy();
      case "silent":
        return;
      case "overloaded":
        return res.writeHead(503, { "Content-Type": MSGPACK_CONTENT_TYPE }).end(encode({ error: { code: "overloaded", message: "queue full" } }));
      case "overloaded-frame":
        stream();
        return res.end(frame({ type: "error", error: { code: "overloaded", message: "queue full" } }));
      case "break-mid":
        stream();
        res.write(frame({ type: "progress", progress: 1, total: 3 }));
        return setTimeout(() => req.socket.destroy(), 50);
      case "stall-mid":
        stream();
        return res.write(frame({ type: "progress", progress: 1, total: 3 }));
      case "error-frame":
        stream();
        res.write(frame({ type: "heartbeat" }));
        return res.end(frame({ type: "error", error: { code: "invalid_input", message: "the image could not be decoded" } }));
      case "bad-frame":
        stream();
        return res.end(encode({ type: "progress", progress: "half" }));
      case "hang":
        stream();
        res.write(frame({ type: "heartbeat" }));
        hanging.set(request.job_id ?? "", res);
        return;
      case "slow": {
        stream();
        // Twelve heartbeats 100 ms apart: longer in total than the idle timeout that test sets (1 s), each gap far shorter.
        for (let i = 0; i < 12; i++) {
          await new Promise((r) => setTimeout(r, 100));
          res.write(frame({ type: "heartbeat" }));
        }
        return res.end(frame({ type: "result", result: await resultFor(request, standIn) }));
      }
      case "answer": {
        let result: InferResult;
        try {
          result = await resultFor(request, standIn);
        } catch (err) {
          stream();
          return res.end(frame({ type: "error", error: { code: "model_unavailable", message: String(err) } }));
        }
        stream();
        res.write(frame({ type: "progress", progress: 1, total: 2 }));
        res.write(frame({ type: "heartbeat" }));
        res.write(frame({ type: "progress", progress: 2, total: 2 }));
        return res.end(frame({ type: "result", result }));
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return standIn;
}

/** A URL nothing listens on: a port that was just free. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const started: StandIn[] = [];
async function standIns(...specs: [Mode, number?][]): Promise<StandIn[]> {
  const list = await Promise.all(specs.map(([mode, inFlight]) => startStandIn(mode, inFlight ?? 0)));
  started.push(...list);
  return list;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

/** Short timeouts, so the failure paths are quick; real deployments use seconds. */
const pool = (urls: string[], extra: Partial<ConstructorParameters<typeof RunnerPool>[0]> = {}) =>
  new RunnerPool({ urls, token: TOKEN, idleTimeoutMs: 500, connectTimeoutMs: 500, healthTimeoutMs: 500, ...extra });

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ocr = (jobId = "job-1") => ({ kernel: "ocr", image: png, job_id: jobId });

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the inference to fail");
}

describe("runner pool: dispatch", () => {
  it("streams a request to a runner as MessagePack with the token, forwards progress and returns the result", async () => {
    const [runner] = await standIns(["answer"]);
    const progress: [number, number][] = [];
    const result = await pool([runner.url]).infer({ kernel: "ocr", image: png, options: { language: "de" }, job_id: "j1" }, { onProgress: (p, t) => progress.push([p, t]) });
    expect(result).toMatchObject({ kernel: "ocr", lines: [{ text: "HELLO de" }] });
    expect(progress).toEqual([
      [1, 2],
      [2, 2],
    ]);
    const [sent] = runner.infers();
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.headers.accept).toBe(INFER_STREAM_CONTENT_TYPE);
    expect(sent.headers["content-type"]).toBe(MSGPACK_CONTENT_TYPE);
    // Validated and defaulted on the way out; bytes as MessagePack bin.
    expect(sent.request).toMatchObject({ kernel: "ocr", job_id: "j1", options: { language: "de", max_side: 960 } });
    expect(Array.from((sent.request as { image: Uint8Array }).image)).toEqual(Array.from(png));
  });

  it("sends to the least-loaded healthy runner: reported in_flight plus what this isolate sent since", async () => {
    const [busy, idle] = await standIns(["answer", 5], ["answer", 0]);
    const p = pool([busy.url, idle.url]);
    await p.infer(ocr());
    expect(idle.infers()).toHaveLength(1);
    expect(busy.infers()).toHaveLength(0);
    // Six more at once: the idle runner takes them until its load matches the busy one's, then they alternate.
    await Promise.all(Array.from({ length: 6 }, () => p.infer(ocr())));
    expect(idle.infers().length).toBeGreaterThanOrEqual(5);
    expect(p.status()).toMatchObject({ configured: 2, healthy: 2 });
  });

  it("refuses an invalid request before it reaches any runner", async () => {
    const [runner] = await standIns(["answer"]);
    const err = await failure(pool([runner.url]).infer({ kernel: "vad", audio: png, options: { threshold: 3 } }));
    expect(err).toBeInstanceOf(InferenceError);
    expect(err.message).toMatch(/invalid inference request: options.threshold/);
    expect(runner.infers()).toHaveLength(0);
  });
});

describe("runner pool: failures before the runner answered are retried once on another runner", () => {
  for (const mode of ["reset", "silent", "overloaded", "overloaded-frame"] as const) {
    it(`${mode}: the other runner answers`, async () => {
      // The failing runner looks idle, so it is picked first.
      const [bad, good] = await standIns([mode, 0], ["answer", 3]);
      const p = pool([bad.url, good.url]);
      const result = await p.infer(ocr());
      expect(result.kernel).toBe("ocr");
      expect(bad.infers()).toHaveLength(1);
      expect(good.infers()).toHaveLength(1);
      const badState = p.status().runners.find((r) => r.url === bad.url)!;
      // An overloaded runner is alive; one that reset or never answered is not trusted until probed again.
      expect(badState.healthy).toBe(mode.startsWith("overloaded"));
    });
  }

  it("gives up after one retry with 'no gpu-runner available' and every runner's reason", async () => {
    const [a, b, c] = await standIns(["reset", 0], ["silent", 1], ["answer", 9]);
    const err = await failure(pool([a.url, b.url, c.url]).infer(ocr()));
    expect(err.message).toMatch(/^no gpu-runner available \(/);
    expect(err.message).toContain(`${a.url}: connection failed`);
    expect(err.message).toContain(`${b.url}: no answer within 0.5 s`);
    expect(err.message).toContain(`${c.url}: not tried`);
    expect(c.infers()).toHaveLength(0);
  });

  it("answers 'no gpu-runner available' when no runner is reachable or configured", async () => {
    const refused = await refusedUrl();
    const [unauthorized, silent] = await standIns(["answer"], ["answer"]);
    unauthorized.health = "unauthorized";
    silent.health = "silent";
    const err = await failure(pool([refused, unauthorized.url, silent.url]).infer(ocr()));
    expect(err).toBeInstanceOf(InferenceError);
    expect((err as InferenceError).code).toBe("unavailable");
    expect(err.message).toContain(`${refused}: unreachable`);
    expect(err.message).toContain(`${unauthorized.url}: refused the runner token (HTTP 401; check GPU_RUNNER_TOKEN)`);
    expect(err.message).toContain(`${silent.url}: health check timed out after 0.5 s`);
    expect(err.message).not.toContain(TOKEN);
    const none = await failure(pool([]).infer(ocr()));
    expect(none.message).toBe("no gpu-runner available: no runner is configured (GPU_RUNNER_URLS)");
  });

  it("probes an unhealthy runner again once no runner is healthy, and uses it when it is back", async () => {
    const [runner] = await standIns(["answer"]);
    runner.health = "unauthorized";
    const p = pool([runner.url], { health: { healthyTtlMs: 0, unhealthyRetryMs: 60_000 } });
    expect((await failure(p.infer(ocr()))).message).toMatch(/no gpu-runner available/);
    runner.health = "ok";
    expect((await p.infer(ocr())).kernel).toBe("ocr");
  });
});

describe("runner pool: failures after the answer started fail the request", () => {
  it("a connection broken mid-stream: a clear error naming the runner, no retry", async () => {
    const [broken, other] = await standIns(["break-mid", 0], ["answer", 5]);
    const progress: number[] = [];
    const p = pool([broken.url, other.url]);
    const err = await failure(p.infer(ocr(), { onProgress: (n) => progress.push(n) }));
    expect(err.message).toMatch(new RegExp(`^gpu-runner ${broken.url} failed mid-inference: the connection broke`));
    expect(progress).toEqual([1]);
    expect(other.infers()).toHaveLength(0);
    expect(p.status().runners.find((r) => r.url === broken.url)!.healthy).toBe(false);
  });

  it("no frame or heartbeat within the idle timeout: the runner is taken for dead", async () => {
    const [stalled] = await standIns(["stall-mid"]);
    const err = await failure(pool([stalled.url]).infer(ocr()));
    expect(err.message).toBe(`gpu-runner ${stalled.url} failed mid-inference: no frame or heartbeat for 0.5 s`);
  });

  it("heartbeats keep a long inference alive past the idle timeout", async () => {
    const [slow] = await standIns(["slow"]);
    expect((await pool([slow.url], { idleTimeoutMs: 1000 }).infer(ocr())).kernel).toBe("ocr");
  });

  it("a runner's own error becomes the error, with its message and code", async () => {
    const [runner, other] = await standIns(["error-frame", 0], ["answer", 5]);
    const err = await failure(pool([runner.url, other.url]).infer(ocr()));
    expect(err).toBeInstanceOf(InferenceError);
    expect(err.message).toBe("the image could not be decoded");
    expect((err as InferenceError).code).toBe("invalid_input");
    expect(other.infers()).toHaveLength(0);
  });

  it("a frame the contract does not allow is a mid-inference failure", async () => {
    const [runner] = await standIns(["bad-frame"]);
    const err = await failure(pool([runner.url]).infer(ocr()));
    expect(err.message).toMatch(/failed mid-inference: sent an invalid frame/);
  });

  it("cancelling aborts the request and tells the runner to cancel the job", async () => {
    const [runner] = await standIns(["hang"]);
    const controller = new AbortController();
    const cancelled = runner.nextCancel();
    const pending = pool([runner.url]).infer(ocr("job-to-cancel"), { signal: controller.signal });
    // Abort once the runner holds the request.
    while (runner.infers().length === 0) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    const err = await failure(pending);
    expect(err.name).toBe("AbortError");
    expect(await cancelled).toBe("job-to-cancel");
  });
});

// ---- the ML nodes through the executor and the pool ------------------------------------------------------

describe("ML nodes over the pool", () => {
  const registry = createCoreRegistry();
  /** What the Worker's service does, minus R2: tensor models named here resolve to a fixed ModelRef. */
  const serviceOver = (p: RunnerPool, jobId: string): InferenceService => ({
    infer: (request, options) =>
      request.kernel === "tensor"
        ? p.infer({ ...request, model: { key: "1/add.onnx", name: request.model, size: 1, sha256: "0".repeat(64) }, job_id: jobId }, options)
        : p.infer({ ...request, job_id: jobId }, options),
  });
  const g = (nodes: unknown[], edges: [string, string, string, string][]): Graph =>
    GraphSchema.parse({ nodes, edges: edges.map(([source, sourceHandle, target, targetHandle], i) => ({ id: `e${i}`, source, sourceHandle, target, targetHandle })) });
  const PNG_URI = `data:image/png;base64,${Buffer.from(png).toString("base64")}`;

  it("PaddleOCR, DetectSpeech and RunONNXModel give their outputs and progress", async () => {
    const [runner] = await standIns(["answer"]);
    const p = pool([runner.url]);
    const graph = g(
      [
        { id: "ocr", type: "lib.ocr.PaddleOCR", data: { image: { type: "image", uri: PNG_URI }, language: "fr" } },
        { id: "vad", type: "edge.audio.DetectSpeech", data: { audio: { type: "audio", uri: "data:audio/wav;base64,UklGRg==" } } },
        { id: "onnx", type: "edge.ml.RunONNXModel", data: { model: "add.onnx", inputs: { a: [1, 2, 3], b: { type: "np_array", value: [10, 20, 30], dtype: "<f4", shape: [3] } } } },
        { id: "text", type: "nodetool.output.Output", data: { name: "text" } },
        { id: "speech", type: "nodetool.output.Output", data: { name: "speech" } },
        { id: "sum", type: "nodetool.output.Output", data: { name: "sum" } },
      ],
      [
        ["ocr", "text", "text", "value"],
        ["vad", "speech_seconds", "speech", "value"],
        ["onnx", "output", "sum", "value"],
      ],
    );
    const messages: { type: string; node_id?: string }[] = [];
    const out = await runWorkflow(graph, {}, { registry, services: { inference: serviceOver(p, "job-nodes") }, emit: (m) => messages.push(m) });
    expect(out.status, out.error).toBe("completed");
    expect(out.result).toEqual({ text: "HELLO fr", speech: 0.75, sum: { type: "tensor", dtype: "float32", shape: [3], value: [11, 22, 33] } });
    expect(messages.filter((m) => m.type === "node_progress" && m.node_id === "ocr")).toHaveLength(2);
    expect(runner.infers().map((r) => r.request?.job_id)).toEqual(["job-nodes", "job-nodes", "job-nodes"]);
  });

  it("cancelling the job cancels the node's inference on the runner", async () => {
    const [runner] = await standIns(["hang"]);
    const graph = g(
      [
        { id: "ocr", type: "lib.ocr.PaddleOCR", data: { image: { type: "image", uri: PNG_URI } } },
        { id: "text", type: "nodetool.output.Output", data: { name: "text" } },
      ],
      [["ocr", "text", "text", "value"]],
    );
    const controller = new AbortController();
    const cancelled = runner.nextCancel();
    const running = runWorkflow(graph, {}, { registry, services: { inference: serviceOver(pool([runner.url]), "job-cancel") }, signal: controller.signal });
    while (runner.infers().length === 0) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    expect((await running).status).toBe("cancelled");
    expect(await cancelled).toBe("job-cancel");
  });

  it("a runner's error fails the node with the runner's message", async () => {
    const [runner] = await standIns(["error-frame"]);
    const graph = g(
      [
        { id: "ocr", type: "lib.ocr.PaddleOCR", data: { image: { type: "image", uri: PNG_URI } } },
        { id: "text", type: "nodetool.output.Output", data: { name: "text" } },
      ],
      [["ocr", "text", "text", "value"]],
    );
    const out = await runWorkflow(graph, {}, { registry, services: { inference: serviceOver(pool([runner.url]), "job-error") } });
    expect(out.status).toBe("failed");
    expect(out.error).toMatch(/the image could not be decoded/);
  });
});

// ---- a whole job through the Worker ----------------------------------------------------------------------

describe("a job on the Worker with a gpu-runner", () => {
  const SERVER_TOKEN = "runner-pool-e2e-server-token";
  let edge: LocalEdge;
  let runner: StandIn;
  let dead: string;

  beforeAll(async () => {
    process.env.WRANGLER_CI_DISABLE_CONFIG_WATCHING = "true";
    runner = await startStandIn("answer");
    dead = await refusedUrl();
    // The dead runner first: the pool must find its way to the live one.
    edge = await startEdge(migratedStateDir(), {
      AUTH_PROVIDER: "static",
      SERVER_AUTH_TOKEN: SERVER_TOKEN,
      GPU_RUNNER_URLS: `${dead},${runner.url}`,
      GPU_RUNNER_TOKEN: TOKEN,
      GPU_RUNNER_TIMEOUT_SECONDS: "5",
    });
    runner.edgeUrl = edge.url;
  });
  afterAll(async () => {
    await edge?.stop();
    await runner?.close();
  });

  const api = (method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${edge.url}${path}`, { method, body, headers: { Authorization: `Bearer ${SERVER_TOKEN}`, ...headers } });

  async function runJob(graph: unknown): Promise<{ status: string; results: Record<string, unknown>; error?: string }> {
    const saved = await api("POST", "/api/workflows", JSON.stringify({ name: "gpu", graph }), { "Content-Type": "application/json" });
    expect(saved.status).toBe(201);
    const { id } = (await saved.json()) as { id: string };
    const res = await api("POST", `/workflows/${id}/run`, JSON.stringify({ params: {} }), { "Content-Type": "application/json" });
    expect(res.status).toBe(200);
    return (await res.json()) as { status: string; results: Record<string, unknown>; error?: string };
  }

  it("uploads a model, runs RunONNXModel on the runner (which fetches and verifies the model from the edge)", async () => {
    const bytes = addModel();
    const upload = await api("POST", "/api/models/upload?name=nets/add.onnx", bytes, { "Content-Type": "application/octet-stream" });
    expect(upload.status).toBe(201);
    const model = (await upload.json()) as { sha256: string; size: number };

    const out = await runJob({
      nodes: [
        { id: "m", type: "edge.ml.RunONNXModel", data: { model: "nets/add.onnx", inputs: { a: [[1, 2]], b: [[3, 4]] } } },
        { id: "out", type: "nodetool.output.Output", data: { name: "sum" } },
      ],
      edges: [{ id: "e", source: "m", sourceHandle: "output", target: "out", targetHandle: "value" }],
    });
    expect(out.status, out.error).toBe("completed");
    expect(out.results.sum).toEqual({ type: "tensor", dtype: "float32", shape: [1, 2], value: [4, 6] });
    const sent = runner.infers().at(-1)!.request as Extract<InferRequest, { kernel: "tensor" }>;
    expect(sent.model).toEqual({ key: "1/nets/add.onnx", name: "nets/add.onnx", size: model.size, sha256: model.sha256 });
    expect(sent.job_id).toMatch(/^[0-9a-f]{32}$/);
    // The runner fetched the file through the runner route with the runner token.
    expect(runner.received.some((r) => r.path === "/health")).toBe(true);
  });

  it("runs PaddleOCR on the runner and fails a job whose model is unknown with a clear error", async () => {
    const ocrOut = await runJob({
      nodes: [
        { id: "ocr", type: "lib.ocr.PaddleOCR", data: { image: { type: "image", uri: `data:image/png;base64,${Buffer.from(png).toString("base64")}` } } },
        { id: "out", type: "nodetool.output.Output", data: { name: "text" } },
      ],
      edges: [{ id: "e", source: "ocr", sourceHandle: "text", target: "out", targetHandle: "value" }],
    });
    expect(ocrOut.status, ocrOut.error).toBe("completed");
    expect(ocrOut.results.text).toBe("HELLO en");
    const missing = await runJob({
      nodes: [
        { id: "m", type: "edge.ml.RunONNXModel", data: { model: "nope.onnx", inputs: {} } },
        { id: "out", type: "nodetool.output.Output", data: { name: "sum" } },
      ],
      edges: [{ id: "e", source: "m", sourceHandle: "output", target: "out", targetHandle: "value" }],
    });
    expect(missing.status).toBe("failed");
    expect(missing.error).toMatch(/model 'nope.onnx' was not found/);
  });

  it("cancelling the job cancels its inference on the runner", async () => {
    runner.mode = "hang";
    try {
      const saved = await api(
        "POST",
        "/api/workflows",
        JSON.stringify({
          name: "gpu-cancel",
          graph: {
            nodes: [
              { id: "ocr", type: "lib.ocr.PaddleOCR", data: { image: { type: "image", uri: `data:image/png;base64,${Buffer.from(png).toString("base64")}` } } },
              { id: "out", type: "nodetool.output.Output", data: { name: "text" } },
            ],
            edges: [{ id: "e", source: "ocr", sourceHandle: "text", target: "out", targetHandle: "value" }],
          },
        }),
        { "Content-Type": "application/json" },
      );
      const { id } = (await saved.json()) as { id: string };
      const before = runner.infers().length;
      const cancelled = runner.nextCancel();
      const stream = await api("POST", `/workflows/${id}/run/stream`, JSON.stringify({ params: {} }), { "Content-Type": "application/json" });
      expect(stream.status).toBe(200);
      while (runner.infers().length === before) await new Promise((r) => setTimeout(r, 20));
      const jobId = runner.infers().at(-1)!.request!.job_id!;
      const cancel = await api("POST", `/api/jobs/${jobId}/cancel`);
      expect(cancel.status).toBe(200);
      expect(await cancelled).toBe(jobId);
      const text = await stream.text();
      expect(text).toContain('"status":"cancelled"');
    } finally {
      runner.mode = "answer";
    }
  });
});
