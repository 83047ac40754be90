import type { Env } from "../config/env";
import { getStorageConfig } from "./config";

/**
 * The base of the media URLs the API hands out: PUBLIC_BASE_URL when set, else the origin of the request
 * being answered. NodeTool's clients load media `uri`s as they come, from pages on other origins too, so a
 * root-relative `/storage/...` would resolve against the wrong host. A job has no request of its own: the
 * base of the request that started it travels in its spec and is baked into every message it logs, so a
 * replay is byte-for-byte what was first sent.
 */
export function publicBase(env: Env, requestUrl: string | URL): string {
  return getStorageConfig(env).publicBaseUrl ?? new URL(requestUrl).origin;
}

/** The part of `url` after one of the bases (PUBLIC_BASE_URL, a job's recorded base), or null when none is its start. */
export function pathBelowBase(url: string, bases: readonly (string | null | undefined)[]): string | null {
  for (const base of bases) if (base && url.startsWith(`${base}/`)) return url.slice(base.length);
  return null;
}
