import { DEFAULT_CONTENT_TYPE } from "./content-types";

/** `data:` URIs (RFC 2397): how JSON clients send media inline, and how JSON surfaces show bytes. */

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  // Chunked: String.fromCharCode with a huge spread overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function base64ToBytes(text: string): Uint8Array {
  // Accept base64url and missing padding as well as the standard alphabet; whitespace is ignored.
  let normalized = text.replace(/[\s]/g, "").replace(/-/g, "+").replace(/_/g, "/");
  if (normalized.length % 4 === 1) throw new Error("invalid base64 data");
  while (normalized.length % 4 !== 0) normalized += "=";
  let binary: string;
  try {
    binary = atob(normalized);
  } catch {
    throw new Error("invalid base64 data");
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function isDataUri(uri: unknown): boolean {
  return typeof uri === "string" && /^data:/i.test(uri);
}

export function toDataUri(bytes: Uint8Array, contentType = DEFAULT_CONTENT_TYPE): string {
  return `data:${contentType};base64,${bytesToBase64(bytes)}`;
}

/** Percent-decodes to bytes: `%XX` is one byte, any other character its UTF-8 encoding. */
function percentDecodeBytes(text: string): Uint8Array {
  const out: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "%" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const code = text.codePointAt(i)!;
      if (code > 0xffff) i++;
      for (const b of encoder.encode(String.fromCodePoint(code))) out.push(b);
    }
  }
  return Uint8Array.from(out);
}

/** Decodes a `data:` URI into its bytes and content type (`text/plain` when it names none, as RFC 2397 says). */
export function parseDataUri(uri: string): { bytes: Uint8Array; contentType: string } {
  if (!isDataUri(uri)) throw new Error("not a data: URI");
  const comma = uri.indexOf(",");
  if (comma < 0) throw new Error("malformed data: URI (no ',' before the data)");
  const params = uri.slice(5, comma).split(";").map((p) => p.trim());
  const base64 = params.length > 1 && params[params.length - 1].toLowerCase() === "base64";
  if (base64) params.pop();
  const mime = params[0] ? params[0].toLowerCase() : "text/plain";
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(mime)) throw new Error(`malformed data: URI (bad media type '${params[0]}')`);
  const payload = uri.slice(comma + 1);
  const bytes = base64 ? base64ToBytes(decodeURIComponentSafe(payload)) : percentDecodeBytes(payload);
  return { bytes, contentType: mime };
}

/** Base64 payloads are sometimes percent-encoded (`%2B` for `+`); decode those, leave anything else alone. */
function decodeURIComponentSafe(text: string): string {
  if (!text.includes("%")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Bytes that know their content type. Being a Uint8Array, they travel as raw `bin` in MessagePack (the job
 * log, binary WebSocket frames); `toJSON` makes every JSON rendering of them (SSE, NDJSON, text frames, result
 * bodies, D1 rows) a `data:` URI of that type rather than an object of numbered bytes.
 */
export class InlineBytes extends Uint8Array {
  #contentType = DEFAULT_CONTENT_TYPE;

  static wrap(bytes: Uint8Array, contentType: string): InlineBytes {
    const inline = new InlineBytes(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
    inline.#contentType = contentType || DEFAULT_CONTENT_TYPE;
    return inline;
  }

  get contentType(): string {
    return this.#contentType;
  }

  toJSON(): string {
    return toDataUri(this, this.#contentType);
  }
}
