import type { Kernel } from "./types";
import { asrKernel } from "./asr";
import { audioKernel } from "./audio";
import { imageKernel } from "./image";
import { ocrKernel } from "./ocr";
import { vadKernel } from "./vad";
import { videoKernel } from "./video";

/** The kernels a worker can run, by the `kernel` of an InferRequest. Imported by workers on first use only. */
// biome-ignore lint/suspicious/noExplicitAny: each kernel narrows the request to its own kind
export const KERNELS: Record<string, Kernel<any, unknown>> = {
  asr: asrKernel,
  audio: audioKernel,
  image: imageKernel,
  ocr: ocrKernel,
  vad: vadKernel,
  video: videoKernel,
};
