/**
 * Generation through providers (images, speech, transcription, video, moderation) over OpenAI's media
 * protocols, on the same provider settings as chat (OPENAI_API_KEY / OPENAI_BASE_URL, CHAT_PROVIDERS). Nodes
 * hand in bytes they read from the blob store and get bytes back to store: nothing here decodes pixels or
 * samples. Requests are already in OpenAI's vocabulary; engine/providers/media/params.ts maps NodeTool's.
 */

/** NodeTool's model values (`image_model`, `asr_model`, `tts_model`, `video_model` ...): only these fields matter. */
export interface MediaModelRef {
  provider?: string | null;
  id?: string | null;
}

/** What a request is for: picks the default model and the words used in errors. */
export type MediaTask = "image" | "transcription" | "speech" | "video" | "moderation";

/** Bytes with their content type: what the blob store gives and takes. */
export interface MediaBytes {
  bytes: Uint8Array;
  contentType: string;
}

interface Common {
  model: MediaModelRef;
  /** How long the provider may take (0 or absent: the server's upstream timeout). */
  timeoutMs?: number;
}

/** `POST /v1/images/generations`. */
export interface ImageGenerationRequest extends Common {
  prompt: string;
  /** `WxH`, or absent for the provider's default. */
  size?: string;
  quality?: string;
  background?: string;
}

/** `POST /v1/images/edits` (multipart). */
export interface ImageEditRequest extends ImageGenerationRequest {
  image: MediaBytes;
  mask?: MediaBytes;
}

/** `POST /v1/audio/transcriptions` and `/v1/audio/translations` (multipart). */
export interface TranscriptionRequest extends Common {
  audio: MediaBytes;
  /** ISO-639-1; absent: detected. */
  language?: string;
  prompt?: string;
  temperature?: number;
  /** Ask for word and segment timestamps (`verbose_json`). */
  timestamps?: boolean;
}

export interface TimedText {
  start: number;
  end: number;
  text: string;
}

export interface Transcription {
  text: string;
  words: TimedText[];
  segments: TimedText[];
  language?: string;
}

/** `POST /v1/audio/speech`. */
export interface SpeechRequest extends Common {
  input: string;
  voice: string;
  speed?: number;
  /** `pcm` is raw 24 kHz 16-bit little-endian mono. */
  format: "pcm" | "mp3" | "wav" | "opus" | "aac" | "flac";
  instructions?: string;
}

export interface SpeechStream {
  contentType: string;
  /** The audio as the provider sends it, piece by piece; ends early if the signal aborts. */
  chunks: AsyncIterable<Uint8Array>;
}

/** `POST /v1/videos`, then polling `GET /v1/videos/{id}` and `GET /v1/videos/{id}/content`. */
export interface VideoRequest extends Common {
  prompt: string;
  size?: string;
  seconds?: string;
  /** Image-to-video: the first frame (`input_reference`). */
  image?: MediaBytes;
  /** Called with the provider's percent done while the job runs. */
  onProgress?: (percent: number) => void;
}

/** `POST /v1/moderations`. */
export interface ModerationResult {
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
}

/** Where a request goes: the configured provider's name and the model id it is sent. */
export interface MediaRoute {
  provider: string;
  model: string;
}

/** What generation nodes use (EngineServices.media). Every method throws an Error that says what failed. */
export interface MediaService {
  /** The provider and model a NodeTool model value stands for (empty: this server's default for the task). */
  route(task: MediaTask | "embedding", model: MediaModelRef): MediaRoute;
  generateImage(request: ImageGenerationRequest, signal?: AbortSignal): Promise<MediaBytes>;
  editImage(request: ImageEditRequest, signal?: AbortSignal): Promise<MediaBytes>;
  transcribe(request: TranscriptionRequest, signal?: AbortSignal): Promise<Transcription>;
  /** Speech in any language to English text. */
  translate(request: TranscriptionRequest, signal?: AbortSignal): Promise<Transcription>;
  speech(request: SpeechRequest, signal?: AbortSignal): Promise<SpeechStream>;
  generateVideo(request: VideoRequest, signal?: AbortSignal): Promise<MediaBytes>;
  moderate(model: MediaModelRef, input: string, signal?: AbortSignal): Promise<ModerationResult>;
}

/** A media request that could not be routed or that the provider's answer could not satisfy. */
export class MediaProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MediaProviderError";
  }
}
