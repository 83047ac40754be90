import type { Kernel } from "./types";
import { ocrKernel } from "./ocr";
import { vadKernel } from "./vad";

/** The kernels a worker can run, by the `kernel` of an InferRequest. Imported by workers on first use only. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kernel narrows the request to its own kind
export const KERNELS: Record<string, Kernel<any, unknown>> = {
  ocr: ocrKernel,
  vad: vadKernel,
};
