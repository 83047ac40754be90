import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InferResultSchema, RunnerHealthSchema, RunnerModelListSchema, type WireTensor } from "../../../schema/runner";
import { getJson, postInfer, type MsgpackResponse, waitFor } from "../helpers/client";
import { addMulModel, linearModel, modelRef, seededFloats, slowModel, transposeModel } from "../helpers/onnx-models";
import { type InProcessRunner, seedModel, startInProcessRunner } from "../helpers/runner";
import { f32, floatsOf, maxAbsDiff } from "../helpers/tensors";

// Dynamic batching: requests queued behind a busy worker are stacked into one run and split back. One worker,
// kept busy by a slow model while the requests queue, so which requests share a run is decided by the
// scheduler alone.
const linear = linearModel(16, 8, 11);
const linearOff = linearModel(16, 8, 12);
const fixedBatch = linearModel(16, 8, 13, 1);
const addMulAnyWidth = addMulModel("width");
const transpose = transposeModel();
const transposeTrusted = transposeModel(1);
const slow = slowModel(512, 48);
const SLOW_ROWS = 2048;

let runner: InProcessRunner;
beforeAll(async () => {
    // "transpose-trusted" is named, so it is batched although its first dims carry different names.
  runner = await startInProcessRunner({
    GPU_RUNNER_BATCHING: JSON.stringify({ "linear-off": false, "transpose-trusted": { max_batch_size: 8, max_wait_ms: 0 } }),
  });
  for (const bytes of [linear.bytes, linearOff.bytes, fixedBatch.bytes, addMulAnyWidth, transpose, transposeTrusted, slow]) seedModel(runner.cacheDir, bytes);
  // Load every model once, so signatures are known and batching decisions are made from the first queued request.
  const warm = [
    postInfer(runner, { kernel: "tensor", model: modelRef(linear.bytes, "linear"), inputs: { x: f32(new Float32Array(16), [1, 16]) } }),
    postInfer(runner, { kernel: "tensor", model: modelRef(linearOff.bytes, "linear-off"), inputs: { x: f32(new Float32Array(16), [1, 16]) } }),
    postInfer(runner, { kernel: "tensor", model: modelRef(fixedBatch.bytes, "fixed"), inputs: { x: f32(new Float32Array(16), [1, 16]) } }),
    postInfer(runner, { kernel: "tensor", model: modelRef(addMulAnyWidth, "add-mul"), inputs: { a: f32([1], [1, 1]), b: f32([1], [1, 1]) } }),
    postInfer(runner, { kernel: "tensor", model: modelRef(transpose, "transpose"), inputs: { x: f32([1, 2, 3], [1, 3]) } }),
    postInfer(runner, { kernel: "tensor", model: modelRef(transposeTrusted, "transpose-trusted"), inputs: { x: f32([1, 2, 3], [1, 3]) } }),
  ];
  for (const res of await Promise.all(warm)) expect(res.status).toBe(200);
});
afterAll(async () => {
  await runner?.close();
});

const health = async () => RunnerHealthSchema.parse((await getJson(runner, "/health")).body);
const outputs = (res: MsgpackResponse) => {
  expect(res.status).toBe(200);
  return (InferResultSchema.parse(res.body) as { outputs: Record<string, WireTensor> }).outputs;
};

/**
 * Occupies the only worker with the slow model, sends `requests()` while it is busy, waits until all of them
 * are queued, then lets everything finish. Returns the answers and the stats before and after.
 */
async function behindBusyWorker(requests: () => Promise<MsgpackResponse>[], queueKey: string | string[]) {
  const before = (await health()).stats!;
  const busy = postInfer(runner, { kernel: "tensor", model: modelRef(slow, "slow"), inputs: { x: f32(seededFloats(SLOW_ROWS * 512, 1), [SLOW_ROWS, 512]) } });
  await waitFor(async () => (await health()).busy_workers === 1);
  const pending = requests();
  const keys = Array.isArray(queueKey) ? queueKey : [queueKey];
  await waitFor(async () => {
    const h = await health();
    return keys.reduce((n, k) => n + (h.queue[k] ?? 0), 0) === pending.length;
  });
  expect((await busy).status).toBe(200);
  const answers = await Promise.all(pending);
  const after = (await health()).stats!;
  return { answers, before, after };
}

describe("dynamic batching", () => {
  it("stacks queued requests with several rows each into batches of at most 32 rows, each request getting its own rows back", async () => {
    const ref = modelRef(linear.bytes, "linear");
    const rowsOf = (i: number) => (i % 3) + 1;
    const inputs = Array.from({ length: 24 }, (_, i) => seededFloats(rowsOf(i) * 16, 100 + i));
    const { answers, before, after } = await behindBusyWorker(
      () => inputs.map((x, i) => postInfer(runner, { kernel: "tensor", model: ref, inputs: { x: f32(x, [rowsOf(i), 16]) } })),
      ref.sha256,
    );
    answers.forEach((res, i) => {
      const y = outputs(res).y;
      expect(y.dims).toEqual([rowsOf(i), 8]);
      expect(maxAbsDiff(floatsOf(y), linear.reference(inputs[i], rowsOf(i)))).toBeLessThan(1e-4);
    });
    // 48 rows in request order: the first 16 requests hold 31 rows (the 17th would pass 32), the other 8 hold 16.
    expect(after.runs - before.runs).toBe(3);
    expect(after.batches - before.batches).toBe(2);
    expect(after.batched_requests - before.batched_requests).toBe(24);
    expect(after.largest_batch).toBeGreaterThanOrEqual(16);
  });

  it("batches requests with different trailing shapes separately and never mixes their results", async () => {
    const ref = modelRef(addMulAnyWidth, "add-mul");
    const widthOf = (i: number) => (i % 2 === 0 ? 4 : 8);
    const pairs = Array.from({ length: 10 }, (_, i) => [seededFloats(widthOf(i), 200 + i), seededFloats(widthOf(i), 300 + i)]);
    const { answers, before, after } = await behindBusyWorker(
      () => pairs.map(([a, b], i) => postInfer(runner, { kernel: "tensor", model: ref, inputs: { a: f32(a, [1, widthOf(i)]), b: f32(b, [1, widthOf(i)]) } })),
      ref.sha256,
    );
    answers.forEach((res, i) => {
      const { sum, prod } = outputs(res);
      const [a, b] = pairs[i];
      expect(sum.dims).toEqual([1, widthOf(i)]);
      expect([...floatsOf(sum)]).toEqual([...a].map((v, j) => Math.fround(v + b[j])));
      expect([...floatsOf(prod)]).toEqual([...a].map((v, j) => Math.fround(v * b[j])));
    });
    expect(after.batches - before.batches).toBe(2);
    expect(after.runs - before.runs).toBe(3);
  });

  it("runs requests one by one for a model with batching configured off, and for a model with a fixed batch size", async () => {
    const off = modelRef(linearOff.bytes, "linear-off");
    const fixed = modelRef(fixedBatch.bytes, "fixed");
    const x = Array.from({ length: 6 }, (_, i) => seededFloats(16, 400 + i));
    const { answers, before, after } = await behindBusyWorker(
      () => x.map((xi, i) => postInfer(runner, { kernel: "tensor", model: i % 2 ? off : fixed, inputs: { x: f32(xi, [1, 16]) } })),
      [off.sha256, fixed.sha256],
    );
    answers.forEach((res, i) => {
      const model = i % 2 ? linearOff : fixedBatch;
      expect(maxAbsDiff(floatsOf(outputs(res).y), model.reference(x[i], 1))).toBeLessThan(1e-4);
    });
    expect(after.batches - before.batches).toBe(0);
    expect(after.runs - before.runs).toBe(7);
    const models = RunnerModelListSchema.parse((await getJson(runner, "/v1/models")).body).data;
    expect(models.find((m) => m.id === off.sha256)?.batching).toBeNull();
    expect(models.find((m) => m.id === fixed.sha256)?.batching).toBeNull();
    expect(models.find((m) => m.id === modelRef(linear.bytes, "linear").sha256)?.batching).toEqual({ max_batch_size: 32, max_wait_ms: 2 });
  });

  it("does not batch by default a model whose dynamic first dims carry different names", async () => {
    const ref = modelRef(transpose, "transpose");
    const x = Array.from({ length: 3 }, (_, i) => [i, i + 10, i + 20]);
    const { answers, before, after } = await behindBusyWorker(
      () => x.map((xi) => postInfer(runner, { kernel: "tensor", model: ref, inputs: { x: f32(xi, [1, 3]) } })),
      ref.sha256,
    );
    // Three rows of three columns: a wrong split would even have the right dims, so no batch may form.
    answers.forEach((res, i) => expect([...floatsOf(outputs(res).y)]).toEqual(x[i]));
    expect(after.batches - before.batches).toBe(0);
    const models = RunnerModelListSchema.parse((await getJson(runner, "/v1/models")).body).data;
    expect(models.find((m) => m.id === ref.sha256)?.batching).toBeNull();
  });

  it("falls back to one run per request when a batched output does not split by rows, then stops batching that model", async () => {
    const ref = modelRef(transposeTrusted, "transpose-trusted");
    const x = Array.from({ length: 4 }, (_, i) => [i, i + 10, i + 20]);
    const { answers, before, after } = await behindBusyWorker(
      () => x.map((xi) => postInfer(runner, { kernel: "tensor", model: ref, inputs: { x: f32(xi, [1, 3]) } })),
      ref.sha256,
    );
    answers.forEach((res, i) => {
      const y = outputs(res).y;
      expect(y.dims).toEqual([3, 1]);
      expect([...floatsOf(y)]).toEqual(x[i]);
    });
    expect(after.batches - before.batches).toBe(1);
    const models = RunnerModelListSchema.parse((await getJson(runner, "/v1/models")).body).data;
    expect(models.find((m) => m.id === ref.sha256)?.batching).toBeNull();
  });
});
