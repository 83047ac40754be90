import type { InferRequest, InferResult, WireTensor } from "../../../schema/runner";
import type { ExecutionProvider } from "../config";
import type { WireFailure } from "../errors";
import type { ModelMeta } from "../tensor/meta";

/**
 * Messages between the pool (main thread) and a worker thread. Tensor bytes travel as transferred
 * ArrayBuffers, never copied by postMessage; a task's cancel flag is a SharedArrayBuffer both sides see.
 */

/** Given to each worker at spawn (workerData). */
export interface WorkerSettings {
  workerId: number;
  providers: ExecutionProvider[];
  /** onnxruntime's own log level: "fatal" keeps its native stderr lines (e.g. the failed CUDA load) out of the log. */
  ortLogLevel: "verbose" | "info" | "warning" | "error" | "fatal";
  intraOpThreads: number;
  sessionCacheBytes: number;
  /** builtin model id -> file path (kernels/builtin-models.ts), resolved in the main thread. */
  builtinModels: Record<string, string>;
  /** builtin model id -> file size, the session cache's memory estimate. */
  builtinSizes: Record<string, number>;
  /** GPU_RUNNER_FFMPEG, when set. */
  ffmpegPath?: string;
}

/** A model file a worker may load, identified by the id the scheduler queues under. */
export interface ModelFile {
  id: string;
  path: string;
  bytes: number;
}

/** One request of a tensor run; several of them make a batch. */
export interface TensorItem {
  inputs: Record<string, WireTensor>;
  /** Rows this request adds along the batch axis (its inputs' first dimension). */
  rows: number;
  /** Int32Array(1) over a SharedArrayBuffer: 1 once the request is cancelled. */
  cancelFlag: SharedArrayBuffer;
}

export type ToWorker =
  /** Finish the current task, release the sessions and exit. */
  | { type: "stop" }
  | {
      type: "tensor";
      taskId: number;
      model: ModelFile;
      items: TensorItem[];
      /** Outputs to return (all when absent); the same for every item of a batch. */
      outputs?: string[];
    }
  | {
      type: "kernel";
      taskId: number;
      kernel: string;
      request: Exclude<InferRequest, { kernel: "tensor" }>;
      cancelFlag: SharedArrayBuffer;
    };

/** Per item: its result, or why it failed. */
export type ItemOutcome = { ok: true; result: InferResult } | { ok: false; error: WireFailure };

export interface LoadedModel {
  id: string;
  bytes: number;
}

export type FromWorker =
  | { type: "ready"; providers: ExecutionProvider[]; fallbackReason?: string }
  | { type: "progress"; taskId: number; progress: number; total: number }
  | {
      type: "done";
      taskId: number;
      outcomes: ItemOutcome[];
      /** Sessions the worker holds after the task (the LRU may have evicted some). */
      loaded: LoadedModel[];
      /** Signatures of models loaded during this task. */
      metas: { id: string; meta: ModelMeta }[];
      /** Set when a batch's outputs did not split by rows: the scheduler stops batching this model. */
      unbatchable?: string;
    }
  | { type: "log"; level: "debug" | "info" | "warn" | "error"; event: string; fields: Record<string, unknown> };
