import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Reference types whose values are files (docs/architecture.md#3-workflow-documents: `{type, uri, asset_id, data}`). */
const MEDIA_TYPES = new Set(["image", "audio", "video", "document", "model_3d"]);

export interface MediaRef {
  type: string;
  uri?: string;
  data?: unknown;
  asset_id?: string | null;
}

export function isMediaRef(v: unknown): v is MediaRef {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return typeof r.type === "string" && MEDIA_TYPES.has(r.type) && (r.data instanceof Uint8Array || typeof r.uri === "string" || typeof r.data === "string");
}

/** Extension by content (magic bytes), then by the data URI's MIME type, then by the reference type. */
export function extensionFor(bytes: Uint8Array, mime: string | undefined, type: string): string {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  const ascii = (at: number, s: string) => [...s].every((c, i) => bytes[at + i] === c.charCodeAt(0));
  if (starts(0x89, 0x50, 0x4e, 0x47)) return "png";
  if (starts(0xff, 0xd8, 0xff)) return "jpg";
  if (ascii(0, "GIF8")) return "gif";
  if (ascii(0, "RIFF") && ascii(8, "WEBP")) return "webp";
  if (ascii(0, "RIFF") && ascii(8, "WAVE")) return "wav";
  if (ascii(0, "ID3") || starts(0xff, 0xfb)) return "mp3";
  if (ascii(0, "OggS")) return "ogg";
  if (ascii(0, "fLaC")) return "flac";
  if (ascii(4, "ftyp")) return "mp4";
  if (ascii(0, "%PDF")) return "pdf";
  const fromMime: Record<string, string> = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/svg+xml": "svg",
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "video/mp4": "mp4",
    "application/pdf": "pdf",
    "text/plain": "txt",
    "text/markdown": "md",
    "text/html": "html",
    "application/json": "json",
  };
  if (mime && fromMime[mime]) return fromMime[mime];
  return { image: "png", audio: "wav", video: "mp4", document: "txt", model_3d: "glb" }[type] ?? "bin";
}

export function mimeFor(bytes: Uint8Array, type: string): string {
  const ext = extensionFor(bytes, undefined, type);
  const mimes: Record<string, string> = { png: "image/png", jpg: "image/jpeg", gif: "image/gif", webp: "image/webp", wav: "audio/wav", mp3: "audio/mpeg", ogg: "audio/ogg", flac: "audio/flac", mp4: "video/mp4", pdf: "application/pdf" };
  return mimes[ext] ?? "application/octet-stream";
}

function decodeDataUri(uri: string): { bytes: Uint8Array; mime?: string } | undefined {
  const m = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(uri);
  if (!m) return undefined;
  const bytes = m[2] ? Buffer.from(m[3], "base64") : Buffer.from(decodeURIComponent(m[3]), "utf8");
  return { bytes: new Uint8Array(bytes), mime: m[1] || undefined };
}

export type Fetcher = (url: string) => Promise<Uint8Array>;

/** The bytes of a media reference: raw `data`, a `data:` URI, or (with a fetcher) an http(s) or `asset://` URI. */
async function bytesOf(ref: MediaRef, fetcher: Fetcher | undefined): Promise<{ bytes: Uint8Array; mime?: string } | undefined> {
  if (ref.data instanceof Uint8Array) return { bytes: ref.data };
  if (typeof ref.data === "string" && ref.data.startsWith("data:")) return decodeDataUri(ref.data);
  if (typeof ref.uri === "string" && ref.uri.startsWith("data:")) return decodeDataUri(ref.uri);
  if (fetcher && typeof ref.uri === "string" && /^(https?|asset):\/\//.test(ref.uri)) return { bytes: await fetcher(ref.uri) };
  return undefined;
}

function safeStem(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "") || "output";
}

/** A path under `dir` that does not exist yet: `stem.ext`, else `stem-2.ext`, ... */
function freshPath(dir: string, stem: string, ext: string): string {
  let candidate = path.join(dir, `${stem}.${ext}`);
  for (let i = 2; existsSync(candidate); i++) candidate = path.join(dir, `${stem}-${i}.${ext}`);
  return candidate;
}

export interface SavedMedia {
  path: string;
  bytes: number;
}

/** Writes one media output to a new file under `dir`; undefined when its bytes are not reachable (then show its uri). */
export async function saveMedia(ref: MediaRef, stem: string, dir: string, fetcher?: Fetcher): Promise<SavedMedia | undefined> {
  const found = await bytesOf(ref, fetcher);
  if (!found) return undefined;
  mkdirSync(dir, { recursive: true });
  const file = freshPath(dir, safeStem(stem), extensionFor(found.bytes, found.mime, ref.type));
  writeFileSync(file, found.bytes);
  return { path: file, bytes: found.bytes.length };
}

/** JSON.stringify replacer: bytes become `data:` URIs, as the JSON wire format has them. */
export function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) {
    const holder = this as Record<string, unknown> | undefined;
    const type = holder && typeof holder.type === "string" ? holder.type : "";
    return `data:${mimeFor(value, type)};base64,${Buffer.from(value).toString("base64")}`;
  }
  return value;
}
