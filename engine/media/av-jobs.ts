import type { z } from "zod";
import type { AudioOp, AudioSourceSchema, VideoOp } from "../../schema/media-av";
import type { InferResult } from "../../schema/runner";
import { InferenceError, NO_RUNNER } from "../inference/types";
import type { MediaPart } from "../inference/types";
import type { NodeContext } from "../registry/types";
import type { MediaRef } from "./refs";
import { mediaPart, outputRef } from "./runner-media";

/**
 * How audio and video nodes run: on the gpu-runner pool's `audio` and `video` kernels (schema/media-av.ts), never
 * in the engine. Inputs go as raw bytes (msgpack bin, no JSON) or as stored URIs the runner fetches itself
 * (runner-media.ts); results come back as bytes stored here as temporary media, or already stored by the
 * runner, so what flows between nodes is a reference (`{type: "audio" | "video" | "image", uri}`, plus the bytes when small).
 */
export interface MediaInput {
  value: unknown;
  /** How errors name it: `audio`, `frame 3`, ... */
  name: string;
  type: "audio" | "video" | "image";
}

type AvResult = Extract<InferResult, { kernel: "audio" | "video" }>;
type Output = AvResult["outputs"][number];

async function readInputs(ctx: NodeContext, inputs: MediaInput[]): Promise<MediaPart[]> {
  const media: MediaPart[] = [];
  for (const { value, name, type } of inputs) media.push(await mediaPart(ctx, value, `${ctx.nodeName}: ${name}`, type));
  return media;
}

function inferenceOf(ctx: NodeContext, what: string) {
  const inference = ctx.services.inference;
  if (!inference) throw new InferenceError(`${NO_RUNNER}: this run has no gpu-runner to process ${what} on (the server needs GPU_RUNNER_URLS)`, "unavailable");
  return inference;
}

/** Stores one kernel output and returns its reference; without media storage the bytes stay inline. */
export async function storeOutput(ctx: NodeContext, output: Output, type: "audio" | "video" | "image"): Promise<MediaRef> {
  const extra: Record<string, unknown> = {};
  if (type !== "image" && output.duration !== undefined) extra.duration = output.duration;
  return outputRef(ctx, output, type, extra);
}

/** One audio pipeline on the runner: the ops run in order on input 0 (or generated silence); the result is a WAV. */
export async function runAudioJob(ctx: NodeContext, inputs: MediaInput[], ops: AudioOp[], source?: z.input<typeof AudioSourceSchema>): Promise<MediaRef> {
  const inference = inferenceOf(ctx, "audio");
  const media = await readInputs(ctx, inputs);
  const result = await inference.infer({ kernel: "audio", media, ops, source: source ?? { kind: "input" } }, { signal: ctx.signal, onProgress: (p, t) => ctx.progress(p, t) });
  if (result.kernel !== "audio" || result.outputs.length !== 1) throw new InferenceError(`${ctx.nodeName}: the gpu-runner answered an audio request with a ${result.kernel} result`, "runner_failed");
  return storeOutput(ctx, result.outputs[0], "audio");
}

/** One video operation on the runner; the caller stores the outputs it needs. */
export async function runVideoJob(ctx: NodeContext, inputs: MediaInput[], op: VideoOp): Promise<Extract<InferResult, { kernel: "video" }>> {
  const inference = inferenceOf(ctx, "video");
  const media = await readInputs(ctx, inputs);
  const result = await inference.infer({ kernel: "video", media, op }, { signal: ctx.signal, onProgress: (p, t) => ctx.progress(p, t) });
  if (result.kernel !== "video") throw new InferenceError(`${ctx.nodeName}: the gpu-runner answered a video request with a ${result.kernel} result`, "runner_failed");
  return result;
}

/** A video operation with one media output (a video, a frame, the audio track), stored as a reference. */
export async function runVideoToRef(ctx: NodeContext, inputs: MediaInput[], op: VideoOp, type: "audio" | "video" | "image"): Promise<MediaRef> {
  const result = await runVideoJob(ctx, inputs, op);
  if (result.outputs.length !== 1) throw new InferenceError(`${ctx.nodeName}: the gpu-runner returned ${result.outputs.length} outputs instead of one`, "runner_failed");
  return storeOutput(ctx, result.outputs[0], type);
}

/** Whether a media property was left empty (NodeTool's `is_empty()`: no uri and no data). */
export function isEmptyMedia(value: unknown): boolean {
  if (value === null || value === undefined || value === "") return true;
  if (typeof value !== "object") return false;
  const ref = value as { uri?: unknown; data?: unknown };
  return (ref.uri === undefined || ref.uri === "" || ref.uri === null) && (ref.data === undefined || ref.data === null);
}
