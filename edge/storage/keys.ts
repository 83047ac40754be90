import { getConfig } from "../config/config";
import type { Env } from "../config/env";
import { ApiError } from "../errors/api-error";

/**
 * Storage keys (docs/architecture.md#8-storage-assets-models-and-per-user-state). The bucket holds `assets/`, `temp/` and the model areas (`models/`,
 * `model-files/`: edge/models/keys.ts, built on `checkKey` and `ownerSegment`); only the first two are
 * reachable over /storage. Every object below them belongs to one user, whose owner segment comes
 * first:
 *
 *     assets/<owner>/<asset_id>.<ext>      files of the assets API and of Save* nodes
 *     assets/<owner>/<any/nested/key>      files PUT through /admin/storage/assets/<owner>/...
 *     temp/<owner>/<job_id>/<id>.<ext>     inline inputs moved out of a job's messages
 *     temp/<owner>/<any/nested/key>        files PUT through /admin/storage/temp/<owner>/...
 *
 * The key after the area is the same in the admin route, the public route and the storage URL, so a URL
 * one user's upload answers is the URL anyone reads it by. The owner segment is what makes ownership
 * checkable from the key alone: a user reaches, writes and deletes only keys below their own segment.
 *
 * In single-tenant auth (`static`, `local`, `none`: every caller is the one local user, NodeTool's worker
 * model) there is no owner segment: `assets/<asset_id>.<ext>`, `assets/<any/key>`, `temp/<job_id>/...`, and
 * every key below an area is the caller's. Keys written with an owner segment before stay readable.
 *
 * One function builds keys (`objectKey`), one checks them (`checkKey`), one checks ownership
 * (`checkOwnedKey`); request paths are percent-decoded exactly once (`keyFromPath`) and then checked.
 */
export type StorageArea = "assets" | "temp";
export const STORAGE_AREAS: readonly StorageArea[] = ["assets", "temp"];

/** R2 keys are at most 1024 bytes; the area prefix takes a few. */
const MAX_KEY_BYTES = 1000;

/** Why a key is unsafe, or null when it is fine. */
export function keyProblem(key: string): string | null {
  if (key === "") return "the key is empty";
  if (key.startsWith("/")) return "the key starts with '/'";
  if (key.includes("\\")) return "the key contains a backslash";
  // C0 controls (NUL included), DEL and C1 controls.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(key)) return "the key contains a NUL or control character";
  if (/%[0-9a-fA-F]{2}/.test(key)) return "the key is percent-encoded twice";
  for (const segment of key.split("/")) {
    if (segment === "") return "the key has an empty segment ('//' or a trailing '/')";
    if (segment === "." || segment === "..") return `the key has a '${segment}' segment`;
  }
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) return `the key is longer than ${MAX_KEY_BYTES} bytes`;
  return null;
}

/** The one check every key passes before it reaches the bucket: throws a 400 naming the problem. */
export function checkKey(key: string): string {
  const problem = keyProblem(key);
  if (problem) throw new ApiError("invalid_request", `Invalid storage key: ${problem}`);
  return key;
}

/** Percent-decodes a path segment exactly once (the one place paths are decoded); a 400 naming `what` when malformed. */
export function decodePathOnce(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiError("invalid_request", `Invalid ${what}: malformed percent-encoding`);
  }
}

/** Decodes a key taken from a URL path exactly once, then checks it. */
export function keyFromPath(raw: string): string {
  return checkKey(decodePathOnce(raw, "storage key"));
}

/**
 * A user's segment: the user id itself when it is a plain id (UUIDs, "1"), otherwise `~` and the hex of its
 * UTF-8 bytes, so no id can produce a separator, a dot segment or another user's segment.
 */
export function ownerSegment(userId: string): string {
  if (/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(userId)) return userId;
  return `~${[...new TextEncoder().encode(userId)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Whose keys a caller works with: their user id, and whether keys carry an owner segment at all. */
export interface KeyOwner {
  userId: string;
  /** Single-tenant auth: keys have no owner segment and every key is the caller's. */
  shared: boolean;
}

/** The key owner of a caller under the deployment's auth mode (only `supabase` has several users). */
export function keyOwner(env: Env, userId: string): KeyOwner {
  return { userId, shared: getConfig(env).authProvider !== "supabase" };
}

/** The one builder of object keys: `<area>/<owner>/<parts...>` (`<area>/<parts...>` when shared), each part checked. */
export function objectKey(area: StorageArea, owner: KeyOwner, ...parts: string[]): string {
  const key = (owner.shared ? parts : [ownerSegment(owner.userId), ...parts]).join("/");
  return `${area}/${checkKey(key)}`;
}

/** Whether `key` (below an area) lies in the caller's own space. */
export function ownsKey(owner: KeyOwner, key: string): boolean {
  return owner.shared || key.startsWith(`${ownerSegment(owner.userId)}/`);
}

/** Why a key outside the caller's space is refused, saying how their keys are formed. */
export function notOwnedMessage(owner: KeyOwner, area: StorageArea, key: string): string {
  const segment = ownerSegment(owner.userId);
  const shown = key.length > 80 ? `${key.slice(0, 77)}...` : key;
  return `The storage key '${area}/${shown}' is not yours: your keys are formed as ${area}/<your owner segment>/<path>, and your owner segment is '${segment}' (e.g. ${area}/${segment}/photos/cat.png)`;
}

/** The one ownership check of request keys: a 403 that says how the caller's keys are formed. */
export function checkOwnedKey(owner: KeyOwner, area: StorageArea, key: string): void {
  if (!ownsKey(owner, key)) throw new ApiError("forbidden", notOwnedMessage(owner, area, key));
}

/** Splits a bucket key into its area and the key below it. */
export function splitObjectKey(objectKey: string): { area: StorageArea; key: string } {
  const slash = objectKey.indexOf("/");
  return { area: objectKey.slice(0, slash) as StorageArea, key: objectKey.slice(slash + 1) };
}

/**
 * Parses the part of a path after a storage prefix (`/storage/` or `/admin/storage/`): `<area>/<key>`, the
 * key still percent-encoded as it came. Anything but `assets` or `temp` is a 400: nothing else in the bucket
 * is reachable, and a path that URL normalisation shortened (`assets/../x` arrives as `x`) lands here too.
 */
export function parseStoragePath(rest: string): { area: StorageArea; key: string } {
  const slash = rest.indexOf("/");
  const area = slash < 0 ? rest : rest.slice(0, slash);
  if (!(STORAGE_AREAS as readonly string[]).includes(area)) {
    throw new ApiError("invalid_request", "Invalid storage path: expected /storage/assets/<key> or /storage/temp/<key>");
  }
  return { area: area as StorageArea, key: keyFromPath(slash < 0 ? "" : rest.slice(slash + 1)) };
}

/** The root-relative public URL of an object: `/storage/<area>/<key>`, each segment percent-encoded. */
export function storagePath(objectKey: string): string {
  return `/storage/${objectKey.split("/").map(encodeURIComponent).join("/")}`;
}

/**
 * The public URL of an object as the API hands it out: absolute below `base` (PUBLIC_BASE_URL, else the
 * origin of the request; see edge/storage/public-base.ts), root-relative only when no base is known.
 */
export function storageUrl(objectKey: string, base: string | null | undefined): string {
  return `${base ?? ""}${storagePath(objectKey)}`;
}
