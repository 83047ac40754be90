import { describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { fromWireTensor, TensorError, toWireTensor } from "../../engine/inference/tensors";
import type { InferenceOptions, InferenceRequest, InferenceService, InferResult } from "../../engine/inference/types";
import type { EngineServices } from "../../engine/registry/types";
import type { EngineMessage } from "../../schema/messages";
import type { Graph } from "../../schema/workflow";
import { graph, registry } from "./helpers";

/**
 * Tensor conversion and the wiring of the GPU nodes (what they ask for, what they make of the answer). The
 * InferenceService here only records requests and returns a scripted result: these tests check the nodes'
 * side of the interface; the pool and a runner over real HTTP are tested in test/e2e/runner-pool.test.ts.
 */

const f32 = (...values: number[]) => new Uint8Array(new Float32Array(values).buffer);

describe("tensor values -> wire tensors", () => {
  it("reads nested lists as float32 with the nesting as shape", () => {
    const t = toWireTensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.dtype).toBe("float32");
    expect(t.dims).toEqual([2, 3]);
    expect(t.data).toEqual(f32(1, 2, 3, 4, 5, 6));
    expect(toWireTensor(2.5)).toMatchObject({ dtype: "float32", dims: [] });
    expect(toWireTensor([])).toMatchObject({ dims: [0] });
  });

  it("reads NodeTool np_array values: flat with a shape, nested, NumPy dtype strings", () => {
    const flat = toWireTensor({ type: "np_array", value: [1, 2, 3, 4], dtype: "<i8", shape: [2, 2] });
    expect(flat.dtype).toBe("int64");
    expect(flat.dims).toEqual([2, 2]);
    expect(Array.from(new BigInt64Array(flat.data.buffer))).toEqual([1n, 2n, 3n, 4n]);
    const nested = toWireTensor({ type: "tensor", value: [[true, false]], dtype: "|b1" });
    expect(nested).toMatchObject({ dtype: "bool", dims: [1, 2] });
    expect(Array.from(nested.data)).toEqual([1, 0]);
    expect(toWireTensor({ type: "tensor", value: [1, 2], dtype: "uint8" }).data).toEqual(new Uint8Array([1, 2]));
    expect(toWireTensor({ type: "tensor", value: [0.5], dtype: "<f8" }).data).toEqual(new Uint8Array(new Float64Array([0.5]).buffer));
    // int64 beyond 2^53 as decimal strings; float specials as JSON cannot carry them.
    const big = toWireTensor({ type: "tensor", value: ["9223372036854775807", "-5"], dtype: "int64" });
    expect(Array.from(new BigInt64Array(big.data.buffer))).toEqual([9223372036854775807n, -5n]);
    const special = toWireTensor({ type: "tensor", value: ["NaN", "-Infinity"] });
    expect(Array.from(new Float32Array(special.data.buffer))).toEqual([NaN, -Infinity]);
  });

  it("reads typed arrays with their own dtype, and wire tensors as they are", () => {
    expect(toWireTensor(new Int32Array([7, -7]))).toMatchObject({ dtype: "int32", dims: [2] });
    expect(toWireTensor(new BigInt64Array([3n]))).toMatchObject({ dtype: "int64", dims: [1] });
    expect(toWireTensor({ type: "tensor", value: new Float32Array([1, 2, 3, 4]), shape: [2, 2] })).toMatchObject({ dtype: "float32", dims: [2, 2] });
    expect(toWireTensor({ type: "tensor", value: new Int32Array([1, 2]), dtype: "float32" }).data).toEqual(f32(1, 2));
    const wire = { dtype: "uint16", dims: [2], data: new Uint8Array([1, 0, 2, 0]) };
    expect(toWireTensor(wire)).toEqual(wire);
  });

  it("names the problem of values that are no tensor", () => {
    const cases: [unknown, RegExp][] = [
      [[[1, 2], [3]], /ragged/],
      [[[1, 2], 3], /ragged/],
      [{ type: "tensor", value: [1, 2, 3], shape: [2, 2] }, /shape \[2,2\] needs 4 elements/],
      [{ type: "tensor", value: [300], dtype: "int8" }, /element 0: 300 is not a valid int8/],
      [{ type: "tensor", value: [1.5], dtype: "int32" }, /1.5 is not a valid int32/],
      [{ type: "tensor", value: ["x"] }, /not a valid float32/],
      [{ type: "tensor", value: [2], dtype: "bool" }, /not a valid bool/],
      [{ type: "tensor", value: ["99999999999999999999"], dtype: "int64" }, /not a valid int64/],
      [{ type: "tensor", value: [1], dtype: "float16" }, /unsupported dtype 'float16'/],
      [{ type: "tensor", value: [1], shape: [-1] }, /non-negative integers/],
      [{ type: "tensor" }, /no value/],
      [{ type: "image", uri: "x" }, /expected a tensor/],
      ["text", /expected a tensor/],
      [{ dtype: "float32", dims: [2], data: new Uint8Array(3) }, /3 data bytes do not match/],
    ];
    for (const [value, pattern] of cases) expect(() => toWireTensor(value, "inputs.x"), JSON.stringify(value)).toThrow(pattern);
    expect(() => toWireTensor("text", "inputs.x")).toThrow(TensorError);
    expect(() => toWireTensor("text", "inputs.x")).toThrow(/^inputs\.x: /);
  });
});

describe("wire tensors -> tensor values", () => {
  it("gives flat values of every dtype; int64 as numbers when all are safe, else all as strings", () => {
    expect(fromWireTensor({ dtype: "float32", dims: [1, 2], data: f32(0.5, -2) })).toEqual({ type: "tensor", dtype: "float32", shape: [1, 2], value: [0.5, -2] });
    expect(fromWireTensor({ dtype: "bool", dims: [3], data: new Uint8Array([1, 0, 2]) }).value).toEqual([true, false, true]);
    expect(fromWireTensor({ dtype: "int8", dims: [2], data: new Uint8Array([255, 1]) }).value).toEqual([-1, 1]);
    expect(fromWireTensor({ dtype: "uint16", dims: [1], data: new Uint8Array([0x34, 0x12]) }).value).toEqual([0x1234]);
    expect(fromWireTensor({ dtype: "int32", dims: [1], data: new Uint8Array(new Int32Array([-9]).buffer) }).value).toEqual([-9]);
    expect(fromWireTensor({ dtype: "float64", dims: [], data: new Uint8Array(new Float64Array([Math.PI]).buffer) }).value).toEqual([Math.PI]);
    const safe = new Uint8Array(new BigInt64Array([1n, -2n]).buffer);
    expect(fromWireTensor({ dtype: "int64", dims: [2], data: safe }).value).toEqual([1, -2]);
    const unsafe = new Uint8Array(new BigInt64Array([1n, 2n ** 60n]).buffer);
    expect(fromWireTensor({ dtype: "int64", dims: [2], data: unsafe }).value).toEqual(["1", "1152921504606846976"]);
    // An unaligned view (as MessagePack hands out bin fields) reads the same.
    const padded = new Uint8Array(9);
    padded.set(f32(3), 1);
    expect(fromWireTensor({ dtype: "float32", dims: [1], data: padded.subarray(1, 5) }).value).toEqual([3]);
    expect(() => fromWireTensor({ dtype: "float32", dims: [2], data: new Uint8Array(4) })).toThrow(/arrived with 4 bytes/);
  });

  it("round-trips every input form", () => {
    const value = { type: "tensor", dtype: "int16", shape: [2, 2], value: [1, -2, 3, -4] };
    expect(fromWireTensor(toWireTensor(value))).toEqual(value);
  });
});

/** Records every request and answers with what the test scripted, reporting progress like a runner would. */
class RecordingInference implements InferenceService {
  readonly requests: { request: InferenceRequest; options?: InferenceOptions }[] = [];
  constructor(private readonly answer: (request: InferenceRequest) => InferResult) {}
  async infer(request: InferenceRequest, options?: InferenceOptions): Promise<InferResult> {
    this.requests.push({ request, options });
    options?.onProgress?.(1, 2);
    options?.onProgress?.(2, 2);
    return this.answer(request);
  }
}

async function runGraph(g: Graph, services: Partial<EngineServices>) {
  const messages: EngineMessage[] = [];
  const result = await runWorkflow(g, {}, { registry, emit: (m) => messages.push(m), services });
  return { ...result, messages };
}

const PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const WAV = `data:audio/wav;base64,${btoa("RIFF$\u0000\u0000\u0000WAVEfmt ")}`;

describe("lib.ocr.PaddleOCR", () => {
  const ocrGraph = (language: unknown) =>
    graph(
      [
        { id: "ocr", type: "lib.ocr.PaddleOCR", data: { image: { type: "image", uri: PNG }, language } },
        { id: "boxes", type: "nodetool.output.Output", data: { name: "boxes" } },
        { id: "text", type: "nodetool.output.Output", data: { name: "text" } },
      ],
      [
        ["ocr", "boxes", "boxes", "value"],
        ["ocr", "text", "text", "value"],
      ],
    );

  it("sends the image bytes and language, and gives NodeTool's OCRResult boxes and the lines as text", async () => {
    const inference = new RecordingInference(() => ({
      kernel: "ocr",
      width: 1,
      height: 1,
      lines: [
        { text: "HELLO", score: 0.98, box: [[1, 2], [30, 2], [30, 9], [1, 9]] },
        { text: "WORLD", score: 0.91, box: [[1, 12], [32, 12], [32, 20], [1, 20]] },
      ],
    }));
    const out = await runGraph(ocrGraph("OCRLanguage.FRENCH"), { inference });
    expect(out.status, out.error).toBe("completed");
    expect(out.result.text).toBe("HELLO\nWORLD");
    expect(out.result.boxes).toEqual([
      { type: "ocr_result", text: "HELLO", score: 0.98, top_left: [1, 2], top_right: [30, 2], bottom_right: [30, 9], bottom_left: [1, 9] },
      { type: "ocr_result", text: "WORLD", score: 0.91, top_left: [1, 12], top_right: [32, 12], bottom_right: [32, 20], bottom_left: [1, 20] },
    ]);
    const [{ request, options }] = inference.requests;
    expect(request).toMatchObject({ kernel: "ocr", options: { language: "fr" } });
    expect((request as { image: Uint8Array }).image.subarray(0, 4)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    expect(options?.signal).toBeInstanceOf(AbortSignal);
    const progress = out.messages.filter((m) => m.type === "node_progress");
    expect(progress.map((m) => [(m as { progress: number }).progress, (m as { total: number }).total])).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });

  it("refuses a language NodeTool does not have, without asking for inference", async () => {
    const inference = new RecordingInference(() => {
      throw new Error("not called");
    });
    const out = await runGraph(ocrGraph("klingon"), { inference });
    expect(out.status).toBe("failed");
    expect(out.error).toMatch(/language must be one of en, fr/);
    expect(inference.requests).toHaveLength(0);
  });

  it("fails with 'no gpu-runner available' when the host has no inference service", async () => {
    const out = await runGraph(ocrGraph("en"), {});
    expect(out.status).toBe("failed");
    expect(out.error).toMatch(/^.*no gpu-runner available/);
  });
});

describe("edge.audio.DetectSpeech", () => {
  const vadGraph = (data: Record<string, unknown>) =>
    graph(
      [
        { id: "vad", type: "edge.audio.DetectSpeech", data: { audio: { type: "audio", uri: WAV }, ...data } },
        { id: "segments", type: "nodetool.output.Output", data: { name: "segments" } },
        { id: "seconds", type: "nodetool.output.Output", data: { name: "seconds" } },
      ],
      [
        ["vad", "segments", "segments", "value"],
        ["vad", "speech_seconds", "seconds", "value"],
      ],
    );

  it("sends the audio and its options, and gives segments and the seconds of speech", async () => {
    const inference = new RecordingInference(() => ({
      kernel: "vad",
      sample_rate: 16000,
      duration: 3,
      segments: [
        { start: 0.25, end: 1.0 },
        { start: 1.5, end: 2.1 },
      ],
    }));
    const out = await runGraph(vadGraph({ threshold: 0.6, min_speech_duration_ms: 100, min_silence_duration_ms: 50, speech_pad_ms: 10 }), { inference });
    expect(out.status, out.error).toBe("completed");
    expect(out.result.segments).toEqual([
      { start: 0.25, end: 1.0 },
      { start: 1.5, end: 2.1 },
    ]);
    expect(out.result.seconds).toBe(1.35);
    expect(inference.requests[0].request).toMatchObject({
      kernel: "vad",
      options: { threshold: 0.6, min_speech_duration_ms: 100, min_silence_duration_ms: 50, speech_pad_ms: 10 },
    });
    expect(new TextDecoder().decode((inference.requests[0].request as { audio: Uint8Array }).audio.subarray(0, 4))).toBe("RIFF");
  });

  it("refuses out-of-range options with a node error naming them", async () => {
    const inference = new RecordingInference(() => ({ kernel: "vad", sample_rate: 16000, duration: 0, segments: [] }));
    for (const [data, pattern] of [
      [{ threshold: 1.5 }, /threshold must be a number from 0 to 1/],
      [{ speech_pad_ms: -1 }, /speech_pad_ms must be an integer from 0/],
      [{ min_speech_duration_ms: 2.5 }, /min_speech_duration_ms must be an integer/],
    ] as const) {
      const out = await runGraph(vadGraph(data), { inference });
      expect(out.status).toBe("failed");
      expect(out.error).toMatch(pattern);
    }
    expect(inference.requests).toHaveLength(0);
  });
});

describe("edge.ml.RunONNXModel", () => {
  const onnxGraph = (data: Record<string, unknown>) =>
    graph(
      [
        { id: "m", type: "edge.ml.RunONNXModel", data },
        { id: "all", type: "nodetool.output.Output", data: { name: "all" } },
        { id: "first", type: "nodetool.output.Output", data: { name: "first" } },
      ],
      [
        ["m", "outputs", "all", "value"],
        ["m", "output", "first", "value"],
      ],
    );

  it("converts the inputs, names the model, and converts every output back", async () => {
    const inference = new RecordingInference(() => ({
      kernel: "tensor",
      outputs: {
        sum: { dtype: "float32", dims: [2], data: f32(4, 6) },
        argmax: { dtype: "int64", dims: [1], data: new Uint8Array(new BigInt64Array([1n]).buffer) },
      },
    }));
    const out = await runGraph(onnxGraph({ model: " team/v1/add.onnx ", inputs: { a: [1, 2], b: { type: "np_array", value: [3, 4], dtype: "<f4", shape: [2] } } }), { inference });
    expect(out.status, out.error).toBe("completed");
    expect(out.result.first).toEqual({ type: "tensor", dtype: "float32", shape: [2], value: [4, 6] });
    expect(out.result.all).toEqual({
      sum: { type: "tensor", dtype: "float32", shape: [2], value: [4, 6] },
      argmax: { type: "tensor", dtype: "int64", shape: [1], value: [1] },
    });
    const request = inference.requests[0].request as Extract<InferenceRequest, { kernel: "tensor" }>;
    expect(request.model).toBe("team/v1/add.onnx");
    expect(request.inputs.a).toEqual({ dtype: "float32", dims: [2], data: f32(1, 2) });
    expect(request.inputs.b).toEqual({ dtype: "float32", dims: [2], data: f32(3, 4) });
  });

  it("fails with clear errors for a missing model name, bad inputs and a missing service", async () => {
    const inference = new RecordingInference(() => ({ kernel: "tensor", outputs: {} }));
    const noModel = await runGraph(onnxGraph({ model: "   ", inputs: {} }), { inference });
    expect(noModel.error).toMatch(/model must name an uploaded model/);
    const badInput = await runGraph(onnxGraph({ model: "m.onnx", inputs: { x: [[1], [2, 3]] } }), { inference });
    expect(badInput.error).toMatch(/inputs\.x: ragged nested lists/);
    const notDict = await runGraph(onnxGraph({ model: "m.onnx", inputs: [1, 2] }), { inference });
    expect(notDict.error).toMatch(/inputs must be a dict/);
    expect(inference.requests).toHaveLength(0);
    const none = await runGraph(onnxGraph({ model: "m.onnx", inputs: {} }), {});
    expect(none.error).toMatch(/no gpu-runner available/);
  });

  it("passes a service error on as the node's error", async () => {
    const inference: InferenceService = {
      infer: async () => {
        throw new Error("model 'm.onnx' was not found: upload it with POST /api/models/upload");
      },
    };
    const out = await runGraph(onnxGraph({ model: "m.onnx", inputs: {} }), { inference });
    expect(out.status).toBe("failed");
    expect(out.error).toMatch(/model 'm.onnx' was not found/);
  });
});

describe("the GPU nodes in the registry", () => {
  it("are marked gpu and declared under NodeTool's names", () => {
    for (const type of ["lib.ocr.PaddleOCR", "edge.audio.DetectSpeech", "edge.ml.RunONNXModel"]) expect(registry.get(type)?.gpu, type).toBe(true);
    const ocr = registry.get("lib.ocr.PaddleOCR")!;
    expect(ocr.properties.map((p) => p.name)).toEqual(["image", "language"]);
    expect(ocr.outputs.map((o) => o.name)).toEqual(["boxes", "text"]);
    expect(ocr.properties[1].values).toHaveLength(34);
    expect(ocr.properties[1].default).toBe("en");
  });
});
