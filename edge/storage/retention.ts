import type { Env } from "../config/env";
import { getStorageConfig } from "./config";
import { captureRetentionSeconds, sweepExpiredCaptures } from "../execution/capture-store";

/**
 * Temp retention. A `temp/` object expires TEMP_RETENTION_SECONDS after it was written: reads answer 404
 * from that moment on (`isTempExpired`, checked on every read), and the cron trigger's sweep deletes expired
 * objects later (`sweepExpiredTemp`). Expiry is computed from R2's own upload time, so changing the setting
 * applies to existing objects too.
 */
export function isTempExpired(object: R2Object, retentionSeconds: number, nowMs = Date.now()): boolean {
  return object.uploaded.getTime() + retentionSeconds * 1000 <= nowMs;
}

export function tempExpiry(env: Env): (object: R2Object) => boolean {
  const seconds = getStorageConfig(env).tempRetentionSeconds;
  return (object) => isTempExpired(object, seconds);
}

/** Deletes every expired `temp/` object; returns how many. Lists in pages of 1000 and deletes in batches. */
export async function sweepExpiredTemp(bucket: R2Bucket, retentionSeconds: number, nowMs = Date.now(), pageSize = 1000): Promise<number> {
  let cursor: string | undefined;
  let deleted = 0;
  do {
    const page = await bucket.list({ prefix: "temp/", cursor, limit: pageSize });
    const expired = page.objects.filter((o) => isTempExpired(o, retentionSeconds, nowMs)).map((o) => o.key);
    if (expired.length > 0) {
      await bucket.delete(expired);
      deleted += expired.length;
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}

/** The Worker's `scheduled` handler body (wrangler.toml `[triggers] crons`). */
export async function runScheduledSweep(env: Env): Promise<void> {
  const deleted = await sweepExpiredTemp(env.STORAGE, getStorageConfig(env).tempRetentionSeconds);
  if (deleted > 0) console.log(`[storage] deleted ${deleted} expired temp object(s)`);
  const captures = await sweepExpiredCaptures(env.STORAGE, captureRetentionSeconds(env));
  if (captures > 0) console.log(`[storage] deleted ${captures} expired capture object(s)`);
}
