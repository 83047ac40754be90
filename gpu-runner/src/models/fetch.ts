import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ModelRef } from "../../../schema/runner";
import { RunnerFailure, shortMessage } from "../errors";

/** Temp files of downloads in progress start with this; leftovers of a killed runner are removed at start. */
export const DOWNLOAD_PREFIX = ".download-";

/** `user/models/x y.onnx` -> `user/models/x%20y.onnx`: each segment encoded, the separators kept. */
export function modelUrl(edgeUrl: string, key: string): string {
  return `${edgeUrl}/api/runner/models/${key.split("/").map(encodeURIComponent).join("/")}`;
}

export const cachedModelPath = (cacheDir: string, sha256: string) => path.join(cacheDir, `${sha256}.onnx`);

export interface FetchSettings {
  edgeUrl: string;
  token: string;
  cacheDir: string;
  timeoutMs: number;
}

/**
 * Downloads an uploaded model from the edge into the cache: streamed to a temp file while its bytes are
 * counted and hashed, then renamed to `<sha256>.onnx` only when both match the ModelRef, so the cache never
 * holds a partial or wrong file under a good name. Any failure is a 502 model_unavailable.
 */
export async function downloadModel(ref: ModelRef, s: FetchSettings): Promise<string> {
  const url = modelUrl(s.edgeUrl, ref.key);
  let res: Response;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${s.token}` }, signal: AbortSignal.timeout(s.timeoutMs) });
  } catch (err) {
    throw RunnerFailure.modelUnreachable(`could not fetch model '${ref.name}' from the edge: ${shortMessage(err)}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw RunnerFailure.modelUnreachable(`the edge answered ${res.status} for model '${ref.name}'`);
  }

  const temp = path.join(s.cacheDir, `${DOWNLOAD_PREFIX}${ref.sha256}-${randomBytes(4).toString("hex")}`);
  const hash = createHash("sha256");
  let received = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.byteLength;
      // Stop as soon as the edge sends more than promised instead of filling the disk.
      if (received > ref.size) return done(RunnerFailure.modelUnreachable(`model '${ref.name}' is larger than its declared size ${ref.size}`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), check, createWriteStream(temp));
    if (received !== ref.size) throw RunnerFailure.modelUnreachable(`model '${ref.name}' has ${received} bytes, expected ${ref.size}`);
    const digest = hash.digest("hex");
    if (digest !== ref.sha256) throw RunnerFailure.modelUnreachable(`model '${ref.name}' has sha256 ${digest}, expected ${ref.sha256}`);
    const final = cachedModelPath(s.cacheDir, ref.sha256);
    await rename(temp, final);
    return final;
  } catch (err) {
    await rm(temp, { force: true });
    if (err instanceof RunnerFailure) throw err;
    throw RunnerFailure.modelUnreachable(`could not download model '${ref.name}': ${shortMessage(err)}`);
  }
}
