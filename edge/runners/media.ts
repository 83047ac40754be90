import { InferenceError, type InferenceRequest, type MediaPart } from "../../engine/inference/types";
import { MediaError } from "../../engine/media/blob-store";
import type { InferResult, StoredOutput } from "../../schema/runner";
import { newAssetId } from "../assets/repository";
import type { Env } from "../config/env";
import { keyOwner, objectKey, storagePath } from "../storage/keys";
import type { R2BlobStore } from "../storage/blob-store";
import { OUTPUT_NAME, signedGetPath, signedPutTemplate } from "./blob-urls";

/**
 * Media by reference on the Worker's side (docs/architecture.md#10-gpu-runner). An image, audio or video
 * request from the engine names stored inputs by URI (engine/media/runner-media.ts); for each runner the pool
 * tries, `build` makes the request that runner gets:
 * - a runner whose /health says it reaches the edge (`media.by_reference`) gets inputs above
 *   GPU_RUNNER_INLINE_MEDIA_BYTES as signed GET paths (edge/runners/blob-urls.ts) and a signed PUT folder
 *   for outputs above the same size, so those bytes never pass through this isolate;
 * - any other runner, and any small input, gets the bytes, read here (once, however many runners are tried).
 * `finish` checks what the runner says it stored and turns it into storage URIs for the engine.
 */
export interface MediaSettings {
  /** Media up to this size travels inline; larger goes by reference where the runner can. */
  inlineMaxBytes: number;
  /** Lifetime of the signed URLs of one request. */
  urlTtlSeconds: number;
}

type MediaKernel = "image" | "audio" | "video";
const MEDIA_FIELD: Record<MediaKernel, "images" | "media"> = { image: "images", audio: "media", video: "media" };

type Item = { bytes: Uint8Array } | { uri: string; objectKey: string | null; size: number; bytes?: Promise<Uint8Array> };

export class MediaPlan {
  private constructor(
    private readonly request: InferenceRequest & { kernel: MediaKernel },
    private readonly items: Item[],
    private readonly store: R2BlobStore,
    private readonly token: string,
    private readonly settings: MediaSettings,
    /** The folder the runner may put outputs in: `temp/<owner>/<job>/r-<id>/`. */
    private readonly outputPrefix: string,
  ) {}

  static isMediaRequest(request: InferenceRequest): request is InferenceRequest & { kernel: MediaKernel } {
    return request.kernel === "image" || request.kernel === "audio" || request.kernel === "video";
  }

  /** Locates the stored inputs (one metadata read each); a missing or foreign one fails here. */
  static async create(
    env: Env,
    job: { jobId: string; userId: string },
    store: R2BlobStore,
    token: string,
    settings: MediaSettings,
    request: InferenceRequest & { kernel: MediaKernel },
  ): Promise<MediaPlan> {
    const parts = (request as unknown as Record<string, MediaPart[]>)[MEDIA_FIELD[request.kernel]] ?? [];
    const items: Item[] = [];
    for (const part of parts) {
      if (part instanceof Uint8Array) {
        items.push({ bytes: part });
        continue;
      }
      let located: { objectKey: string; size: number } | null;
      try {
        located = await store.locate(part.uri);
      } catch (err) {
        if (err instanceof MediaError) throw new InferenceError(`media input: ${err.message}`, "invalid_input");
        throw err;
      }
      items.push({ uri: part.uri, objectKey: located?.objectKey ?? null, size: located?.size ?? 0 });
    }
    const prefix = `${objectKey("temp", keyOwner(env, job.userId), job.jobId, `r-${newAssetId()}`)}/`;
    return new MediaPlan(request, items, store, token, settings, prefix);
  }

  private async bytesOf(item: Extract<Item, { uri: string }>): Promise<Uint8Array> {
    item.bytes ??= this.store.read(item.uri).then((c) => c.bytes);
    try {
      return await item.bytes;
    } catch (err) {
      item.bytes = undefined;
      if (err instanceof MediaError) throw new InferenceError(`media input: ${err.message}`, "invalid_input");
      throw err;
    }
  }

  /** The wire request for one runner. */
  async build(runner: { mediaByReference: boolean }): Promise<Record<string, unknown>> {
    const exp = Math.floor(Date.now() / 1000) + this.settings.urlTtlSeconds;
    const media: unknown[] = [];
    for (const item of this.items) {
      if ("objectKey" in item && item.objectKey !== null && runner.mediaByReference && item.size > this.settings.inlineMaxBytes) {
        media.push({ blob: { url: await signedGetPath(this.token, item.objectKey, exp), size: item.size } });
      } else media.push("uri" in item ? await this.bytesOf(item) : item.bytes);
    }
    const wire: Record<string, unknown> = { ...this.request, [MEDIA_FIELD[this.request.kernel]]: media };
    if (runner.mediaByReference) wire.upload = { url: await signedPutTemplate(this.token, this.outputPrefix, exp), inline_max_bytes: this.settings.inlineMaxBytes };
    return wire;
  }

  /** Checks each stored output is one of the keys this request allowed, and gives it its storage URI. */
  finish(result: InferResult): InferResult {
    const outputs: Array<{ stored?: StoredOutput }> = result.kernel === "image" ? result.images : result.kernel === "audio" || result.kernel === "video" ? result.outputs : [];
    for (const output of outputs) {
      if (!output.stored) continue;
      const { key } = output.stored;
      if (!key.startsWith(this.outputPrefix) || !OUTPUT_NAME.test(key.slice(this.outputPrefix.length))) {
        throw new InferenceError(`the gpu-runner reported an output stored at '${key.slice(0, 120)}', which is not where this request allowed it`, "runner_failed");
      }
      output.stored.uri = storagePath(key);
    }
    return result;
  }
}
