import { contentTypeForName } from "../../engine/media/content-types";
import { ApiError } from "../errors/api-error";

/**
 * Serving one R2 object over HTTP: `Content-Type` from the key's extension, `Content-Length`,
 * `Last-Modified`, `ETag`, `Accept-Ranges`; single byte ranges (`a-b`, `a-`, `-n`) as 206 with
 * `Content-Range`, unsatisfiable ones as 416 with a `Content-Range` giving the size; `If-None-Match` and
 * `If-Modified-Since` as 304; `If-Range`. A plain GET costs one R2 read; a ranged or conditional one a
 * metadata read first, and the ranged read is pinned to the ETag it was planned against.
 */
export interface ServeOptions {
  /** An object this says is expired reads as missing (temp retention). */
  isExpired?: (object: R2Object) => boolean;
  /** Sent as `Content-Disposition: attachment` (downloads). */
  downloadName?: string;
  /** What to call the object in a 404. */
  what?: string;
}

type ByteRange = { offset: number; length: number };

/** Parses a `Range` header against the size: a range, "unsatisfiable", or null to serve the whole object. */
export function parseRange(header: string | null, size: number): ByteRange | "unsatisfiable" | null {
  if (header === null) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  // Another unit, several ranges or bad syntax: RFC 9110 lets a server ignore the header.
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const first = Number(m[1]);
  if (m[2] !== "" && Number(m[2]) < first) return null;
  if (first >= size) return "unsatisfiable";
  const last = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  return { offset: first, length: last - first + 1 };
}

function etagList(header: string): string[] {
  return header.split(",").map((t) => t.trim()).filter(Boolean);
}

const weakless = (tag: string) => tag.replace(/^W\//, "");

/** `If-None-Match` (weak comparison) and, when it is absent, `If-Modified-Since`: true means 304. */
export function notModified(headers: Headers, object: R2Object): boolean {
  const inm = headers.get("If-None-Match");
  if (inm !== null) {
    const tags = etagList(inm);
    return tags.includes("*") || tags.some((t) => weakless(t) === weakless(object.httpEtag));
  }
  const ims = headers.get("If-Modified-Since");
  if (ims !== null) {
    const since = Date.parse(ims);
    // HTTP dates have whole seconds.
    if (!Number.isNaN(since)) return Math.floor(object.uploaded.getTime() / 1000) * 1000 <= since;
  }
  return false;
}

/** `If-Range`: the range applies only while the object is the one the client has (strong ETag or exact date). */
function rangeStillApplies(headers: Headers, object: R2Object): boolean {
  const ifRange = headers.get("If-Range");
  if (ifRange === null) return true;
  const value = ifRange.trim();
  if (value.startsWith('"')) return value === object.httpEtag;
  if (value.startsWith("W/")) return false;
  const date = Date.parse(value);
  return !Number.isNaN(date) && Math.floor(object.uploaded.getTime() / 1000) * 1000 === date;
}

function baseHeaders(key: string, object: R2Object, options: ServeOptions): Headers {
  const headers = new Headers({
    "Content-Type": contentTypeForName(key),
    "Last-Modified": object.uploaded.toUTCString(),
    ETag: object.httpEtag,
    "Accept-Ranges": "bytes",
    // User files are served from the API's origin: never sniffed, and never able to run script there.
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
  });
  if (options.downloadName !== undefined) {
    const ascii = options.downloadName.replace(/[^\x20-\x7e]|["\\]/g, "_");
    headers.set("Content-Disposition", `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(options.downloadName)}`);
  }
  return headers;
}

function notFound(options: ServeOptions): ApiError {
  return ApiError.notFound(options.what ?? "Object");
}

/** Answers a GET or HEAD for one object of the bucket. */
export async function serveObject(bucket: R2Bucket, key: string, request: Request, options: ServeOptions = {}): Promise<Response> {
  const head = request.method === "HEAD";
  const h = request.headers;
  // Objects that can expire are checked before their body is opened.
  const planned = head || options.isExpired !== undefined || h.has("Range") || h.has("If-None-Match") || h.has("If-Modified-Since");

  if (!planned) {
    // The common case: one read, streamed straight through.
    const object = await bucket.get(key);
    if (!object) throw notFound(options);
    const headers = baseHeaders(key, object, options);
    headers.set("Content-Length", String(object.size));
    return new Response(object.body, { status: 200, headers });
  }

  for (let attempt = 0; ; attempt++) {
    const meta = await bucket.head(key);
    if (!meta || options.isExpired?.(meta)) throw notFound(options);
    const headers = baseHeaders(key, meta, options);
    if (notModified(h, meta)) {
      headers.delete("Content-Type");
      return new Response(null, { status: 304, headers });
    }
    const range = rangeStillApplies(h, meta) ? parseRange(h.get("Range"), meta.size) : null;
    if (range === "unsatisfiable") {
      headers.set("Content-Range", `bytes */${meta.size}`);
      headers.set("Content-Type", "application/json");
      const body = new ApiError("invalid_request", `Range not satisfiable: the object has ${meta.size} bytes`).toBody();
      body.error.code = 416;
      return new Response(head ? null : JSON.stringify(body), { status: 416, headers });
    }
    const status = range ? 206 : 200;
    if (range) headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${meta.size}`);
    headers.set("Content-Length", String(range ? range.length : meta.size));
    if (head) return new Response(null, { status, headers });

    const object = await bucket.get(key, { ...(range ? { range } : {}), onlyIf: { etagMatches: meta.etag } });
    if (!object) throw notFound(options);
    if (!("body" in object)) {
      // Replaced between the two reads: plan again against the new object (once; then give up honestly).
      if (attempt === 0) continue;
      throw new ApiError("conflict", "The object changed while it was being read; retry");
    }
    return new Response((object as R2ObjectBody).body, { status, headers });
  }
}
