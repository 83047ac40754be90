/**
 * Capability URLs for media by reference (schema/runner.ts BlobInputSchema, OutputUploadSchema): paths on
 * the edge, `/api/runner/blobs/<object key>?exp=<unix seconds>&sig=<base64url>`, that let a gpu-runner read
 * one object (GET) or write the outputs of one request below one prefix (PUT), until `exp`.
 *
 * The signature is HMAC-SHA256 over `METHOD \n scope \n exp`, where scope is the object key for a GET and
 * the key's folder (`.../`) for a PUT. Its key is derived from GPU_RUNNER_TOKEN with HKDF (a fixed label),
 * not a new secret to configure: the routes require the runner token as well, so the signature's job is not
 * to authenticate runners (a runner holds the token and could derive the key) but to scope a runner's access
 * to the keys of the request it was given, for a bounded time, without any state on the edge (no grant rows,
 * no Durable Object round trip). A URL that leaks into a log is useless without the token and dead after
 * `exp`; a runner bug cannot read or overwrite another job's objects by accident; rotating the token
 * invalidates every outstanding URL. Deriving (rather than using the token itself) keeps the token out of
 * any HMAC input an observer might see outputs of.
 */
export type BlobMethod = "GET" | "PUT";

export const BLOB_ROUTE_PREFIX = "/api/runner/blobs/";
const LABEL = new TextEncoder().encode("nodetool-edge/runner-blob-url/v1");
/** What a runner may name an output below a PUT prefix: `<index>.<ext>`. */
export const OUTPUT_NAME = /^[0-9]{1,4}\.[a-z0-9]{1,10}$/;

const keys = new Map<string, Promise<CryptoKey>>();

function signingKey(token: string): Promise<CryptoKey> {
  let key = keys.get(token);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", new TextEncoder().encode(token), "HKDF", false, ["deriveKey"])
      .then((base) =>
        crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: LABEL }, base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign", "verify"]),
      );
    keys.set(token, key);
  }
  return key;
}

const message = (method: BlobMethod, scope: string, exp: number) => new TextEncoder().encode(`${method}\n${scope}\n${exp}`);

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The route path of an object key, each segment percent-encoded (the route decodes it exactly once). */
export function blobPath(objectKey: string): string {
  return `${BLOB_ROUTE_PREFIX}${objectKey.split("/").map(encodeURIComponent).join("/")}`;
}

/** What a signature covers for a request on `objectKey`: the key itself (GET) or its folder (PUT). */
export function scopeOf(method: BlobMethod, objectKey: string): string {
  return method === "GET" ? objectKey : objectKey.slice(0, objectKey.lastIndexOf("/") + 1);
}

async function sign(token: string, method: BlobMethod, scope: string, exp: number): Promise<string> {
  const sig = await crypto.subtle.sign("HMAC", await signingKey(token), message(method, scope, exp));
  return base64url(new Uint8Array(sig));
}

/** A GET capability for one object, valid until `exp` (unix seconds). */
export async function signedGetPath(token: string, objectKey: string, exp: number): Promise<string> {
  return `${blobPath(objectKey)}?exp=${exp}&sig=${await sign(token, "GET", objectKey, exp)}`;
}

/** A PUT capability for outputs below `prefix` (a key ending in `/`): a template with `{name}` to fill in. */
export async function signedPutTemplate(token: string, prefix: string, exp: number): Promise<string> {
  if (!prefix.endsWith("/")) throw new Error("a PUT prefix ends with '/'");
  return `${blobPath(prefix.slice(0, -1))}/{name}?exp=${exp}&sig=${await sign(token, "PUT", prefix, exp)}`;
}

/** Why a request's signature does not open `objectKey`, or null when it does (compared in constant time). */
export async function signatureProblem(token: string, method: BlobMethod, objectKey: string, exp: string | null, sig: string | null, nowMs = Date.now()): Promise<string | null> {
  if (exp === null || sig === null) return "the blob URL has no signature (exp and sig are required)";
  if (!/^[0-9]{1,12}$/.test(exp)) return "the blob URL's exp is not a time";
  const raw = fromBase64url(sig);
  if (!raw) return "the blob URL's signature is malformed";
  const valid = await crypto.subtle.verify("HMAC", await signingKey(token), raw, message(method, scopeOf(method, objectKey), Number(exp)));
  if (!valid) return `the blob URL's signature does not match this ${method === "GET" ? "object" : "upload folder"}`;
  // After the signature: an expiry is only worth reporting on a URL the edge did hand out.
  if (Number(exp) * 1000 <= nowMs) return `the blob URL expired at ${new Date(Number(exp) * 1000).toISOString()}`;
  return null;
}
