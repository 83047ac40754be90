import type { CaptureIndex } from "../../schema/execution";
import { getConfig } from "../config/config";
import type { Env } from "../config/env";
import { ApiError } from "../errors/api-error";
import { checkKey, ownerSegment } from "../storage/keys";

/**
 * Captured outputs in R2 (docs: README "Captured outputs"). One run's capture lies below its owner's segment
 * (edge/storage/keys.ts), so a key alone says whose it is and no run id can reach another user's:
 *
 *     captures/<owner>/<run_id>/index.json    the CaptureIndex, written when the run ends
 *     captures/<owner>/<run_id>/items/<n>.json one captured value each (JSON), numbered in emission order
 *
 * Items are numbered rather than named after node ids and ports, which are user text. A capture expires
 * CAPTURE_RETENTION_SECONDS after it was written: reads answer 404 from then on, and the hourly cron sweep
 * (edge/storage/retention.ts) deletes it.
 */
export const CAPTURE_AREA = "captures";

/** Bounds on what one run may record; items beyond them are listed in the index as not stored. */
export const CAPTURE_LIMITS = { maxItems: 10_000, maxItemBytes: 8 * 1024 * 1024, maxRunBytes: 256 * 1024 * 1024 };

export function captureRetentionSeconds(env: Env): number {
  return getConfig(env).storage.captureRetentionSeconds;
}

/** `captures/<owner>/<run_id>/`; the run id is checked as a key segment (a 400 for `..`, `/` and the like). */
export function capturePrefix(userId: string, runId: string): string {
  if (runId.includes("/")) throw new ApiError("invalid_request", "Invalid run id: it contains '/'");
  return `${CAPTURE_AREA}/${checkKey(`${ownerSegment(userId)}/${runId}`)}/`;
}

export const indexKey = (userId: string, runId: string) => `${capturePrefix(userId, runId)}index.json`;
export const itemKey = (userId: string, runId: string, n: number) => `${capturePrefix(userId, runId)}items/${n}.json`;

export function isCaptureExpired(object: R2Object, retentionSeconds: number, nowMs = Date.now()): boolean {
  return object.uploaded.getTime() + retentionSeconds * 1000 <= nowMs;
}

/** The run's index, or null when it recorded nothing, belongs to someone else, or has expired. */
export async function readIndex(env: Env, userId: string, runId: string): Promise<CaptureIndex | null> {
  const object = await env.STORAGE.get(indexKey(userId, runId));
  if (!object) return null;
  if (isCaptureExpired(object, captureRetentionSeconds(env))) {
    await object.body.cancel();
    return null;
  }
  return (await object.json()) as CaptureIndex;
}

export async function writeIndex(env: Env, userId: string, index: CaptureIndex): Promise<void> {
  await env.STORAGE.put(indexKey(userId, index.run_id), JSON.stringify(index), { httpMetadata: { contentType: "application/json" } });
}

/** One stored item's JSON text, or null when it is gone. */
export async function readItem(env: Env, userId: string, runId: string, n: number): Promise<unknown> {
  const object = await env.STORAGE.get(itemKey(userId, runId, n));
  if (!object) return null;
  return JSON.parse(await object.text()) as unknown;
}

/** Deletes every object below `prefix`; returns how many. */
export async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor, limit: 1000 });
    const keys = page.objects.map((o) => o.key);
    if (keys.length > 0) {
      await bucket.delete(keys);
      deleted += keys.length;
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}

/** The run ids the user has captures of (newest writes are not sorted first: R2 lists by key). */
export async function listCaptureRuns(env: Env, userId: string, limit: number): Promise<string[]> {
  const prefix = `${CAPTURE_AREA}/${ownerSegment(userId)}/`;
  const runs: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.STORAGE.list({ prefix, cursor, delimiter: "/", limit: 1000 });
    for (const p of page.delimitedPrefixes) runs.push(p.slice(prefix.length, -1));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor && runs.length < limit);
  return runs.slice(0, limit);
}

/** The cron sweep's part for captures: deletes every expired capture object; returns how many. */
export async function sweepExpiredCaptures(bucket: R2Bucket, retentionSeconds: number, nowMs = Date.now()): Promise<number> {
  let cursor: string | undefined;
  let deleted = 0;
  do {
    const page = await bucket.list({ prefix: `${CAPTURE_AREA}/`, cursor, limit: 1000 });
    const expired = page.objects.filter((o) => isCaptureExpired(o, retentionSeconds, nowMs)).map((o) => o.key);
    if (expired.length > 0) {
      await bucket.delete(expired);
      deleted += expired.length;
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}
