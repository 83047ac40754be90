import { encode } from "@msgpack/msgpack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunnerErrorSchema, RunnerHealthSchema } from "../../../schema/runner";
import { getJson, postInfer } from "../helpers/client";
import { addMulModel, linearModel, modelRef } from "../helpers/onnx-models";
import { type InProcessRunner, seedModel, startInProcessRunner } from "../helpers/runner";
import { f32, tensor } from "../helpers/tensors";

// Authentication on every route and the error answers of POST /v1/infer, each through the one error shape.
const linear = linearModel(4, 3, 9);
const addMul = addMulModel(4);
const MAX_BODY = 64 * 1024;

let runner: InProcessRunner;
beforeAll(async () => {
  runner = await startInProcessRunner({ GPU_RUNNER_MAX_BODY_BYTES: String(MAX_BODY) });
  seedModel(runner.cacheDir, linear.bytes);
  seedModel(runner.cacheDir, addMul);
});
afterAll(async () => {
  await runner?.close();
});

const ROUTES = [
  { method: "GET", path: "/health" },
  { method: "GET", path: "/v1/models" },
  { method: "POST", path: "/v1/infer" },
  { method: "POST", path: "/v1/jobs/some-job/cancel" },
  { method: "GET", path: "/no/such/route" },
] as const;

const errorOf = (body: unknown) => RunnerErrorSchema.parse((body as { error: unknown }).error);
const linearRequest = (inputs: Record<string, ReturnType<typeof f32>>) => ({ kernel: "tensor" as const, model: modelRef(linear.bytes, "linear"), inputs });

describe("authentication", () => {
  for (const { method, path } of ROUTES) {
    for (const [label, header] of [
      ["no token", undefined],
      ["a wrong token", "Bearer not-the-token"],
      ["a malformed header", "Basic abc"],
    ] as const) {
      it(`${method} ${path} with ${label} is 401 unauthorized`, async () => {
        const headers: Record<string, string> = header ? { Authorization: header } : {};
        const res = await fetch(`${runner.url}${path}`, { method, headers, body: method === "POST" ? encode({}) : undefined });
        expect(res.status).toBe(401);
        const isInfer = path === "/v1/infer";
        expect(res.headers.get("content-type")).toContain(isInfer ? "application/x-msgpack" : "application/json");
        const { decode } = await import("@msgpack/msgpack");
        const body = isInfer ? decode(new Uint8Array(await res.arrayBuffer())) : await res.json();
        expect(errorOf(body).code).toBe("unauthorized");
      });
    }
  }

  it("accepts the right token on every route", async () => {
    expect((await getJson(runner, "/health")).status).toBe(200);
    expect((await getJson(runner, "/v1/models")).status).toBe(200);
    const cancel = await fetch(`${runner.url}/v1/jobs/x/cancel`, { method: "POST", headers: { Authorization: `Bearer ${runner.token}` } });
    expect(await cancel.json()).toEqual({ cancelled: 0 });
  });

  it("answers an unknown route with 404 in the error shape", async () => {
    const res = await getJson(runner, "/v2/nothing");
    expect(res.status).toBe(404);
    expect(errorOf(res.body).code).toBe("invalid_request");
  });
});

describe("request errors", () => {
  it("malformed msgpack is 400 invalid_request", async () => {
    const res = await postInfer(runner, new Uint8Array([0xc1, 0xff, 0x00]));
    expect(res.status).toBe(400);
    expect(res.contentType).toBe("application/x-msgpack");
    expect(errorOf(res.body)).toMatchObject({ code: "invalid_request", message: expect.stringContaining("MessagePack") });
  });

  it("a body that is not an InferRequest is 400 invalid_request naming the problem", async () => {
    const res = await postInfer(runner, encode({ kernel: "tensor", model: { key: "k" }, inputs: {} }));
    expect(res.status).toBe(400);
    expect(errorOf(res.body)).toMatchObject({ code: "invalid_request", message: expect.stringContaining("model") });
    const unknownKernel = await postInfer(runner, encode({ kernel: "llm", prompt: "hi" }));
    expect(unknownKernel.status).toBe(400);
  });

  it("a tensor whose bytes do not match dtype and dims is 400", async () => {
    const bad = { dtype: "float32", dims: [1, 4], data: new Uint8Array(3) };
    const res = await postInfer(runner, encode({ kernel: "tensor", model: modelRef(linear.bytes, "linear"), inputs: { x: bad } }));
    expect(res.status).toBe(400);
    expect(errorOf(res.body).message).toContain("data length");
  });

  it("a body over GPU_RUNNER_MAX_BODY_BYTES is 413 and the runner keeps serving", async () => {
    const rows = MAX_BODY / 16 + 1;
    const res = await postInfer(runner, linearRequest({ x: f32(new Float32Array(rows * 4), [rows, 4]) }));
    expect(res.status).toBe(413);
    expect(errorOf(res.body).code).toBe("invalid_request");
    expect((await postInfer(runner, linearRequest({ x: f32([1, 2, 3, 4], [1, 4]) }))).status).toBe(200);
  });

  // The first request to a model is checked by the worker (the signature is not known yet), later ones
  // before they are queued: both must give the same answer, so each case runs twice.
  const inputCases: [string, Record<string, ReturnType<typeof f32>>, string][] = [
    ["an unknown input name", { z: f32([1, 2, 3, 4], [1, 4]) }, "unknown input 'z'"],
    ["a wrong dtype", { x: tensor("int32", new Int32Array([1, 2, 3, 4]), [1, 4]) }, "must be float32, got int32"],
    ["a wrong rank", { x: f32([1, 2, 3, 4], [1, 2, 2]) }, "must have rank 2"],
    ["a wrong fixed dimension", { x: f32([1, 2, 3], [1, 3]) }, "size 4 on axis 1"],
  ];
  for (const [label, inputs, message] of inputCases) {
    it(`${label} is 422 invalid_input`, async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const res = await postInfer(runner, linearRequest(inputs));
        expect(res.status).toBe(422);
        expect(errorOf(res.body)).toMatchObject({ code: "invalid_input", message: expect.stringContaining(message) });
      }
    });
  }

  it("a missing input and an unknown output are 422 invalid_input", async () => {
    const addMulRef = modelRef(addMul, "add-mul");
    const missing = await postInfer(runner, { kernel: "tensor", model: addMulRef, inputs: { a: f32([1, 2, 3, 4], [1, 4]) } });
    expect(missing.status).toBe(422);
    expect(errorOf(missing.body).message).toContain("missing input 'b'");
    const output = await postInfer(runner, { kernel: "tensor", model: addMulRef, inputs: { a: f32([1, 2, 3, 4], [1, 4]), b: f32([1, 2, 3, 4], [1, 4]) }, outputs: ["nope"] });
    expect(output.status).toBe(422);
    expect(errorOf(output.body).message).toContain("unknown output 'nope'");
  });

  it("after all of that the runner is healthy and idle", async () => {
    const health = RunnerHealthSchema.parse((await getJson(runner, "/health")).body);
    expect(health).toMatchObject({ status: "ok", busy_workers: 0, in_flight: 0, queue: {} });
  });
});
