import type { z } from "zod";
import type { ASR_MODELS, InferRequestInput, InferResult, OcrOptionsSchema, TensorDtype, VadOptionsSchema, WireTensor } from "../../schema/runner";

/**
 * The engine's view of GPU inference (docs/architecture.md#2-dependency-direction-and-host-services and docs/architecture.md#10-gpu-runner). GPU nodes describe what to run; the host
 * decides where: the Worker forwards to its pool of gpu-runners (edge/runners), other hosts may run it in
 * process. Requests mirror the wire contract's InferRequest (schema/runner.ts) and results are its
 * InferResult, except that a tensor request names an uploaded model by the name its user gave it: the host
 * resolves it (the Worker: to a ModelRef with key, size and sha256) because only the host knows whose models
 * a job may use. The job id is the host's to add too.
 */

/** Tensor bytes as nodes hold them: like WireTensor, with any Uint8Array. */
export interface TensorBytes {
  dtype: TensorDtype;
  dims: number[];
  data: Uint8Array;
}

export interface TensorInferenceRequest {
  kernel: "tensor";
  /** The name of one of the job user's uploaded models (`POST /api/models/upload`). */
  model: string;
  inputs: Record<string, TensorBytes>;
  /** Output names to return; all when absent. */
  outputs?: string[];
}
export interface OcrInferenceRequest {
  kernel: "ocr";
  /** PNG or JPEG bytes. */
  image: Uint8Array;
  options?: z.input<typeof OcrOptionsSchema>;
}
export interface VadInferenceRequest {
  kernel: "vad";
  /** WAV bytes. */
  audio: Uint8Array;
  options?: z.input<typeof VadOptionsSchema>;
}
/** Speech recognition with a model shipped on the runner (schema/runner.ts ASR_MODELS). */
export interface AsrInferenceRequest {
  kernel: "asr";
  /** Encoded audio (WAV, or anything ffmpeg reads). */
  audio: Uint8Array;
  model?: (typeof ASR_MODELS)[number];
}
/**
 * A stored media input named by its URI (`asset://...`, a storage URL) instead of its bytes. Only sent to a
 * host whose InferenceService says `storedMedia`: the host reads it, or lets the runner fetch it itself
 * (media by reference), whichever fits the runner and the size.
 */
export interface StoredMediaInput {
  uri: string;
}
/** An encoded media input of the image, audio and video kernels. */
export type MediaPart = Uint8Array | StoredMediaInput;

type MediaRequest<K extends "image" | "audio" | "video", F extends string> = Omit<Extract<InferRequestInput, { kernel: K }>, "job_id" | "upload" | F> & Record<F, MediaPart[]>;
/** The image kernel's pipeline (schema/image-ops.ts): encoded images in, encoded images out. */
export type ImageInferenceRequest = MediaRequest<"image", "images">;
/**
 * The audio and video kernels (schema/media-av.ts): encoded media in, encoded media out. An output of any of
 * these kernels may come back `stored` (schema/runner.ts StoredOutputSchema: already in storage, `uri` set,
 * `data` empty) instead of inline.
 */
export type AudioInferenceRequest = MediaRequest<"audio", "media">;
export type VideoInferenceRequest = MediaRequest<"video", "media">;
export type InferenceRequest = TensorInferenceRequest | OcrInferenceRequest | VadInferenceRequest | AsrInferenceRequest | ImageInferenceRequest | AudioInferenceRequest | VideoInferenceRequest;

export interface InferenceOptions {
  /** The node's signal: aborting it cancels the inference, on the runner too. */
  signal?: AbortSignal;
  /** The job the request belongs to, so a runner can cancel all of a job's work at once; hosts know it already. */
  jobId?: string;
  /** Progress reported by the runner while it works. */
  onProgress?: (progress: number, total: number) => void;
}

export interface InferenceService {
  infer(request: InferenceRequest, options?: InferenceOptions): Promise<InferResult>;
  /** The host takes StoredMediaInput in media requests (and may answer with `stored` outputs). */
  readonly storedMedia?: boolean;
}

/** What an InferenceError was caused by: a runner's own error codes, plus `unavailable` (no runner could take it). */
export type InferenceErrorCode =
  | "unauthorized"
  | "invalid_request"
  | "invalid_input"
  | "model_unavailable"
  | "cancelled"
  | "overloaded"
  | "internal"
  | "unavailable"
  | "runner_failed";

/** The message every "nothing can run this" error starts with, whatever the reason that follows. */
export const NO_RUNNER = "no gpu-runner available";

/** A failed inference, with a message fit for a node error (it never contains the runner token). */
export class InferenceError extends Error {
  constructor(
    message: string,
    readonly code: InferenceErrorCode,
  ) {
    super(message);
    this.name = "InferenceError";
  }
}

export type { InferResult, WireTensor };
