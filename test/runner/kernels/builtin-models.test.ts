import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUILTIN_MODELS, paddleOcrDictionaryPath } from "../../../gpu-runner/src/kernels/builtin-models";
import { asrKernel } from "../../../gpu-runner/src/kernels/asr/index";
import { ocrKernel } from "../../../gpu-runner/src/kernels/ocr/index";
import { vadKernel } from "../../../gpu-runner/src/kernels/vad/index";

describe("builtin models", () => {
  it("resolve to absolute paths of the files shipped by the npm packages", () => {
    expect(Object.keys(BUILTIN_MODELS).sort()).toEqual(["moonshine-tiny/decoder", "moonshine-tiny/encoder", "paddleocr/det", "paddleocr/rec", "silero-vad"]);
    for (const model of Object.values(BUILTIN_MODELS)) {
      expect(path.isAbsolute(model.path)).toBe(true);
      expect(model.path.endsWith(".onnx")).toBe(true);
      expect(model.bytes).toBe(statSync(model.path).size);
    }
    expect(existsSync(paddleOcrDictionaryPath())).toBe(true);
  });

  it("name the kernels that use them", () => {
    for (const kernel of [asrKernel, ocrKernel, vadKernel]) {
      for (const id of kernel.models) expect(BUILTIN_MODELS[id].kernel).toBe(kernel.name);
    }
  });
});
