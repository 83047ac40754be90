import type { InferenceSession } from "onnxruntime-node";

/**
 * What a kernel sees inside a worker thread. Kernels are the multi-step pipelines (OCR, VAD) around one or more
 * ONNX sessions; plain uploaded models go through the tensor path of the worker instead.
 */
export interface KernelContext {
  /** The cached session of a builtin model (see builtin-models.ts), created and warmed up on first use. */
  session(builtinId: string): Promise<InferenceSession>;
  /** Reports progress to the caller (streamed as `progress` frames). */
  progress(progress: number, total: number): void;
  /** Throws a CancelledError when the request was cancelled or aborted; kernels call it between steps. */
  checkCancelled(): void;
}

/** A kernel turns a validated request of its kind into its result, both as in schema/runner.ts. */
export interface Kernel<Request, Result> {
  readonly name: string;
  /** The builtin model ids it uses, loaded on warm-up and reported by GET /v1/models. */
  readonly models: readonly string[];
  run(request: Request, ctx: KernelContext): Promise<Result>;
}

/** A request cannot be served because of its input (undecodable image, unsupported audio format, ...). */
export class KernelInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelInputError";
  }
}

/** Thrown by `checkCancelled` once a request is cancelled. */
export class CancelledError extends Error {
  constructor(message = "inference cancelled") {
    super(message);
    this.name = "CancelledError";
  }
}
