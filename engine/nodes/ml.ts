/**
 * GPU nodes: they describe the inference and hand it to `services.inference` (engine/inference), which the
 * Worker backs with its gpu-runner pool. Media bytes come from the blob store like every other media node;
 * runner progress is forwarded as node progress; the node's AbortSignal cancels the work on the runner.
 *
 * - `lib.ocr.PaddleOCR`: NodeTool's OCR node (nodetool-lib-image), same properties and outputs.
 * - `edge.audio.DetectSpeech`: voice activity detection (Silero VAD). NodeTool has no such node, hence our
 *   own namespace.
 * - `edge.ml.RunONNXModel`: runs one of the user's uploaded ONNX models on tensors.
 */
import { fromWireTensor, toWireTensor, TensorError, type TensorValue } from "../inference/tensors";
import { InferenceError, NO_RUNNER, type InferenceRequest, type InferenceService, type InferResult } from "../inference/types";
import { readMedia } from "../media/refs";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl } from "../registry/types";
import { enumValue, isRecord, toNumber, toText } from "../values/coerce";

/** NodeTool's `OCRLanguage` (nodetool-lib-image lib/ocr.py), member names as NodeTool spells them. */
export const OCR_LANGUAGE = {
  ENGLISH: "en",
  FRENCH: "fr",
  GERMAN: "de",
  SPANISH: "es",
  ITALIAN: "it",
  PORTUGUESE: "pt",
  DUTCH: "nl",
  POLISH: "pl",
  ROMANIAN: "ro",
  CROATIAN: "hr",
  CZECH: "cs",
  HUNGARIAN: "hu",
  SLOVAK: "sk",
  SLOVENIAN: "sl",
  TURKISH: "tr",
  VIETNAMESE: "vi",
  INDONESIAN: "id",
  MALAY: "ms",
  LATIN: "la",
  RUSSIAN: "ru",
  BULGARIAN: "bg",
  UKRAINIAN: "uk",
  BELARUSIAN: "be",
  MONGOLIAN: "mn",
  CHINESE: "ch",
  JAPANESE: "ja",
  KOREAN: "ko",
  ARABIC: "ar",
  PERSIAN: "fa",
  URDU: "ur",
  HINDI: "hi",
  MARATHI: "mr",
  NEPALI: "ne",
  SANSKRIT: "sa",
} as const;

const emptyMedia = (type: string) => ({ type, uri: "", asset_id: null, data: null });

function inferenceOf(ctx: NodeContext): InferenceService {
  const inference = ctx.services.inference;
  if (!inference) throw new InferenceError(`${NO_RUNNER}: this run has no GPU inference service (the server needs GPU_RUNNER_URLS)`, "unavailable");
  return inference;
}

/** Runs one request with the node's signal and progress; errors keep their message and gain the node's name. */
async function infer<K extends InferResult["kernel"]>(ctx: NodeContext, request: InferenceRequest & { kernel: K }): Promise<Extract<InferResult, { kernel: K }>> {
  const inference = inferenceOf(ctx);
  const result = await inference.infer(request, { signal: ctx.signal, onProgress: (progress, total) => ctx.progress(progress, total) });
  if (result.kernel !== request.kernel) {
    throw new InferenceError(`${ctx.nodeName}: the gpu-runner answered a ${request.kernel} request with a ${result.kernel} result`, "runner_failed");
  }
  return result as Extract<InferResult, { kernel: K }>;
}

/** A number property within bounds; out of range or not a number is a node error naming it. */
function bounded(value: unknown, name: string, min: number, max: number, integer: boolean): number {
  const n = toNumber(value, name);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new RangeError(`${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max === Number.MAX_SAFE_INTEGER ? "up" : max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** NodeTool's OCRResult: one recognised line, corners clockwise from the top left, in pixels of the image. */
export interface OcrResultValue {
  type: "ocr_result";
  text: string;
  score: number;
  top_left: [number, number];
  top_right: [number, number];
  bottom_right: [number, number];
  bottom_left: [number, number];
}

const paddleOcr = defineNode({
  type: "lib.ocr.PaddleOCR",
  title: "Paddle OCR",
  description: "Performs Optical Character Recognition (OCR) on images using PaddleOCR (runs on a gpu-runner).\n    image, text, ocr, document",
  gpu: true,
  properties: [
    prop("image", "image", emptyMedia("image"), { title: "Input Image", description: "The image to perform OCR on", required: true }),
    prop("language", "enum", OCR_LANGUAGE.ENGLISH, { values: Object.values(OCR_LANGUAGE), description: "Language code for OCR" }),
  ],
  outputs: [out("boxes", "list[ocr_result]"), out("text", "str")],
  process: async (inputs, ctx) => {
    inferenceOf(ctx);
    const language = enumValue(inputs.language ?? OCR_LANGUAGE.ENGLISH, OCR_LANGUAGE);
    if (!(Object.values(OCR_LANGUAGE) as string[]).includes(language)) {
      throw new RangeError(`language must be one of ${Object.values(OCR_LANGUAGE).join(", ")}, got ${JSON.stringify(inputs.language)}`);
    }
    const { bytes } = await readMedia(inputs.image, ctx, "PaddleOCR: image", "image");
    const result = await infer(ctx, { kernel: "ocr", image: bytes, options: { language } });
    const boxes: OcrResultValue[] = result.lines.map((line) => ({
      type: "ocr_result",
      text: line.text,
      score: line.score,
      top_left: line.box[0],
      top_right: line.box[1],
      bottom_right: line.box[2],
      bottom_left: line.box[3],
    }));
    return { boxes, text: boxes.map((b) => b.text).join("\n") };
  },
});

const detectSpeech = defineNode({
  type: "edge.audio.DetectSpeech",
  title: "Detect Speech",
  description: "Finds the stretches of speech in an audio clip (Silero voice activity detection, on a gpu-runner).\n    audio, speech, voice activity, vad, segments",
  gpu: true,
  properties: [
    prop("audio", "audio", emptyMedia("audio"), { description: "The audio to analyse (WAV: PCM or float, any rate and channel count).", required: true }),
    prop("threshold", "float", 0.5, { min: 0, max: 1, description: "Speech probability above which a frame counts as speech." }),
    prop("min_speech_duration_ms", "int", 250, { min: 0, description: "Shorter bursts of speech are dropped." }),
    prop("min_silence_duration_ms", "int", 100, { min: 0, description: "Silence shorter than this does not end a segment." }),
    prop("speech_pad_ms", "int", 30, { min: 0, description: "Padding added at both ends of each segment." }),
  ],
  outputs: [out("segments", "list[dict]"), out("speech_seconds", "float")],
  process: async (inputs, ctx) => {
    inferenceOf(ctx);
    const options = {
      threshold: bounded(inputs.threshold ?? 0.5, "threshold", 0, 1, false),
      min_speech_duration_ms: bounded(inputs.min_speech_duration_ms ?? 250, "min_speech_duration_ms", 0, Number.MAX_SAFE_INTEGER, true),
      min_silence_duration_ms: bounded(inputs.min_silence_duration_ms ?? 100, "min_silence_duration_ms", 0, Number.MAX_SAFE_INTEGER, true),
      speech_pad_ms: bounded(inputs.speech_pad_ms ?? 30, "speech_pad_ms", 0, Number.MAX_SAFE_INTEGER, true),
    };
    const { bytes } = await readMedia(inputs.audio, ctx, "DetectSpeech: audio", "audio");
    const result = await infer(ctx, { kernel: "vad", audio: bytes, options });
    const segments = result.segments.map((s) => ({ start: s.start, end: s.end }));
    const speech = segments.reduce((sum, s) => sum + Math.max(0, s.end - s.start), 0);
    return { segments, speech_seconds: Math.round(speech * 1e6) / 1e6 };
  },
});

const runOnnxModel = defineNode({
  type: "edge.ml.RunONNXModel",
  title: "Run ONNX Model",
  description:
    "Runs one of your uploaded ONNX models (POST /api/models/upload) on a gpu-runner. Inputs are tensors by input name: {type: \"tensor\", value, dtype, shape}, NodeTool np_array values or nested lists of numbers (float32).\n    onnx, model, tensor, inference",
  gpu: true,
  properties: [
    prop("model", "str", "", { description: "The name of an uploaded model, e.g. `team/v1/net.onnx`.", required: true }),
    prop("inputs", "dict", {}, { description: "Input name -> tensor." }),
  ],
  outputs: [out("outputs", "dict"), out("output", "tensor")],
  process: async (inputs, ctx) => {
    inferenceOf(ctx);
    const model = toText(inputs.model).trim();
    if (model === "") throw new TypeError("model must name an uploaded model (see GET /api/models)");
    const given = inputs.inputs ?? {};
    if (!isRecord(given)) throw new TypeError("inputs must be a dict of input name -> tensor");
    const tensors: Record<string, ReturnType<typeof toWireTensor>> = {};
    for (const [name, value] of Object.entries(given)) {
      try {
        tensors[name] = toWireTensor(value, `inputs.${name}`);
      } catch (err) {
        if (err instanceof TensorError) throw new TypeError(err.message);
        throw err;
      }
    }
    const result = await infer(ctx, { kernel: "tensor", model, inputs: tensors });
    const outputs: Record<string, TensorValue> = {};
    for (const [name, tensor] of Object.entries(result.outputs)) outputs[name] = fromWireTensor(tensor);
    const first = Object.keys(outputs)[0];
    return { outputs, output: first === undefined ? null : outputs[first] };
  },
});

export const mlNodes: NodeDecl[] = [paddleOcr, detectSpeech, runOnnxModel];
