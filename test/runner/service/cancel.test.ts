import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunnerErrorSchema, RunnerHealthSchema } from "../../../schema/runner";
import { getJson, postInfer, postJson, waitFor } from "../helpers/client";
import { linearModel, modelRef, seededFloats, slowModel } from "../helpers/onnx-models";
import { type InProcessRunner, seedModel, startInProcessRunner } from "../helpers/runner";
import { f32 } from "../helpers/tensors";

// Cancellation: by job id and by closing the connection, for queued and running requests. One worker, kept
// busy by a slow model, so the other requests are known to be queued when they are cancelled.
const linear = linearModel(16, 8, 21);
const slow = slowModel(512, 48);
const slowRef = modelRef(slow, "slow");
const linearRef = modelRef(linear.bytes, "linear");
const SLOW_ROWS = 2048;

let runner: InProcessRunner;
beforeAll(async () => {
  runner = await startInProcessRunner();
  seedModel(runner.cacheDir, linear.bytes);
  seedModel(runner.cacheDir, slow);
  // Signatures known, sessions loaded: what follows is about queues, not loading.
  expect((await postInfer(runner, { kernel: "tensor", model: linearRef, inputs: { x: f32(new Float32Array(16), [1, 16]) } })).status).toBe(200);
  expect((await postInfer(runner, { kernel: "tensor", model: slowRef, inputs: { x: f32(new Float32Array(512), [1, 512]) } })).status).toBe(200);
});
afterAll(async () => {
  await runner?.close();
});

const health = async () => RunnerHealthSchema.parse((await getJson(runner, "/health")).body);
const slowRequest = (job_id?: string) => ({ kernel: "tensor" as const, model: slowRef, inputs: { x: f32(seededFloats(SLOW_ROWS * 512, 3), [SLOW_ROWS, 512]) }, job_id });
const linearRequest = (job_id?: string) => ({ kernel: "tensor" as const, model: linearRef, inputs: { x: f32(seededFloats(16, 4), [1, 16]) }, job_id });
const idle = async () => {
  const h = await health();
  return h.busy_workers === 0 && h.in_flight === 0 && Object.keys(h.queue).length === 0 && h;
};

describe("cancellation", () => {
  it("POST /v1/jobs/{job_id}/cancel answers every request of the job, empties its queue entries and frees the worker", async () => {
    const before = (await health()).stats!;
    const running = postInfer(runner, slowRequest("job-1"));
    await waitFor(async () => (await health()).busy_workers === 1);
    const queuedSlow = postInfer(runner, slowRequest("job-1"));
    const queuedLinear = postInfer(runner, linearRequest("job-1"));
    const otherJob = postInfer(runner, linearRequest("job-2"));
    await waitFor(async () => {
      const q = (await health()).queue;
      return q[slowRef.sha256] === 1 && q[linearRef.sha256] === 2;
    });

    const cancel = await postJson(runner, "/v1/jobs/job-1/cancel");
    expect(cancel).toEqual({ status: 200, body: { cancelled: 3 } });
    // Queued requests leave their queues at once; the other job's request stays.
    const right = await health();
    expect(right.queue).toEqual({ [linearRef.sha256]: 1 });

    for (const res of await Promise.all([running, queuedSlow, queuedLinear])) {
      expect(res.status).toBe(499);
      expect(RunnerErrorSchema.parse((res.body as { error: unknown }).error).code).toBe("cancelled");
    }
    expect((await otherJob).status).toBe(200);
    const after = await waitFor(idle);
    expect(after.stats!.cancelled - before.cancelled).toBe(3);
    // The running session.run finished on its worker; its result was dropped. The queued ones never ran.
    expect(after.stats!.runs - before.runs).toBe(2);
    expect((await postJson(runner, "/v1/jobs/job-1/cancel")).body).toEqual({ cancelled: 0 });
    expect((await postInfer(runner, linearRequest())).status).toBe(200);
  });

  it("a queued request whose client disconnects leaves the queue and never runs", async () => {
    const before = (await health()).stats!;
    const running = postInfer(runner, slowRequest());
    await waitFor(async () => (await health()).busy_workers === 1);
    const abort = new AbortController();
    const queued = postInfer(runner, linearRequest(), { signal: abort.signal });
    await waitFor(async () => (await health()).queue[linearRef.sha256] === 1);
    abort.abort();
    await expect(queued).rejects.toThrow();
    await waitFor(async () => (await health()).queue[linearRef.sha256] === undefined);
    expect((await running).status).toBe(200);
    const after = await waitFor(idle);
    expect(after.stats!.cancelled - before.cancelled).toBe(1);
    expect(after.stats!.runs - before.runs).toBe(1);
  });

  it("a running request whose client disconnects is cancelled, and the worker is free once its run ends", async () => {
    const before = (await health()).stats!;
    const abort = new AbortController();
    const running = postInfer(runner, slowRequest(), { signal: abort.signal });
    await waitFor(async () => (await health()).busy_workers === 1);
    abort.abort();
    await expect(running).rejects.toThrow();
    const after = await waitFor(idle);
    expect(after.stats!.cancelled - before.cancelled).toBe(1);
    expect(after.stats!.completed - before.completed).toBe(0);
    expect((await postInfer(runner, linearRequest())).status).toBe(200);
  });
});
