import { ApiError } from "../errors/api-error";

/**
 * A streaming `multipart/form-data` parser (RFC 7578): parts are handed to their sinks chunk by chunk as
 * the body arrives, so an uploaded file never has to fit in memory. Only a small tail that could be the
 * start of a boundary is held back between chunks.
 */
export interface PartInfo {
  name: string;
  filename?: string;
  contentType?: string;
}

export interface PartSink {
  write(chunk: Uint8Array): void | Promise<void>;
  end(): void | Promise<void>;
}

const CR = 13;
const LF = 10;
const DASH = 45;
const MAX_HEADER_BYTES = 16 * 1024;

export function malformed(why: string): ApiError {
  return new ApiError("invalid_request", `Malformed multipart body: ${why}`);
}

/** The boundary of a `multipart/form-data` Content-Type, or null when the type is something else. */
export function multipartBoundary(contentType: string | null | undefined): string | null {
  if (!contentType || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(first, from); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** `name="a"; filename="b.png"` (quoted or token values, `filename*=UTF-8''...`). */
function dispositionParams(value: string): Record<string, string> {
  const params: Record<string, string> = {};
  const re = /;\s*([A-Za-z0-9_*.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const key = m[1].toLowerCase();
    let v = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3].trim();
    if (key.endsWith("*")) {
      const ext = /^([^']*)'[^']*'(.*)$/.exec(v);
      try {
        v = ext ? decodeURIComponent(ext[2]) : v;
      } catch {
        continue;
      }
      params[key.slice(0, -1)] = v;
    } else {
      params[key] ??= v;
    }
  }
  return params;
}

function parseHeaders(block: Uint8Array): PartInfo {
  const text = new TextDecoder().decode(block);
  let name: string | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of text.split("\r\n")) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw malformed(`bad part header line '${line.slice(0, 40)}'`);
    const header = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (header === "content-disposition") {
      if (!/^form-data\b/i.test(value)) throw malformed("a part's Content-Disposition is not form-data");
      const params = dispositionParams(value.slice(value.indexOf(";") < 0 ? value.length : value.indexOf(";")));
      name = params.name;
      filename = params.filename;
    } else if (header === "content-type") {
      contentType = value;
    }
  }
  if (name === undefined) throw malformed("a part has no Content-Disposition name");
  return { name, filename, contentType };
}

/**
 * Reads `body` to its closing boundary, calling `onPart` at each part's start and feeding its sink. Sinks
 * may be async; the next chunk is read only once they are done (backpressure). Throws a 400 ApiError for a
 * malformed body; whatever a sink or `onPart` throws passes through.
 */
export async function parseMultipart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  onPart: (part: PartInfo) => PartSink | Promise<PartSink>,
): Promise<void> {
  const encoder = new TextEncoder();
  const dashBoundary = encoder.encode(`--${boundary}`);
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const reader = body.getReader();
  let buf: Uint8Array = new Uint8Array(0);
  let ended = false;
  let state: "preamble" | "after-boundary" | "headers" | "body" | "done" = "preamble";
  let sink: PartSink | null = null;

  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const { done, value } = await reader.read();
    if (done) {
      ended = true;
      return false;
    }
    buf = concat(buf, value);
    return true;
  };

  try {
    while (state !== "done") {
      if (state === "preamble") {
        // The first boundary opens the body, or ends a preamble (which is ignored) after a CRLF.
        if (buf.length >= dashBoundary.length && indexOf(buf.subarray(0, dashBoundary.length), dashBoundary) === 0) {
          buf = buf.subarray(dashBoundary.length);
          state = "after-boundary";
          continue;
        }
        const at = buf.length >= dashBoundary.length ? indexOf(buf, delimiter) : -1;
        if (at !== -1) {
          buf = buf.subarray(at + delimiter.length);
          state = "after-boundary";
          continue;
        }
        if (buf.length > MAX_HEADER_BYTES) buf = buf.subarray(buf.length - delimiter.length);
        if (!(await more())) throw malformed("no opening boundary");
      } else if (state === "after-boundary") {
        // `--` closes the body; otherwise optional whitespace, then CRLF and the next part's headers.
        let i = 0;
        while (i < buf.length && (buf[i] === 32 || buf[i] === 9)) i++;
        if (buf.length < i + 2) {
          if (!(await more())) throw malformed("unexpected end after a boundary");
          continue;
        }
        if (buf[0] === DASH && buf[1] === DASH) {
          state = "done";
        } else if (buf[i] === CR && buf[i + 1] === LF) {
          buf = buf.subarray(i + 2);
          state = "headers";
        } else {
          throw malformed("a boundary is followed by neither CRLF nor '--'");
        }
      } else if (state === "headers") {
        let headerEnd: number;
        let skip: number;
        if (buf.length >= 2 && buf[0] === CR && buf[1] === LF) {
          headerEnd = 0;
          skip = 2;
        } else {
          headerEnd = indexOf(buf, encoder.encode("\r\n\r\n"));
          skip = 4;
        }
        if (headerEnd === -1 || buf.length < 2) {
          if (buf.length > MAX_HEADER_BYTES) throw malformed(`part headers longer than ${MAX_HEADER_BYTES} bytes`);
          if (!(await more())) throw malformed("unexpected end in part headers");
          continue;
        }
        const info = parseHeaders(buf.subarray(0, headerEnd));
        buf = buf.subarray(headerEnd + skip);
        sink = await onPart(info);
        state = "body";
      } else {
        const at = indexOf(buf, delimiter);
        if (at !== -1) {
          if (at > 0) await sink!.write(buf.subarray(0, at));
          await sink!.end();
          sink = null;
          buf = buf.subarray(at + delimiter.length);
          state = "after-boundary";
          continue;
        }
        // Everything but a tail that could be the start of the delimiter belongs to the part.
        const safe = buf.length - (delimiter.length - 1);
        if (safe > 0) {
          const chunk = buf.subarray(0, safe);
          buf = buf.subarray(safe);
          await sink!.write(chunk);
        }
        if (!(await more())) throw malformed("unexpected end in a part (no closing boundary)");
      }
    }
  } finally {
    // The epilogue after the closing boundary (usually a CRLF) is read and dropped, so the body ends normally;
    // a body that keeps going, or one abandoned on an error, is cancelled.
    let drained = 0;
    while (state === "done" && !ended && drained <= MAX_HEADER_BYTES) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) ended = true;
      else drained += value!.length;
    }
    if (!ended) await reader.cancel().catch(() => undefined);
  }
}
