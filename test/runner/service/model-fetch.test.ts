import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunnerErrorSchema, RunnerHealthSchema, RunnerModelListSchema } from "../../../schema/runner";
import { getJson, postInfer } from "../helpers/client";
import { type FakeEdge, startFakeEdge } from "../helpers/fake-edge";
import { linearModel, modelRef, sha256 } from "../helpers/onnx-models";
import { type InProcessRunner, startInProcessRunner, tempCacheDir } from "../helpers/runner";
import { f32 } from "../helpers/tensors";

// Uploaded models: fetched from the edge's runner route with the runner token, checked against the ModelRef's
// size and sha256, cached by content and re-used. The edge is a real loopback HTTP server.
let edge: FakeEdge;
let runner: InProcessRunner;
let release: () => void = () => undefined;
let gateClosed = false;

beforeAll(async () => {
  // The gate lets one test hold the edge's answers until several requests are waiting for the same model.
  edge = await startFakeEdge({ gate: () => (gateClosed ? new Promise<void>((r) => (release = r)) : Promise.resolve()) });
  runner = await startInProcessRunner({ EDGE_URL: edge.url });
});
afterAll(async () => {
  await runner?.close();
  await edge?.close();
});

const errorOf = (body: unknown) => RunnerErrorSchema.parse((body as { error: unknown }).error);
const oneRow = (k: number) => ({ x: f32(new Float32Array(k).fill(1), [1, k]) });

describe("uploaded models", () => {
  it("fetches the model from the edge with the runner token, URL-encoding each key segment, and caches it under its sha256", async () => {
    const model = linearModel(4, 2, 31);
    const key = "user 1/my models/linear v1.onnx";
    edge.serve(key, model.bytes);
    const res = await postInfer(runner, { kernel: "tensor", model: modelRef(model.bytes, "linear v1", key), inputs: oneRow(4) });
    expect(res.status).toBe(200);
    const request = edge.requests.at(-1)!;
    expect(request.path).toBe("/api/runner/models/user%201/my%20models/linear%20v1.onnx");
    expect(request.authorization).toBe(`Bearer ${runner.token}`);
    const cached = path.join(runner.cacheDir, `${sha256(model.bytes)}.onnx`);
    expect(readFileSync(cached)).toEqual(Buffer.from(model.bytes));
    expect(readdirSync(runner.cacheDir).filter((f) => f.startsWith(".download-"))).toEqual([]);
  });

  it("shares one download between concurrent requests and re-uses the cached file afterwards", async () => {
    const model = linearModel(4, 2, 32);
    const ref = modelRef(model.bytes, "shared", "user-1/shared");
    edge.serve(ref.key, model.bytes);
    const before = edge.requests.length;
    gateClosed = true;
    const answers = Array.from({ length: 5 }, () => postInfer(runner, { kernel: "tensor", model: ref, inputs: oneRow(4) }));
    // All five are accepted (in flight) while the single download is held at the edge.
    while (RunnerHealthSchema.parse((await getJson(runner, "/health")).body).in_flight < 5 || edge.requests.length === before) {
      await new Promise((r) => setTimeout(r, 10));
    }
    gateClosed = false;
    release();
    for (const res of await Promise.all(answers)) expect(res.status).toBe(200);
    expect(edge.requests.length - before).toBe(1);
    expect((await postInfer(runner, { kernel: "tensor", model: ref, inputs: oneRow(4) })).status).toBe(200);
    expect(edge.requests.length - before).toBe(1);
  });

  it("a second runner on the same cache directory uses the cached file without fetching", async () => {
    const model = linearModel(4, 2, 33);
    const ref = modelRef(model.bytes, "restart", "user-1/restart");
    edge.serve(ref.key, model.bytes);
    const cache = tempCacheDir();
    try {
      const first = await startInProcessRunner({ EDGE_URL: edge.url, MODEL_CACHE_DIR: cache.dir });
      expect((await postInfer(first, { kernel: "tensor", model: ref, inputs: oneRow(4) })).status).toBe(200);
      await first.close();
      const fetchesBefore = edge.requests.length;
      const second = await startInProcessRunner({ EDGE_URL: edge.url, MODEL_CACHE_DIR: cache.dir });
      try {
        const listed = RunnerModelListSchema.parse((await getJson(second, "/v1/models")).body).data;
        expect(listed.find((m) => m.id === ref.sha256)).toMatchObject({ kind: "uploaded", kernel: "tensor", loaded: false });
        expect((await postInfer(second, { kernel: "tensor", model: ref, inputs: oneRow(4) })).status).toBe(200);
        expect(edge.requests.length).toBe(fetchesBefore);
      } finally {
        await second.close();
      }
    } finally {
      cache.remove();
    }
  });

  it("rejects bytes whose size or sha256 differ from the ModelRef with 502 model_unavailable, caching nothing", async () => {
    const model = linearModel(4, 2, 34);
    edge.serve("user-1/tampered", model.bytes);
    const wrongSize = await postInfer(runner, { kernel: "tensor", model: { ...modelRef(model.bytes, "tampered", "user-1/tampered"), size: model.bytes.byteLength + 10 }, inputs: oneRow(4) });
    expect(wrongSize.status).toBe(502);
    expect(errorOf(wrongSize.body)).toMatchObject({ code: "model_unavailable", message: expect.stringContaining("bytes") });
    const wrongHash = { ...modelRef(model.bytes, "tampered", "user-1/tampered"), sha256: "0".repeat(64) };
    const hashRes = await postInfer(runner, { kernel: "tensor", model: wrongHash, inputs: oneRow(4) });
    expect(hashRes.status).toBe(502);
    expect(errorOf(hashRes.body)).toMatchObject({ code: "model_unavailable", message: expect.stringContaining("sha256") });
    const smaller = { ...modelRef(model.bytes, "tampered", "user-1/tampered"), size: 10 };
    expect((await postInfer(runner, { kernel: "tensor", model: smaller, inputs: oneRow(4) })).status).toBe(502);
    expect(existsSync(path.join(runner.cacheDir, `${"0".repeat(64)}.onnx`))).toBe(false);
    expect(readdirSync(runner.cacheDir).filter((f) => f.startsWith(".download-"))).toEqual([]);
  });

  it("a model the edge does not have, or an unreachable edge, is 502 model_unavailable", async () => {
    const model = linearModel(4, 2, 35);
    const missing = await postInfer(runner, { kernel: "tensor", model: modelRef(model.bytes, "missing", "user-1/missing"), inputs: oneRow(4) });
    expect(missing.status).toBe(502);
    expect(errorOf(missing.body)).toMatchObject({ code: "model_unavailable", message: expect.stringContaining("404") });
    const offline = await startInProcessRunner({ EDGE_URL: "http://127.0.0.1:9" });
    try {
      const res = await postInfer(offline, { kernel: "tensor", model: modelRef(model.bytes, "missing", "user-1/missing"), inputs: oneRow(4) });
      expect(res.status).toBe(502);
      expect(errorOf(res.body).code).toBe("model_unavailable");
    } finally {
      await offline.close();
    }
  });

  it("bytes that are not ONNX are 422 model_unavailable, and the runner stays healthy", async () => {
    const junk = new TextEncoder().encode("this is not an onnx model, just some text uploaded by mistake");
    const ref = modelRef(junk, "junk", "user-1/junk");
    edge.serve(ref.key, junk);
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await postInfer(runner, { kernel: "tensor", model: ref, inputs: oneRow(4) });
      expect(res.status).toBe(422);
      expect(errorOf(res.body)).toMatchObject({ code: "model_unavailable", message: expect.stringContaining("cannot be loaded") });
    }
    const health = RunnerHealthSchema.parse((await getJson(runner, "/health")).body);
    expect(health).toMatchObject({ status: "ok", busy_workers: 0, in_flight: 0 });
    const good = linearModel(4, 2, 36);
    edge.serve("user-1/good", good.bytes);
    expect((await postInfer(runner, { kernel: "tensor", model: modelRef(good.bytes, "good", "user-1/good"), inputs: oneRow(4) })).status).toBe(200);
  });
});
