import { decodeMultiStream, encode } from "@msgpack/msgpack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INFER_STREAM_CONTENT_TYPE, InferFrameSchema, InferResultSchema, type InferFrame, RunnerHealthSchema, RunnerModelListSchema } from "../../../schema/runner";
import { authHeaders, getJson, postInfer, postJson, streamInfer, waitFor } from "../helpers/client";
import { toneWav, whitePng } from "../helpers/media";
import { type InProcessRunner, startInProcessRunner } from "../helpers/runner";

// The OCR and VAD kernels through the runner: worker threads, builtin sessions, progress frames, kernel
// input errors and cancellation at the kernel's checkCancelled. What the kernels compute is tested in
// test/runner/kernels; here it is the plumbing around them.
let runner: InProcessRunner;
beforeAll(async () => {
  runner = await startInProcessRunner();
});
afterAll(async () => {
  await runner?.close();
});

const health = async () => RunnerHealthSchema.parse((await getJson(runner, "/health")).body);

describe("kernels through the runner", () => {
  it("OCR of a blank image answers no lines, with the image size", async () => {
    const res = await postInfer(runner, { kernel: "ocr", image: whitePng(96, 64) });
    expect(res.status).toBe(200);
    expect(InferResultSchema.parse(res.body)).toEqual({ kernel: "ocr", width: 96, height: 64, lines: [] });
    const models = RunnerModelListSchema.parse((await getJson(runner, "/v1/models")).body).data;
    expect(models.find((m) => m.id === "paddleocr/det")).toMatchObject({ loaded: true, kernel: "ocr" });
    expect(models.find((m) => m.id === "paddleocr/det")?.inputs?.[0]).toMatchObject({ name: "x", type: "float32" });
  });

  it("bytes that are not an image are 422 invalid_input", async () => {
    const res = await postInfer(runner, { kernel: "ocr", image: new Uint8Array(new TextEncoder().encode("not an image")) });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: "invalid_input" } });
  });

  it("VAD streams progress frames, then its result", async () => {
    const res = await streamInfer(runner, { kernel: "vad", audio: toneWav(3) });
    expect(res.status).toBe(200);
    const frames = res.frames.map((f) => InferFrameSchema.parse(f));
    const progress = frames.filter((f): f is Extract<InferFrame, { type: "progress" }> => f.type === "progress");
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)!.progress).toBe(progress.at(-1)!.total);
    expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
    const last = frames.at(-1)!;
    expect(last.type).toBe("result");
    if (last.type === "result") expect(last.result).toMatchObject({ kernel: "vad", sample_rate: 16000, duration: 3 });
  });

  it("cancelling a job stops a running kernel at its next checkCancelled and frees the worker", async () => {
    const before = (await health()).stats!;
    const res = await fetch(`${runner.url}/v1/infer`, {
      method: "POST",
      headers: { ...authHeaders(runner.token), Accept: INFER_STREAM_CONTENT_TYPE },
      body: encode({ kernel: "vad", audio: toneWav(600), job_id: "long-vad" }),
    });
    expect(res.status).toBe(200);
    const frames: InferFrame[] = [];
    let cancelled: unknown;
    for await (const raw of decodeMultiStream(res.body!)) {
      const frame = InferFrameSchema.parse(raw);
      frames.push(frame);
      // The kernel is demonstrably running once it reports progress: cancel then.
      if (frame.type === "progress" && cancelled === undefined) cancelled = (await postJson(runner, "/v1/jobs/long-vad/cancel")).body;
    }
    expect(cancelled).toEqual({ cancelled: 1 });
    expect(frames.at(-1)).toEqual({ type: "error", error: { code: "cancelled", message: "job long-vad was cancelled" } });
    const after = await waitFor(async () => {
      const h = await health();
      return h.busy_workers === 0 && h.in_flight === 0 && h;
    });
    expect(after.stats!.cancelled - before.cancelled).toBe(1);
    expect(after.stats!.completed - before.completed).toBe(0);
    expect((await postInfer(runner, { kernel: "vad", audio: toneWav(1) })).status).toBe(200);
  });
});
