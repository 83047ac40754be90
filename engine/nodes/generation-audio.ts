/**
 * NodeTool's provider-routed speech and embedding nodes (`nodetool.text.AutomaticSpeechRecognition`,
 * `nodetool.audio.TextToSpeech`, `nodetool.text.Embedding`) on OpenAI's audio and embeddings protocols.
 * NodeTool: src/nodetool/nodes/nodetool/text.py, audio.py (nodetool-base).
 */
import { transcribeLocally } from "../inference/local-asr";
import { concatBytes } from "../media/bytes";
import { bytesToBase64 } from "../media/data-uri";
import { pcmToWav } from "../providers/media/wav";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { isRecord, toText } from "../values/coerce";
import { bounded, embedAveraged, emptyMedia, mediaOf, modelRef, npVector, requiredMedia, saveGenerated } from "./generation-common";

/** OpenAI's `pcm` speech: what NodeTool's TTS providers yield and its audio chunks describe. */
const PCM_RATE = 24000;
/** Audio chunks go out about every half second of speech, not per network read. */
const CHUNK_BYTES = PCM_RATE; // 0.5 s of 16-bit mono
const MAX_TTS_CHARS = 100_000;

/** The voice NodeTool uses: the model's `selected_voice`, else its first listed voice; OpenAI needs one, so `alloy`. */
function voiceOf(model: unknown): string {
  if (!isRecord(model)) return "alloy";
  if (typeof model.selected_voice === "string" && model.selected_voice !== "") return model.selected_voice;
  if (Array.isArray(model.voices) && typeof model.voices[0] === "string" && model.voices[0] !== "") return model.voices[0];
  return "alloy";
}

export const generationAudioNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.text.AutomaticSpeechRecognition",
    description: "Transcribe audio to text using automatic speech recognition models.\n    audio, speech, recognition, transcription, ASR, whisper",
    properties: [
      prop("model", "asr_model", { type: "asr_model", provider: "fal_ai", id: "openai/whisper-large-v3", name: "", path: null }, { description: "The speech recognition model to use." }),
      prop("audio", "audio", emptyMedia("audio"), { description: "The audio to transcribe" }),
    ],
    outputs: [out("text", "str")],
    process: async (inputs, ctx) => {
      const audio = await requiredMedia(inputs.audio, ctx, "AutomaticSpeechRecognition: audio", "audio");
      // moonshine-tiny, or no provider configured at all: the gpu-runner's own model (engine/inference/local-asr.ts).
      const local = await transcribeLocally(ctx, modelRef(inputs.model), audio);
      if (local !== undefined) return { text: local };
      const media = mediaOf(ctx);
      const result = await media.transcribe({ model: modelRef(inputs.model), audio }, ctx.signal);
      return { text: result.text };
    },
  }),
  defineNode({
    type: "nodetool.audio.TextToSpeech",
    description:
      "Generate speech audio from text using any supported TTS provider. Automatically routes to the appropriate backend (OpenAI, HuggingFace, MLX).\n    audio, generation, AI, text-to-speech, tts, voice",
    properties: [
      prop(
        "model",
        "tts_model",
        { type: "tts_model", provider: "openai", id: "tts-1", name: "TTS 1", path: null, voices: ["alloy", "echo", "fable", "onyx", "nova", "shimmer"], selected_voice: "" },
        { description: "The text-to-speech model to use; its selected_voice (else its first voice) speaks." },
      ),
      prop("text", "str", "Hello! This is a text-to-speech demonstration.", { description: "Text to convert to speech" }),
      prop("speed", "float", 1.0, { min: 0.25, max: 4.0, description: "Speech speed multiplier (0.25 to 4.0)" }),
    ],
    outputs: [out("audio", "audio"), out("chunk", "chunk")],
    // NodeTool streams 24 kHz int16 mono chunks (base64, described in content_metadata) while speaking, then the
    // whole audio; OpenAI's `pcm` format is exactly those samples, so they pass through unchanged.
    gen: async function* (inputs, ctx) {
      const media = mediaOf(ctx);
      const text = toText(inputs.text);
      if (text.trim() === "") throw new Error("TextToSpeech: text is empty");
      if (text.length > MAX_TTS_CHARS) throw new Error(`TextToSpeech: text is ${text.length} characters; at most ${MAX_TTS_CHARS} are spoken at once`);
      const speed = bounded(inputs.speed ?? 1, "speed", 0.25, 4);
      const stream = await media.speech({ model: modelRef(inputs.model), input: text, voice: voiceOf(inputs.model), speed, format: "pcm" }, ctx.signal);
      const parts: Uint8Array[] = [];
      let total = 0;
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const flush = () => {
        const joined = concatBytes(pending);
        // Whole samples only: an odd byte waits for the next read (a last odd byte is no sample).
        const usable = joined.length - (joined.length % 2);
        const head = joined.subarray(0, usable);
        const rest = joined.subarray(usable);
        pending = rest.length > 0 ? [rest.slice()] : [];
        pendingBytes = rest.length;
        return head;
      };
      const chunkOf = (pcm: Uint8Array) => ({
        type: "chunk",
        node_id: ctx.nodeId,
        content: bytesToBase64(pcm),
        content_type: "audio",
        content_metadata: { sample_rate: PCM_RATE, channels: 1, dtype: "int16" },
        done: false,
      });
      for await (const piece of stream.chunks) {
        parts.push(piece);
        total += piece.byteLength;
        pending.push(piece);
        pendingBytes += piece.byteLength;
        if (pendingBytes >= CHUNK_BYTES) {
          const pcm = flush();
          if (pcm.length > 0) yield { chunk: chunkOf(pcm) };
        }
      }
      const last = flush();
      if (last.length > 0) yield { chunk: chunkOf(last) };
      if (total < 2) throw new Error("TextToSpeech: the provider sent no audio");
      const pcm = concatBytes(parts);
      const wav = pcmToWav(pcm.subarray(0, pcm.length - (pcm.length % 2)), PCM_RATE);
      const audio = await saveGenerated(ctx, { bytes: wav, contentType: "audio/wav" }, "audio", "TextToSpeech");
      yield { audio, chunk: { type: "chunk", node_id: ctx.nodeId, content: "", content_type: "audio", done: true } };
    },
  }),
  defineNode({
    type: "nodetool.text.Embedding",
    description:
      "Generate vector representations of text using any supported embedding provider.\n    Automatically routes to the appropriate backend (OpenAI, Gemini, Mistral).\n    embeddings, similarity, search, clustering, classification, vectors, semantic",
    properties: [
      // `dimensions` of the model value is not sent: the embeddings client asks for the model's full length.
      prop("model", "embedding_model", { type: "embedding_model", provider: "openai", id: "text-embedding-3-small", name: "Text Embedding 3 Small", dimensions: 0 }, { description: "The embedding model to use" }),
      prop("input", "str", "", { description: "The text to embed" }),
      prop("chunk_size", "int", 4096, { min: 1, max: 8192, description: "Size of text chunks for embedding (used when input exceeds model limits)" }),
    ],
    outputs: [out("output", "np_array")],
    process: async (inputs, ctx) => {
      const input = toText(inputs.input);
      if (input === "") throw new Error("Embedding: input text cannot be empty");
      const chunkSize = bounded(inputs.chunk_size ?? 4096, "chunk_size", 1, 8192, true);
      return { output: npVector(await embedAveraged(ctx, modelRef(inputs.model), input, chunkSize)) };
    },
  }),
];
