import { extensionForContentType } from "../../media/content-types";
import { filePart, readJson, send, type MediaCall } from "./http";
import { MediaProviderError, type SpeechRequest, type SpeechStream, type TimedText, type Transcription, type TranscriptionRequest } from "./types";

/** OpenAI's upload limit for transcriptions. */
export const MAX_TRANSCRIPTION_UPLOAD_BYTES = 25 * 1024 * 1024;
/** About 11 minutes of 24 kHz 16-bit speech; far more than the 4,096 characters OpenAI speaks per request. */
export const MAX_SPEECH_BYTES = 32 * 1024 * 1024;
const MAX_TRANSCRIPT_JSON = 8 * 1024 * 1024;

const SPEECH_TYPES: Record<SpeechRequest["format"], string> = {
  pcm: "audio/pcm",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  opus: "audio/ogg",
  aac: "audio/aac",
  flac: "audio/flac",
};

function timed(items: unknown, textKey: "word" | "text"): TimedText[] {
  if (!Array.isArray(items)) return [];
  const out: TimedText[] = [];
  for (const item of items) {
    if (!item || typeof item !== "object") continue;
    const r = item as Record<string, unknown>;
    const text = typeof r[textKey] === "string" ? (r[textKey] as string) : typeof r.text === "string" ? r.text : "";
    out.push({ start: Number(r.start) || 0, end: Number(r.end) || 0, text });
  }
  return out;
}

async function speechToText(call: MediaCall, request: TranscriptionRequest, path: "/audio/transcriptions" | "/audio/translations"): Promise<Transcription> {
  const { audio } = request;
  if (audio.bytes.length === 0) throw new MediaProviderError("the audio is empty");
  if (audio.bytes.length > MAX_TRANSCRIPTION_UPLOAD_BYTES) {
    throw new MediaProviderError(`the audio is ${audio.bytes.length} bytes; speech recognition takes at most ${MAX_TRANSCRIPTION_UPLOAD_BYTES} (25 MiB)`);
  }
  const form = new FormData();
  // The extension tells servers the container: whisper servers decode by it.
  form.append("file", filePart(audio.bytes, audio.contentType, "audio", extensionForContentType(audio.contentType)));
  form.append("model", call.model);
  if (request.timestamps) {
    form.append("response_format", "verbose_json");
    form.append("timestamp_granularities[]", "word");
    form.append("timestamp_granularities[]", "segment");
  } else {
    form.append("response_format", "json");
  }
  if (request.language && path === "/audio/transcriptions") form.append("language", request.language);
  if (request.prompt) form.append("prompt", request.prompt);
  if (request.temperature !== undefined) form.append("temperature", String(request.temperature));
  const res = await send(call, "POST", path, form);
  const body = (await readJson(res, call, MAX_TRANSCRIPT_JSON, "transcription")) as Record<string, unknown>;
  if (typeof body.text !== "string") {
    throw new MediaProviderError(`provider '${call.provider.name}' answered the speech recognition request (model '${call.model}') without a text`);
  }
  return {
    text: body.text,
    words: timed(body.words, "word"),
    segments: timed(body.segments, "text"),
    ...(typeof body.language === "string" ? { language: body.language } : {}),
  };
}

/** `POST /audio/transcriptions` (multipart). */
export function transcribe(call: MediaCall, request: TranscriptionRequest): Promise<Transcription> {
  return speechToText(call, request, "/audio/transcriptions");
}

/** `POST /audio/translations` (multipart): speech in any language to English text. */
export function translate(call: MediaCall, request: TranscriptionRequest): Promise<Transcription> {
  return speechToText(call, request, "/audio/translations");
}

/** `POST /audio/speech`: the audio is passed on as it streams in, bounded by MAX_SPEECH_BYTES. */
export async function speech(call: MediaCall, request: SpeechRequest): Promise<SpeechStream> {
  const body: Record<string, unknown> = { model: call.model, input: request.input, voice: request.voice, response_format: request.format };
  if (request.speed !== undefined) body.speed = request.speed;
  if (request.instructions) body.instructions = request.instructions;
  const res = await send(call, "POST", "/audio/speech", body, "*/*");
  const stream = res.body;
  const provider = call.provider.name;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (!stream) return;
    const reader = stream.getReader();
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        total += value.byteLength;
        if (total > MAX_SPEECH_BYTES) throw new MediaProviderError(`the speech from provider '${provider}' is over the limit of ${MAX_SPEECH_BYTES} bytes`);
        if (value.byteLength > 0) yield value;
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }
  return { contentType: SPEECH_TYPES[request.format], chunks: chunks() };
}
