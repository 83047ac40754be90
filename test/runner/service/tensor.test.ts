import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InferFrameSchema, InferResultSchema, RunnerHealthSchema, RunnerModelListSchema, type WireTensor } from "../../../schema/runner";
import { getJson, postInfer, streamInfer, waitFor } from "../helpers/client";
import { addMulModel, doubleInt64Model, linearModel, modelRef, seededFloats, slowModel } from "../helpers/onnx-models";
import { type InProcessRunner, seedModel, startInProcessRunner } from "../helpers/runner";
import { f32, floatsOf, maxAbsDiff, tensor } from "../helpers/tensors";

// Real onnxruntime sessions behind real HTTP: models built in code, outputs checked against JS references.
const linear = linearModel(16, 8, 3);
const addMul = addMulModel(4);
const int64Model = doubleInt64Model();
const slow = slowModel(256, 32);

let runner: InProcessRunner;

beforeAll(async () => {
  // A short heartbeat, so a request waiting behind the slow model gets several.
  runner = await startInProcessRunner({ GPU_RUNNER_HEARTBEAT_MS: "20" });
  for (const bytes of [linear.bytes, addMul, int64Model, slow]) seedModel(runner.cacheDir, bytes);
});
afterAll(async () => {
  await runner?.close();
});

const outputsOf = (body: unknown) => InferResultSchema.parse(body) as { kernel: "tensor"; outputs: Record<string, WireTensor> };

describe("tensor inference", () => {
  it("computes y = xW + b like the JS reference, for a batch of rows", async () => {
    const rows = 5;
    const x = seededFloats(rows * linear.k, 42);
    const res = await postInfer(runner, { kernel: "tensor", model: modelRef(linear.bytes, "linear"), inputs: { x: f32(x, [rows, linear.k]) } });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("application/x-msgpack");
    const { outputs } = outputsOf(res.body);
    expect(outputs.y.dtype).toBe("float32");
    expect(outputs.y.dims).toEqual([rows, linear.n]);
    expect(maxAbsDiff(floatsOf(outputs.y), linear.reference(x, rows))).toBeLessThan(1e-4);
  });

  it("returns every output, or only those asked for", async () => {
    const a = [1, 2, 3, 4, 5, 6, 7, 8];
    const b = [0.5, -1, 2, 0, 3, 3, -2, 1];
    const request = { kernel: "tensor" as const, model: modelRef(addMul, "add-mul"), inputs: { a: f32(a, [2, 4]), b: f32(b, [2, 4]) } };
    const all = outputsOf((await postInfer(runner, request)).body).outputs;
    expect(Object.keys(all).sort()).toEqual(["prod", "sum"]);
    expect([...floatsOf(all.sum)]).toEqual(a.map((v, i) => v + b[i]));
    expect([...floatsOf(all.prod)]).toEqual(a.map((v, i) => v * b[i]));
    const onlyProd = outputsOf((await postInfer(runner, { ...request, outputs: ["prod"] })).body).outputs;
    expect(Object.keys(onlyProd)).toEqual(["prod"]);
  });

  it("carries int64 tensors byte for byte", async () => {
    const x = new BigInt64Array([1n, -3n, 2n ** 40n]);
    const res = await postInfer(runner, { kernel: "tensor", model: modelRef(int64Model, "double"), inputs: { x: tensor("int64", x, [3]) } });
    expect(res.status).toBe(200);
    const out = outputsOf(res.body).outputs.out;
    expect(out.dtype).toBe("int64");
    expect([...new BigInt64Array(out.data.slice().buffer)]).toEqual([2n, -6n, 2n ** 41n]);
  });

  it("streams heartbeats while a request waits, then exactly one result frame", async () => {
    // The only worker is busy with the slow model for far longer than the 20 ms heartbeat interval.
    const busy = postInfer(runner, { kernel: "tensor", model: modelRef(slow, "slow"), inputs: { x: f32(seededFloats(2048 * 256, 5), [2048, 256]) } });
    await waitFor(async () => RunnerHealthSchema.parse((await getJson(runner, "/health")).body).busy_workers === 1);
    const x = seededFloats(linear.k, 6);
    const res = await streamInfer(runner, { kernel: "tensor", model: modelRef(linear.bytes, "linear"), inputs: { x: f32(x, [1, linear.k]) } });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("application/x-msgpack-stream");
    const frames = res.frames.map((f) => InferFrameSchema.parse(f));
    const last = frames.at(-1)!;
    expect(last.type).toBe("result");
    expect(frames.slice(0, -1).length).toBeGreaterThan(0);
    expect(frames.slice(0, -1).every((f) => f.type === "heartbeat")).toBe(true);
    if (last.type === "result" && last.result.kernel === "tensor") {
      expect(maxAbsDiff(floatsOf(last.result.outputs.y), linear.reference(x, 1))).toBeLessThan(1e-4);
    }
    expect((await busy).status).toBe(200);
  });

  it("streams a failure as one error frame", async () => {
    const res = await streamInfer(runner, { kernel: "tensor", model: modelRef(linear.bytes, "linear"), inputs: { nope: f32([1], [1, 1]) } });
    expect(res.status).toBe(200);
    const last = InferFrameSchema.parse(res.frames.at(-1));
    expect(last).toMatchObject({ type: "error", error: { code: "invalid_input" } });
  });
});

describe("health and models", () => {
  it("GET /health matches RunnerHealth and lists loaded models", async () => {
    const { status, body } = await getJson(runner, "/health");
    expect(status).toBe(200);
    const health = RunnerHealthSchema.parse(body);
    expect(health.execution_provider).toBe("cpu");
    expect(health.requested_providers).toEqual(["cpu"]);
    expect(health.worker_threads).toBe(1);
    expect(health.loaded_models.map((m) => m.name)).toContain("linear");
    expect(health.loaded_models.find((m) => m.name === "linear")).toMatchObject({ id: modelRef(linear.bytes, "linear").sha256, bytes: linear.bytes.byteLength, workers: 1 });
  });

  it("GET /v1/models matches RunnerModelList: builtin kernels' models and uploaded models with their signatures", async () => {
    const { status, body } = await getJson(runner, "/v1/models");
    expect(status).toBe(200);
    const list = RunnerModelListSchema.parse(body);
    const ids = list.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["paddleocr/det", "paddleocr/rec", "silero-vad"]));
    const lin = list.data.find((m) => m.id === modelRef(linear.bytes, "linear").sha256)!;
    expect(lin).toMatchObject({ kind: "uploaded", kernel: "tensor", loaded: true, batching: { max_batch_size: 32 } });
    expect(lin.inputs).toEqual([{ name: "x", type: "float32", shape: ["batch", 16] }]);
    expect(lin.outputs).toEqual([{ name: "y", type: "float32", shape: ["batch", 8] }]);
    expect(list.data.find((m) => m.id === "silero-vad")).toMatchObject({ kind: "builtin", kernel: "vad", batching: null });
  });
});
