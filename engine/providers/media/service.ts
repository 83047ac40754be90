import type { FetchFn } from "../openai";
import type { ChatSettings } from "../types";
import { speech, transcribe, translate } from "./audio";
import { readJson, send, type MediaCall } from "./http";
import { editImage, generateImage } from "./images";
import { routeMedia } from "./routing";
import {
  MediaProviderError,
  type ImageEditRequest,
  type ImageGenerationRequest,
  type MediaBytes,
  type MediaModelRef,
  type MediaRoute,
  type MediaService,
  type MediaTask,
  type ModerationResult,
  type SpeechRequest,
  type SpeechStream,
  type Transcription,
  type TranscriptionRequest,
  type VideoRequest,
} from "./types";
import { DEFAULT_VIDEO_TIMEOUT_MS, generateVideo } from "./video";

export interface MediaServiceOptions {
  fetch?: FetchFn;
  log?: (message: string, err?: unknown) => void;
  /** What an empty model means per task, instead of OpenAI's models (engine/providers/media/routing.ts). */
  defaults?: Partial<Record<MediaTask | "embedding", string>>;
  /** How often a video job is polled. Default 5 s. */
  videoPollMs?: number;
}

/**
 * MediaService over OpenAI's media protocols, for OpenAI itself and any OpenAI-compatible server configured
 * as a chat provider. Stateless apart from the settings: one instance serves every job of an isolate.
 */
export class OpenAIMediaService implements MediaService {
  private readonly fetchFn: FetchFn;

  constructor(
    private readonly settings: ChatSettings,
    private readonly options: MediaServiceOptions = {},
  ) {
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  route(task: MediaTask | "embedding", model: MediaModelRef): MediaRoute {
    const r = routeMedia(this.settings, task, model, this.options.defaults);
    return { provider: r.provider.name, model: r.model };
  }

  private call(task: MediaTask, model: MediaModelRef, signal: AbortSignal | undefined, timeoutMs?: number): MediaCall {
    const { provider, model: id } = routeMedia(this.settings, task, model, this.options.defaults);
    return {
      provider,
      model: id,
      fetch: this.fetchFn,
      providers: this.settings.providers,
      signal,
      timeoutMs: timeoutMs && timeoutMs > 0 ? timeoutMs : this.settings.upstreamTimeoutMs,
      log: this.options.log ?? (() => {}),
    };
  }

  generateImage(request: ImageGenerationRequest, signal?: AbortSignal): Promise<MediaBytes> {
    return generateImage(this.call("image", request.model, signal, request.timeoutMs), request);
  }

  editImage(request: ImageEditRequest, signal?: AbortSignal): Promise<MediaBytes> {
    return editImage(this.call("image", request.model, signal, request.timeoutMs), request);
  }

  transcribe(request: TranscriptionRequest, signal?: AbortSignal): Promise<Transcription> {
    return transcribe(this.call("transcription", request.model, signal, request.timeoutMs), request);
  }

  translate(request: TranscriptionRequest, signal?: AbortSignal): Promise<Transcription> {
    return translate(this.call("transcription", request.model, signal, request.timeoutMs), request);
  }

  speech(request: SpeechRequest, signal?: AbortSignal): Promise<SpeechStream> {
    return speech(this.call("speech", request.model, signal, request.timeoutMs), request);
  }

  generateVideo(request: VideoRequest, signal?: AbortSignal): Promise<MediaBytes> {
    // Each call waits for headers only as long as a chat call may; the job as a whole gets timeout_seconds.
    const call = this.call("video", request.model, signal);
    const deadlineMs = request.timeoutMs && request.timeoutMs > 0 ? request.timeoutMs : DEFAULT_VIDEO_TIMEOUT_MS;
    return generateVideo(call, request, { pollMs: this.options.videoPollMs ?? 5000, deadlineMs });
  }

  async moderate(model: MediaModelRef, input: string, signal?: AbortSignal): Promise<ModerationResult> {
    const call = this.call("moderation", model, signal);
    const res = await send(call, "POST", "/moderations", { model: call.model, input });
    const body = (await readJson(res, call, 1024 * 1024, "moderation")) as { results?: unknown };
    const first = Array.isArray(body.results) ? (body.results[0] as Record<string, unknown> | undefined) : undefined;
    if (!first || typeof first !== "object") throw new MediaProviderError(`provider '${call.provider.name}' answered the moderation request without results`);
    const record = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, never>) : {});
    return { flagged: first.flagged === true, categories: record(first.categories), category_scores: record(first.category_scores) };
  }
}
