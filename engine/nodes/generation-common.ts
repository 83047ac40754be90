/**
 * What the generation node packs (generation.ts, generation-audio.ts, openai.ts) share: the media service,
 * NodeTool model values, bounded numeric properties, and storing what a provider made through the blob store.
 */
import { extensionForContentType } from "../media/content-types";
import { formatName, readMedia, saveMedia, type MediaRef } from "../media/refs";
import type { MediaBytes, MediaModelRef, MediaService } from "../providers/media/types";
import type { NodeContext } from "../registry/types";
import { isRecord, toNumber, toText } from "../values/coerce";

export const emptyMedia = (type: string) => ({ type, uri: "", asset_id: null, data: null, metadata: null });

export function mediaOf(ctx: NodeContext): MediaService {
  const media = ctx.services.media;
  if (!media) throw new Error("No generation provider is available to this run (configure OPENAI_API_KEY, OPENAI_BASE_URL or CHAT_PROVIDERS)");
  return media;
}

/** NodeTool's `{type, provider, id, ...}` model value (or a bare model id) as what the media service routes. */
export function modelRef(value: unknown): MediaModelRef {
  if (typeof value === "string") return { id: value };
  if (!isRecord(value)) return {};
  return { provider: typeof value.provider === "string" ? value.provider : null, id: typeof value.id === "string" ? value.id : null };
}

/** A number property within NodeTool's bounds (Pydantic's ge/le): out of range fails the node. */
export function bounded(value: unknown, what: string, min: number, max: number, integer = false): number {
  const n = toNumber(value, what);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new Error(`${what} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got ${toText(value)}`);
  }
  return n;
}

/** NodeTool's `timeout_seconds` (0: the provider's default) in milliseconds. */
export function timeoutMs(value: unknown, max: number): number | undefined {
  const s = bounded(value ?? 0, "timeout_seconds", 0, max, true);
  return s > 0 ? s * 1000 : undefined;
}

export function isSetMedia(value: unknown): boolean {
  if (typeof value === "string") return value !== "";
  if (!isRecord(value)) return false;
  return (typeof value.uri === "string" && value.uri !== "") || (value.data !== null && value.data !== undefined && value.data !== "");
}

/** The bytes of a media input that must be set. */
export async function requiredMedia(value: unknown, ctx: NodeContext, what: string, type: string): Promise<MediaBytes> {
  if (!isSetMedia(value)) throw new Error(`${what} is required`);
  return readMedia(value, ctx, what, type);
}

/**
 * Stores generated media as an asset of the job's user, as NodeTool's generation nodes auto-save theirs, and
 * returns its reference (with the bytes inline only when small).
 */
export function saveGenerated(ctx: NodeContext, media: MediaBytes, type: "image" | "audio" | "video", what: string): Promise<MediaRef> {
  const base = ctx.nodeType.slice(ctx.nodeType.lastIndexOf(".") + 1);
  const name = `${base}_${formatName("%Y-%m-%d_%H-%M-%S", ctx.services.now())}.${extensionForContentType(media.contentType)}`;
  return saveMedia(ctx, media.bytes, { type, contentType: media.contentType, kind: "asset", name }, what);
}

/** Tells the user which NodeTool properties the provider protocol has no counterpart for, when they were changed. */
export function warnIgnored(ctx: NodeContext, changed: string[], protocol: string): void {
  if (changed.length > 0) ctx.log(`${changed.join(", ")}: not supported by ${protocol}; ignored`, "warning");
}

/** The element-wise mean of equally long vectors (NodeTool averages the embeddings of a text's chunks). */
export function meanVector(vectors: number[][]): number[] {
  if (vectors.length === 0) throw new Error("no embeddings were returned");
  const dim = vectors[0].length;
  const out = new Array<number>(dim).fill(0);
  for (const v of vectors) {
    if (v.length !== dim) throw new Error(`the provider returned embeddings of different lengths (${dim} and ${v.length})`);
    for (let i = 0; i < dim; i++) out[i] += v[i];
  }
  return out.map((x) => x / vectors.length);
}

/** NodeTool's NPArray of a 1-D float64 vector (what `NPArray.from_numpy(np.mean(...))` gives). */
export function npVector(values: number[]): { type: "np_array"; value: number[]; dtype: string; shape: number[] } {
  return { type: "np_array", value: values, dtype: "<f8", shape: [values.length] };
}

/** A text cut into pieces of `size` code points (Python slicing), as NodeTool's Embedding chunks its input. */
export function chunkText(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}

/**
 * Embeds a text as NodeTool's Embedding nodes do: cut into `chunkSize` pieces, embedded through the
 * embeddings service (engine/embeddings/client.ts), averaged. An empty model means the server's default.
 */
export async function embedAveraged(ctx: NodeContext, model: MediaModelRef, input: string, chunkSize: number): Promise<number[]> {
  const embeddings = ctx.services.embeddings;
  if (!embeddings) throw new Error("No embedding provider is available to this run (configure OPENAI_API_KEY, OPENAI_BASE_URL or CHAT_PROVIDERS)");
  let name = "";
  if ((model.provider ?? "") !== "" && model.provider !== "empty") {
    // Routed here first, so that a provider this server lacks is named in the error, not sent as part of a model id.
    const route = ctx.services.media?.route("embedding", model);
    name = route ? `${route.provider}:${route.model}` : `${model.provider}:${model.id ?? ""}`;
  } else if (model.id) {
    name = model.id;
  }
  return meanVector(await embeddings.embed(name, chunkText(input, chunkSize), ctx.signal));
}
