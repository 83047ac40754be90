import type { ImageOp, ImageSource } from "../../schema/image-ops";
import { InferenceError, NO_RUNNER } from "../inference/types";
import type { NodeContext } from "../registry/types";
import type { MediaPart } from "../inference/types";
import type { MediaRef } from "./refs";
import { mediaPart, outputRef } from "./runner-media";

/**
 * How image nodes run their pixels: on the gpu-runner pool (the `image` kernel, schema/image-ops.ts), never in
 * the engine. Inputs go as raw bytes (msgpack bin, no base64, no JSON) or, where the host takes them, as
 * stored URIs the runner fetches itself (runner-media.ts); results come back as bytes, stored here as
 * temporary media, or already stored by the runner, so what flows between nodes is a reference
 * (`{type: "image", uri}`, plus the bytes when small). A run without media storage keeps the result inline.
 */
export interface ImageJob {
  /** Media values of the input images, by index (ops name them by it), with the name used in errors. */
  images?: Array<{ value: unknown; name: string }>;
  /** A generated starting image (solid colour, noise, SVG) instead of inputs[0]. */
  source?: ImageSource;
  ops: ImageOp[];
  finish?: { kind: "image" } | { kind: "slice_grid"; columns: number; rows: number } | { kind: "combine_grid"; columns: number };
}

export async function runImageJob(ctx: NodeContext, job: ImageJob): Promise<MediaRef[]> {
  const inference = ctx.services.inference;
  if (!inference) throw new InferenceError(`${NO_RUNNER}: this run has no gpu-runner to process images on (the server needs GPU_RUNNER_URLS)`, "unavailable");
  const images: MediaPart[] = [];
  for (const { value, name } of job.images ?? []) images.push(await mediaPart(ctx, value, `${ctx.nodeName}: ${name}`, "image"));
  const result = await inference.infer(
    { kernel: "image", images, source: job.source, ops: job.ops, finish: job.finish ?? { kind: "image" } },
    { signal: ctx.signal, onProgress: (progress, total) => ctx.progress(progress, total) },
  );
  if (result.kernel !== "image") throw new InferenceError(`${ctx.nodeName}: the gpu-runner answered an image request with a ${result.kernel} result`, "runner_failed");
  const refs: MediaRef[] = [];
  for (const image of result.images) refs.push(await outputRef(ctx, image, "image"));
  return refs;
}

/** The one image of a job that produces one. */
export async function runImageOps(ctx: NodeContext, images: ImageJob["images"], ops: ImageOp[], source?: ImageSource): Promise<MediaRef> {
  const [image] = await runImageJob(ctx, { images, ops, source });
  return image;
}

/** A NodeTool ColorRef ({type: "color", value}) or a bare string, as a #rrggbb colour. */
export function colorValue(value: unknown, fallback: string): string {
  const raw = typeof value === "object" && value !== null && "value" in value ? (value as { value: unknown }).value : value;
  const text = typeof raw === "string" && raw.trim() !== "" ? raw.trim() : fallback;
  if (!/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/.test(text)) throw new TypeError(`color must be a hex colour like #ff8800, got ${JSON.stringify(raw)}`);
  return text;
}

/** A NodeTool FontRef ({type: "font", name}) or a bare name. */
export function fontName(value: unknown, fallback: string): string {
  const raw = typeof value === "object" && value !== null && "name" in value ? (value as { name: unknown }).name : value;
  return typeof raw === "string" && raw.trim() !== "" ? raw.trim() : fallback;
}

/** A number property within bounds (NodeTool's ge/le), or a node error naming it. */
export function numberIn(inputs: Record<string, unknown>, name: string, fallback: number, min: number, max: number, integer = false): number {
  const raw = inputs[name] ?? fallback;
  const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new RangeError(`${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
