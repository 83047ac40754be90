import { effectiveContentType, extensionForContentType } from "../../media/content-types";
import { filePart, readBounded, readJson, send, sleep, type MediaCall } from "./http";
import { MediaProviderError, type MediaBytes, type VideoRequest } from "./types";

/** A generated clip of a few seconds is a few MiB; this bounds what a Worker holds in memory. */
export const MAX_VIDEO_BYTES = 96 * 1024 * 1024;
/** Without `timeout_seconds`, a video job may run this long (Sora takes minutes). */
export const DEFAULT_VIDEO_TIMEOUT_MS = 20 * 60 * 1000;

interface VideoJob {
  id?: unknown;
  status?: unknown;
  progress?: unknown;
  error?: unknown;
}

function jobError(job: VideoJob): string {
  const e = job.error;
  if (typeof e === "string") return e;
  if (e && typeof e === "object" && typeof (e as { message?: unknown }).message === "string") return (e as { message: string }).message;
  return "no reason given";
}

/**
 * OpenAI's video API (Sora): `POST /videos` starts a job, `GET /videos/{id}` reports `queued`, `in_progress`,
 * `completed` or `failed`, and `GET /videos/{id}/content` is the MP4. `pollMs` apart, until `deadlineMs`.
 */
export async function generateVideo(call: MediaCall, request: VideoRequest, options: { pollMs: number; deadlineMs: number }): Promise<MediaBytes> {
  const form = new FormData();
  form.append("model", call.model);
  form.append("prompt", request.prompt);
  if (request.size) form.append("size", request.size);
  if (request.seconds) form.append("seconds", request.seconds);
  if (request.image) form.append("input_reference", filePart(request.image.bytes, request.image.contentType, "input", extensionForContentType(request.image.contentType)));
  let job = (await readJson(await send(call, "POST", "/videos", form), call, 1024 * 1024, "video")) as VideoJob;
  if (typeof job.id !== "string" || job.id === "" || !/^[\w.-]+$/.test(job.id)) {
    throw new MediaProviderError(`provider '${call.provider.name}' answered the video request (model '${call.model}') without a job id`);
  }
  const id = job.id;
  const started = Date.now();
  for (;;) {
    if (typeof job.progress === "number") request.onProgress?.(job.progress);
    if (job.status === "completed") break;
    if (job.status === "failed" || job.status === "cancelled") {
      throw new MediaProviderError(`video generation on provider '${call.provider.name}' (model '${call.model}') failed: ${jobError(job)}`);
    }
    if (Date.now() - started > options.deadlineMs) {
      throw new MediaProviderError(`video generation on provider '${call.provider.name}' did not finish within ${Math.round(options.deadlineMs / 1000)} s`);
    }
    await sleep(options.pollMs, call.signal);
    job = (await readJson(await send(call, "GET", `/videos/${id}`), call, 1024 * 1024, "video status")) as VideoJob;
  }
  const content = await send(call, "GET", `/videos/${id}/content`, undefined, "*/*");
  const bytes = await readBounded(content, MAX_VIDEO_BYTES, `the video from provider '${call.provider.name}'`);
  if (bytes.length === 0) throw new MediaProviderError(`provider '${call.provider.name}' sent an empty video`);
  return { bytes, contentType: effectiveContentType(content.headers.get("content-type"), bytes, "video.mp4") };
}
