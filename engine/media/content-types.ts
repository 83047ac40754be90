/**
 * File extensions and content types, shared by the engine (naming saved media) and the edge (the
 * `Content-Type` of storage responses comes from the key's extension).
 */
const BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  bmp: "image/bmp",
  svg: "image/svg+xml",
  ico: "image/x-icon",
  tif: "image/tiff",
  tiff: "image/tiff",
  avif: "image/avif",
  heic: "image/heic",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  oga: "audio/ogg",
  opus: "audio/opus",
  flac: "audio/flac",
  m4a: "audio/mp4",
  aac: "audio/aac",
  mp4: "video/mp4",
  m4v: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime",
  mkv: "video/x-matroska",
  avi: "video/x-msvideo",
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  js: "text/javascript",
  xml: "application/xml",
  json: "application/json",
  jsonl: "application/jsonl",
  yaml: "application/yaml",
  yml: "application/yaml",
  zip: "application/zip",
  gz: "application/gzip",
  tar: "application/x-tar",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  rtf: "application/rtf",
  epub: "application/epub+zip",
  parquet: "application/vnd.apache.parquet",
  onnx: "application/octet-stream",
  bin: "application/octet-stream",
  glb: "model/gltf-binary",
  gltf: "model/gltf+json",
  obj: "model/obj",
  stl: "model/stl",
  wasm: "application/wasm",
};

/** The extension each content type is saved under (the first extension that maps to it wins). */
const BY_CONTENT_TYPE: Record<string, string> = {};
for (const [ext, type] of Object.entries(BY_EXTENSION)) BY_CONTENT_TYPE[type] ??= ext;
Object.assign(BY_CONTENT_TYPE, { "audio/x-wav": "wav", "audio/wave": "wav", "audio/mp3": "mp3", "image/jpg": "jpg", "text/json": "json" });

export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/** The lower-case extension of a file name or key (`""` when there is none). */
export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
}

/** The content type a file name or storage key stands for, by its extension. */
export function contentTypeForName(name: string): string {
  return BY_EXTENSION[extensionOf(name)] ?? DEFAULT_CONTENT_TYPE;
}

/** The bare media type of a `Content-Type` value: lower case, without parameters. */
export function bareContentType(contentType: string | null | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/** The extension a file of this content type is stored under; `bin` when unknown. */
export function extensionForContentType(contentType: string): string {
  return BY_CONTENT_TYPE[bareContentType(contentType)] ?? "bin";
}

/** NodeTool's media family of a content type: the `type` of its reference. */
export function mediaFamily(contentType: string): "image" | "audio" | "video" | "text" | "document" {
  const t = bareContentType(contentType);
  if (t.startsWith("image/")) return "image";
  if (t.startsWith("audio/")) return "audio";
  if (t.startsWith("video/")) return "video";
  if (t.startsWith("text/")) return "text";
  return "document";
}

const startsWith = (bytes: Uint8Array, prefix: number[], at = 0) => prefix.every((b, i) => bytes[at + i] === b);
const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));

/** The content type of well-known formats by their leading bytes, or undefined. */
export function sniffContentType(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a") return "image/gif";
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") return "image/webp";
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WAVE") return "audio/wav";
  if (ascii(bytes, 0, 2) === "BM" && bytes.length > 26) return "image/bmp";
  if (ascii(bytes, 0, 5) === "%PDF-") return "application/pdf";
  if (ascii(bytes, 0, 4) === "OggS") return "audio/ogg";
  if (ascii(bytes, 0, 4) === "fLaC") return "audio/flac";
  if (ascii(bytes, 0, 3) === "ID3") return "audio/mpeg";
  if (ascii(bytes, 4, 4) === "ftyp") return "video/mp4";
  return undefined;
}

/** A usable content type: the declared one unless it is missing or generic, then the sniffed or named one. */
export function effectiveContentType(declared: string | null | undefined, bytes: Uint8Array, name = ""): string {
  const bare = bareContentType(declared);
  if (bare && bare !== DEFAULT_CONTENT_TYPE) return bare;
  return sniffContentType(bytes) ?? (name ? contentTypeForName(name) : DEFAULT_CONTENT_TYPE);
}
