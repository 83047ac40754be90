import type { NodeContext } from "../registry/types";
import { describe, isRecord } from "../values/coerce";
import { MediaError, type BlobContent } from "./blob-store";
import { DEFAULT_CONTENT_TYPE, effectiveContentType } from "./content-types";
import { InlineBytes, isDataUri, parseDataUri } from "./data-uri";

/**
 * Media references (`ImageRef`, `AudioRef`, ...) as they travel through a workflow and reach clients:
 * `{type, uri, asset_id, data}` (docs/architecture.md#3-workflow-documents). `uri` is `asset://<id>.<ext>`, a storage URL, a
 * `data:` URI or an http(s) URL; `data`, when set, holds the bytes themselves.
 */
export interface MediaRef {
  type: string;
  uri: string;
  asset_id?: string | null;
  data?: unknown;
  [key: string]: unknown;
}

/**
 * Saved media up to this size also carries its bytes as `data`: raw `bin` in MessagePack frames, a `data:` URI
 * in JSON. Larger media is a URL only, so a job's messages (logged, replayed, copied into D1 results) stay
 * small: at most a few copies of 64 KiB per output, never tens of MB. Inputs given inline (a `data:` URI or
 * bytes) above the same size are moved to temporary storage for the same reason.
 */
export const INLINE_MEDIA_BYTES = 64 * 1024;

/** A value given for a media property: a reference, or a bare URI string (NodeTool accepts both). */
export function toMediaRef(value: unknown, type: string, what: string): MediaRef {
  if (typeof value === "string") return { type, uri: value, asset_id: null };
  if (!isRecord(value)) throw new MediaError(`${what} must be a ${type} reference {type, uri} or a URI string, got ${describe(value)}`);
  const uri = value.uri ?? "";
  if (typeof uri !== "string") throw new MediaError(`${what}: uri must be a string, got ${describe(uri)}`);
  return { ...value, type: typeof value.type === "string" && value.type !== "" ? value.type : type, uri };
}

/** Inline bytes of a reference (`data` as bytes or a `data:` URI), or undefined when it carries none. */
function inlineContent(ref: MediaRef): BlobContent | undefined {
  const data = ref.data;
  if (data === undefined || data === null) return undefined;
  const declared = typeof ref.content_type === "string" ? ref.content_type : undefined;
  if (data instanceof InlineBytes) return { bytes: data, contentType: effectiveContentType(declared ?? data.contentType, data) };
  if (data instanceof Uint8Array) return { bytes: data, contentType: effectiveContentType(declared, data) };
  if (data instanceof ArrayBuffer) {
    const bytes = new Uint8Array(data);
    return { bytes, contentType: effectiveContentType(declared, bytes) };
  }
  if (isDataUri(data)) {
    const parsed = parseDataUri(data as string);
    return { bytes: parsed.bytes, contentType: effectiveContentType(parsed.contentType, parsed.bytes) };
  }
  throw new MediaError(`data must be bytes or a data: URI, got ${describe(data)}`);
}

function requireBlobs(ctx: NodeContext, uri: string, what: string) {
  const blobs = ctx.services.blobs;
  if (!blobs) {
    const shown = uri.length > 80 ? `${uri.slice(0, 77)}...` : uri;
    throw new MediaError(`${what}: cannot use '${shown}': this run has no media storage (only data: URIs and inline bytes work here)`, "unavailable");
  }
  return blobs;
}

function withMessage(err: unknown, what: string): Error {
  if (err instanceof MediaError) return new MediaError(`${what}: ${err.message}`, err.reason);
  if (err instanceof Error && err.name === "AbortError") return err;
  return new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`);
}

/** The bytes of a media reference, wherever they are: inline, a `data:` URI, or (through the blob store) storage. */
export async function readMedia(value: unknown, ctx: NodeContext, what: string, type = "media"): Promise<BlobContent> {
  let ref: MediaRef;
  try {
    ref = toMediaRef(value, type, what);
    const inline = inlineContent(ref);
    if (inline) return inline;
    if (ref.uri === "") throw new MediaError("no media was given (empty uri)");
    if (isDataUri(ref.uri)) {
      const parsed = parseDataUri(ref.uri);
      return { bytes: parsed.bytes, contentType: effectiveContentType(parsed.contentType, parsed.bytes) };
    }
  } catch (err) {
    throw withMessage(err, what);
  }
  const blobs = requireBlobs(ctx, ref.uri, what);
  try {
    const content = await blobs.read(ref.uri, ctx.signal);
    return { bytes: content.bytes, contentType: effectiveContentType(content.contentType, content.bytes, ref.uri.split("?")[0]) };
  } catch (err) {
    throw withMessage(err, what);
  }
}

/**
 * What a media input node hands on: the reference checked and normalised. Stored media is resolved (it must
 * exist and be the job user's) and named by its storage URL; inline media over INLINE_MEDIA_BYTES moves to
 * temporary storage when there is any; an empty reference passes through. Bytes are read later, by the nodes
 * that need them.
 */
export async function resolveMediaInput(value: unknown, type: string, ctx: NodeContext, what: string): Promise<unknown> {
  if (value === null || value === undefined) return value;
  let ref: MediaRef;
  let inline: BlobContent | undefined;
  try {
    ref = toMediaRef(value, type, what);
    inline = inlineContent(ref);
    if (!inline && isDataUri(ref.uri)) {
      const parsed = parseDataUri(ref.uri);
      inline = { bytes: parsed.bytes, contentType: effectiveContentType(parsed.contentType, parsed.bytes) };
    }
  } catch (err) {
    throw withMessage(err, what);
  }
  if (inline) {
    if (inline.bytes.length <= INLINE_MEDIA_BYTES || !ctx.services.blobs) {
      return ref.data !== undefined && ref.data !== null ? { ...ref, data: InlineBytes.wrap(inline.bytes, inline.contentType) } : ref;
    }
    let stored;
    try {
      stored = await ctx.services.blobs.write(inline.bytes, { contentType: inline.contentType, kind: "temp", nodeId: ctx.nodeId });
    } catch (err) {
      throw withMessage(err, what);
    }
    const { data: _data, ...rest } = ref;
    return { ...rest, uri: stored.uri, asset_id: null };
  }
  if (ref.uri === "") return ref;
  const blobs = requireBlobs(ctx, ref.uri, what);
  try {
    const info = await blobs.resolve(ref.uri, ctx.signal);
    return { ...ref, uri: info.uri, asset_id: info.assetId ?? null };
  } catch (err) {
    throw withMessage(err, what);
  }
}

export interface SaveMediaOptions {
  /** The reference's `type`: image, audio, video, document, text, ... */
  type: string;
  contentType: string;
  kind: "asset" | "temp";
  name?: string;
  parentId?: string | null;
}

/** Stores media produced by a node and returns its reference: `{type, uri, asset_id}`, plus `data` when small. */
export async function saveMedia(ctx: NodeContext, bytes: Uint8Array, options: SaveMediaOptions, what: string): Promise<MediaRef> {
  const blobs = ctx.services.blobs;
  if (!blobs) throw new MediaError(`${what}: this run has no media storage to save to`, "unavailable");
  let info;
  try {
    info = await blobs.write(bytes, {
      contentType: options.contentType || DEFAULT_CONTENT_TYPE,
      kind: options.kind,
      name: options.name,
      parentId: options.parentId,
      nodeId: ctx.nodeId,
    });
  } catch (err) {
    throw withMessage(err, what);
  }
  return {
    type: options.type,
    uri: info.uri,
    asset_id: info.assetId,
    ...(bytes.length <= INLINE_MEDIA_BYTES ? { data: InlineBytes.wrap(bytes, info.contentType ?? options.contentType) } : {}),
  };
}

/** The asset id of a `FolderRef` (`{type: "folder", asset_id}`), a bare id string, or null for "no folder". */
export function folderId(value: unknown): string | null {
  if (typeof value === "string") return value === "" ? null : value;
  if (isRecord(value) && typeof value.asset_id === "string" && value.asset_id !== "") return value.asset_id;
  return null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** NodeTool's file-name templates: `%Y %m %d %H %M %S` (UTC) and `%%`. */
export function formatName(template: string, nowMs: number): string {
  const d = new Date(nowMs);
  const fields: Record<string, string> = {
    Y: String(d.getUTCFullYear()),
    m: pad(d.getUTCMonth() + 1),
    d: pad(d.getUTCDate()),
    H: pad(d.getUTCHours()),
    M: pad(d.getUTCMinutes()),
    S: pad(d.getUTCSeconds()),
    "%": "%",
  };
  return template.replace(/%([YmdHMS%])/g, (_m, f: string) => fields[f]);
}
