import type { MediaPart } from "../inference/types";
import type { NodeContext } from "../registry/types";
import { isRecord } from "../values/coerce";
import { MediaError } from "./blob-store";
import { InlineBytes, isDataUri } from "./data-uri";
import { type MediaRef, readMedia, saveMedia } from "./refs";

/**
 * How media reaches the gpu-runner kernels and comes back (docs/architecture.md#10-gpu-runner). Where the
 * host takes stored media by URI (`InferenceService.storedMedia`: the Worker), a stored input goes as its URI,
 * checked here first so a wrong one fails naming the input; the host then hands the runner a signed URL to
 * fetch it from, or reads it itself for a runner that cannot. Outputs a runner stored itself come back as a
 * storage URI. Elsewhere (tests, the CLI) bytes travel as before.
 */

/** The URI of a value that names stored media and carries no bytes of its own, else null. */
function storedUriOf(value: unknown): string | null {
  const uri = typeof value === "string" ? value : isRecord(value) ? value.uri : undefined;
  if (typeof uri !== "string" || uri === "" || isDataUri(uri)) return null;
  if (isRecord(value) && value.data !== undefined && value.data !== null) return null;
  return uri;
}

/** One media value as a kernel request carries it: bytes, or a stored URI when the host takes those. */
export async function mediaPart(ctx: NodeContext, value: unknown, what: string, type: string): Promise<MediaPart> {
  const uri = storedUriOf(value);
  const blobs = ctx.services.blobs;
  if (uri !== null && blobs && ctx.services.inference?.storedMedia) {
    try {
      return { uri: (await blobs.resolve(uri, ctx.signal)).uri };
    } catch (err) {
      if (err instanceof MediaError) throw new MediaError(`${what}: ${err.message}`, err.reason);
      throw err;
    }
  }
  return (await readMedia(value, ctx, what, type)).bytes;
}

/** What a kernel returns per output: bytes, or (`stored.uri`) an object the runner already put in storage. */
export interface KernelOutput {
  content_type: string;
  data: Uint8Array;
  stored?: { uri?: string };
}

/** The reference a node hands on for one kernel output; `extra` fields (duration, ...) are added to it. */
export async function outputRef(ctx: NodeContext, output: KernelOutput, type: string, extra: Record<string, unknown> = {}): Promise<MediaRef> {
  const blobs = ctx.services.blobs;
  if (output.stored) {
    const uri = output.stored.uri;
    if (!uri || !blobs) throw new MediaError(`${ctx.nodeName}: the gpu-runner stored an output where this run cannot read it`, "unavailable");
    try {
      const info = await blobs.resolve(uri, ctx.signal);
      return { type, uri: info.uri, asset_id: null, ...extra };
    } catch (err) {
      if (err instanceof MediaError) throw new MediaError(`${ctx.nodeName}: the gpu-runner's stored output: ${err.message}`, err.reason);
      throw err;
    }
  }
  if (!blobs) return { type, uri: "", asset_id: null, data: InlineBytes.wrap(output.data, output.content_type), ...extra };
  return { ...(await saveMedia(ctx, output.data, { type, contentType: output.content_type, kind: "temp" }, ctx.nodeName)), ...extra };
}
