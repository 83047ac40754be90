import { MediaError, type BlobContent } from "../../engine/media/blob-store";
import { bareContentType } from "../../engine/media/content-types";

/**
 * The fetch guard, for media from other hosts (ALLOW_REMOTE_MEDIA_FETCH) and the web nodes' outbound HTTP
 * (edge/web/http-service.ts). Only http(s), never a private, loopback, link-local, multicast or reserved
 * address, never a name that only resolves inside a network (`localhost`, `*.local`, `*.internal`,
 * single-label names) unless the operator allows that host:port; redirects are followed by hand so each hop
 * is checked again; the size is capped while streaming (MAX_UPLOAD_BYTES for media, FETCH_MAX_BYTES for the
 * web nodes).
 *
 * A Worker cannot resolve DNS itself, so a public name pointing at a private address is not caught here; on
 * Cloudflare, Workers' subrequests cannot reach private networks in the first place.
 */

function ipv4Octets(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

function blockedIpv4([a, b, c]: number[]): boolean {
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local (cloud metadata)
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && c === 0) || // IETF protocol assignments
    (a === 192 && b === 0 && c === 2) || // documentation
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a >= 224 // multicast, reserved, broadcast
  );
}

/** The 8 groups of an IPv6 address (the URL parser has already normalised it), or null. */
function ipv6Groups(host: string): number[] | null {
  if (!host.startsWith("[") || !host.endsWith("]")) return null;
  let text = host.slice(1, -1).toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const o = ipv4Octets(v4[1]);
    if (!o) return null;
    text = `${text.slice(0, -v4[1].length)}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const parse = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const t = parse(tail);
  const groups = text.includes("::") ? [...h, ...new Array(8 - h.length - t.length).fill(0), ...t] : h;
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

function blockedIpv6(g: number[]): boolean {
  const embeddedV4 = [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff];
  if (g.slice(0, 7).every((x) => x === 0)) return true; // :: and ::1 (and the deprecated ::a.b.c.d)
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return blockedIpv4(embeddedV4); // ::ffff:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b) return blockedIpv4(embeddedV4); // NAT64
  if ((g[0] & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((g[0] & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g[0] & 0xffc0) === 0xfec0) return true; // site-local (deprecated)
  if ((g[0] & 0xff00) === 0xff00) return true; // multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return true; // documentation
  return false;
}

const INTERNAL_SUFFIXES = [".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".localdomain", ".corp"];

/**
 * `host:port` pairs an operator allows despite the address checks (FETCH_ALLOW_HOSTS): a service on a private
 * network, or a loopback server in tests. The port is the URL's, or the scheme's default.
 */
export type AllowedHosts = ReadonlySet<string>;

function hostPort(url: URL): string {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.hostname.toLowerCase().replace(/\.$/, "")}:${port}`;
}

/** Why a URL may not be fetched, or null when it may. */
export function remoteUrlProblem(url: URL, allowed?: AllowedHosts): string | null {
  if (url.protocol !== "http:" && url.protocol !== "https:") return `only http and https URLs can be fetched, not ${url.protocol}`;
  if (url.username || url.password) return "URLs with credentials are not fetched";
  if (allowed?.has(hostPort(url))) return null;
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  const v4 = ipv4Octets(host);
  if (v4) return blockedIpv4(v4) ? `${host} is a private, loopback, link-local or reserved address` : null;
  const v6 = ipv6Groups(host);
  if (v6) return blockedIpv6(v6) ? `${host} is a private, loopback, link-local or reserved address` : null;
  if (host.startsWith("[")) return `${host} is not a valid address`;
  if (host === "localhost" || INTERNAL_SUFFIXES.some((s) => host.endsWith(s))) return `${host} is an internal host name`;
  if (!host.includes(".")) return `${host} is a single-label (internal) host name`;
  return null;
}

export type Fetcher = (input: string, init: RequestInit) => Promise<Response>;

export interface GuardedRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: BodyInit;
}

export interface GuardOptions {
  fetcher?: Fetcher;
  signal?: AbortSignal;
  maxRedirects?: number;
  allowed?: AllowedHosts;
  /** Builds the error thrown when a hop is refused or there are too many redirects (each caller has its own error type). */
  fail: (message: string, reason: "refused" | "redirects") => Error;
}

const SENSITIVE_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/**
 * Sends a request under the policy above, following redirects by hand so that every hop is checked again.
 * Like browsers, a 303 (and a 301/302 after a POST) continues as a GET without a body, and credentials are not
 * sent on to another origin. Resolves with the final response (its body unread) and the URL that gave it.
 */
export async function guardedFetch(raw: string, request: GuardedRequest, options: GuardOptions): Promise<{ response: Response; url: URL }> {
  const fetcher = options.fetcher ?? ((input, init) => fetch(input, init));
  let url = new URL(raw);
  let method = (request.method ?? "GET").toUpperCase();
  let body = request.body;
  let headers = { ...(request.headers ?? {}) };
  for (let hop = 0; ; hop++) {
    const problem = remoteUrlProblem(url, options.allowed);
    if (problem) throw options.fail(`refused to fetch ${url.origin}: ${problem}`, "refused");
    const response = await fetcher(url.toString(), { method, headers, body, redirect: "manual", signal: options.signal });
    const location = response.headers.get("Location");
    if (response.status < 300 || response.status >= 400 || location === null) return { response, url };
    await response.body?.cancel();
    if (hop >= (options.maxRedirects ?? 5)) throw options.fail(`too many redirects fetching ${raw}`, "redirects");
    const next = new URL(location, url);
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
      if (method !== "HEAD") method = "GET";
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== "content-type"));
    }
    if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !SENSITIVE_HEADERS.includes(k.toLowerCase())));
    url = next;
  }
}

/** Reads a response body, stopping (and cancelling the stream) as soon as it grows past `maxBytes`. */
export async function readCapped(res: Response, maxBytes: number, tooLarge: () => Error): Promise<Uint8Array> {
  const declared = Number(res.headers.get("Content-Length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  return bytes;
}

/** Fetches a remote file under the policy above; every hop of a redirect is checked again. */
export async function fetchRemote(
  raw: string,
  options: { maxBytes: number; signal?: AbortSignal; fetcher?: Fetcher; maxRedirects?: number },
): Promise<BlobContent> {
  const { response: res, url } = await guardedFetch(
    raw,
    { headers: { Accept: "*/*" } },
    { ...options, fail: (message, reason) => new MediaError(message, reason === "refused" ? "refused" : "invalid") },
  );
  if (!res.ok) {
    await res.body?.cancel();
    throw new MediaError(`fetching ${url.origin}${url.pathname} answered ${res.status}`, res.status === 404 ? "not_found" : "unavailable");
  }
  const bytes = await readCapped(res, options.maxBytes, () => new MediaError(`the remote file is larger than ${options.maxBytes} bytes (MAX_UPLOAD_BYTES)`, "too_large"));
  return { bytes, contentType: bareContentType(res.headers.get("Content-Type")) || "application/octet-stream" };
}
