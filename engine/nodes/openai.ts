/**
 * NodeTool's `openai.*` nodes on provider `openai` (OPENAI_API_KEY; OPENAI_BASE_URL points it at any server
 * speaking OpenAI's protocol): images, audio, embeddings, moderation and web search. Not declared:
 * `openai.agents.RealtimeAgent` and `RealtimeTranscription`, which hold a Realtime API WebSocket session
 * that this engine has no host service for.
 * NodeTool: packages/base-nodes/src/nodes/openai.ts.
 */
import type { ChatRequest } from "../providers/types";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { toBool, toText } from "../values/coerce";
import { bounded, embedAveraged, emptyMedia, isSetMedia, mediaOf, npVector, requiredMedia, saveGenerated } from "./generation-common";

const openai = (id: string) => ({ provider: "openai", id });

const IMAGE_SIZES = ["1024x1024", "1536x1024", "1024x1536"];
const QUALITIES = ["high", "medium", "low"];
const VOICES = ["alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse"];
const LANGUAGES = [
  "auto_detect", "af", "ar", "hy", "az", "be", "bn", "bs", "bg", "ca", "hr", "cs", "da", "nl", "en", "et", "tl", "fi", "fr", "gl", "de", "el", "gu", "he", "hi",
  "hu", "is", "id", "it", "ja", "kn", "kk", "ko", "lv", "lt", "mk", "ms", "zh", "mi", "mr", "ne", "no", "fa", "pl", "pt", "pa", "ro", "ru", "sr", "sk", "sl",
  "es", "sw", "sv", "ta", "te", "th", "tr", "uk", "ur", "vi", "cy",
];
const TRANSCRIBE_MODELS = ["whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe"];

function oneOf(value: unknown, values: readonly string[], what: string, fallback: string): string {
  const v = value === undefined || value === null || value === "" ? fallback : toText(value);
  if (!values.includes(v)) throw new Error(`${what} must be one of ${values.join(", ")}, got '${v}'`);
  return v;
}

/** NodeTool's AudioChunk: `{type: "audio_chunk", timestamp: [start, end], text}`. */
const audioChunks = (items: { start: number; end: number; text: string }[]) => items.map((t) => ({ type: "audio_chunk", timestamp: [t.start, t.end], text: t.text }));

export const openaiNodes: NodeDecl[] = [
  defineNode({
    type: "openai.image.CreateImage",
    description: "Generates images from textual descriptions.\n    image, t2i, tti, text-to-image, create, generate, picture, photo, art, drawing, illustration",
    properties: [
      prop("prompt", "str", "", { description: "The prompt to use." }),
      prop("model", "enum", "gpt-image-1", { values: ["gpt-image-1"], description: "The model to use for image generation." }),
      prop("size", "enum", "1024x1024", { values: IMAGE_SIZES, description: "The size of the image to generate." }),
      prop("background", "enum", "auto", { values: ["transparent", "opaque", "auto"], description: "The background of the image to generate." }),
      prop("quality", "enum", "high", { values: QUALITIES, description: "The quality of the image to generate." }),
    ],
    outputs: [out("output", "image")],
    process: async (inputs, ctx) => {
      const prompt = toText(inputs.prompt);
      if (prompt === "") throw new Error("Prompt cannot be empty");
      const request = {
        model: openai(toText(inputs.model || "gpt-image-1")),
        prompt,
        size: oneOf(inputs.size, IMAGE_SIZES, "size", "1024x1024"),
        background: oneOf(inputs.background, ["transparent", "opaque", "auto"], "background", "auto"),
        quality: oneOf(inputs.quality, QUALITIES, "quality", "high"),
      };
      const image = await mediaOf(ctx).generateImage(request, ctx.signal);
      return { output: await saveGenerated(ctx, image, "image", "CreateImage") };
    },
  }),
  defineNode({
    type: "openai.image.EditImage",
    description:
      "Edit images using OpenAI's gpt-image-1 model.\n    image, edit, modify, transform, inpaint, outpaint, variation\n\n    Takes an input image and a text prompt to generate a modified version.\n    Can be used for inpainting, outpainting, style transfer, and image modification.\n    Optionally accepts a mask to specify which areas to edit.",
    properties: [
      prop("image", "image", emptyMedia("image"), { description: "The image to edit." }),
      prop("mask", "image", emptyMedia("image"), { description: "Optional mask image. White areas will be edited, black areas preserved." }),
      prop("prompt", "str", "", { description: "The prompt describing the desired edit." }),
      prop("model", "enum", "gpt-image-1", { values: ["gpt-image-1"], description: "The model to use for image editing." }),
      prop("size", "enum", "1024x1024", { values: IMAGE_SIZES, description: "The size of the output image." }),
      prop("quality", "enum", "high", { values: QUALITIES, description: "The quality of the generated image." }),
    ],
    outputs: [out("output", "image")],
    process: async (inputs, ctx) => {
      const prompt = toText(inputs.prompt);
      if (prompt === "") throw new Error("Edit prompt cannot be empty");
      const image = await requiredMedia(inputs.image, ctx, "EditImage: image", "image");
      const mask = isSetMedia(inputs.mask) ? await requiredMedia(inputs.mask, ctx, "EditImage: mask", "image") : undefined;
      const request = {
        model: openai(toText(inputs.model || "gpt-image-1")),
        prompt,
        image,
        mask,
        size: oneOf(inputs.size, IMAGE_SIZES, "size", "1024x1024"),
        quality: oneOf(inputs.quality, QUALITIES, "quality", "high"),
      };
      const result = await mediaOf(ctx).editImage(request, ctx.signal);
      return { output: await saveGenerated(ctx, result, "image", "EditImage") };
    },
  }),
  defineNode({
    type: "openai.audio.TextToSpeech",
    description: "Converts text to speech using OpenAI TTS models.\n    audio, tts, text-to-speech, voice, synthesis",
    properties: [
      prop("model", "enum", "tts-1", { values: ["tts-1", "tts-1-hd", "gpt-4o-mini-tts"] }),
      prop("voice", "enum", "alloy", { values: VOICES }),
      prop("input", "str", ""),
      prop("speed", "float", 1.0, { min: 0.25, max: 4 }),
    ],
    outputs: [out("output", "audio")],
    process: async (inputs, ctx) => {
      const input = toText(inputs.input);
      if (input.trim() === "") throw new Error("TextToSpeech: input is empty");
      const speed = bounded(inputs.speed ?? 1, "speed", 0.25, 4);
      const stream = await mediaOf(ctx).speech(
        { model: openai(toText(inputs.model || "tts-1")), input, voice: oneOf(inputs.voice, VOICES, "voice", "alloy"), speed, format: "mp3" },
        ctx.signal,
      );
      const parts: Uint8Array[] = [];
      for await (const piece of stream.chunks) parts.push(piece);
      const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.byteLength;
      }
      if (bytes.length === 0) throw new Error("TextToSpeech: the provider sent no audio");
      return { output: await saveGenerated(ctx, { bytes, contentType: stream.contentType }, "audio", "TextToSpeech") };
    },
  }),
  defineNode({
    type: "openai.audio.Transcribe",
    description: "Converts speech to text using OpenAI's speech-to-text API.\n    audio, transcription, speech-to-text, stt, whisper",
    properties: [
      prop("model", "enum", "whisper-1", { values: TRANSCRIBE_MODELS, description: "The model to use for transcription." }),
      prop("audio", "audio", emptyMedia("audio"), { description: "The audio file to transcribe (max 25 MB)." }),
      prop("language", "enum", "auto_detect", { values: LANGUAGES, description: "The language of the input audio" }),
      prop("timestamps", "bool", false, { description: "Whether to return timestamps for the generated text." }),
      prop("prompt", "str", "", { description: "Optional text to guide the model's style or continue a previous audio segment." }),
      prop("temperature", "float", 0, { min: 0, max: 1, description: "The sampling temperature between 0 and 1." }),
    ],
    outputs: [out("text", "str"), out("words", "list[audio_chunk]"), out("segments", "list[audio_chunk]")],
    process: async (inputs, ctx) => {
      const model = oneOf(inputs.model, TRANSCRIBE_MODELS, "model", "whisper-1");
      const language = oneOf(inputs.language, LANGUAGES, "language", "auto_detect");
      const timestamps = toBool(inputs.timestamps);
      // NodeTool: the gpt-4o transcription models have no verbose_json, hence no timestamps.
      if (timestamps && model !== "whisper-1") throw new Error(`${model} does not return timestamps; use whisper-1 or turn timestamps off`);
      const audio = await requiredMedia(inputs.audio, ctx, "Transcribe: audio", "audio");
      const result = await mediaOf(ctx).transcribe(
        {
          model: openai(model),
          audio,
          language: language === "auto_detect" ? undefined : language,
          prompt: toText(inputs.prompt) || undefined,
          temperature: bounded(inputs.temperature ?? 0, "temperature", 0, 1),
          timestamps,
        },
        ctx.signal,
      );
      return { text: result.text, words: timestamps ? audioChunks(result.words) : [], segments: timestamps ? audioChunks(result.segments) : [] };
    },
  }),
  defineNode({
    type: "openai.audio.Translate",
    description: "Translates speech in audio to English text.\n    audio, translation, speech-to-text, localization",
    properties: [
      prop("audio", "audio", emptyMedia("audio"), { description: "The audio file to translate." }),
      prop("temperature", "float", 0.0, { description: "The temperature to use for the translation." }),
    ],
    outputs: [out("output", "str")],
    process: async (inputs, ctx) => {
      const audio = await requiredMedia(inputs.audio, ctx, "Translate: audio", "audio");
      const temperature = bounded(inputs.temperature ?? 0, "temperature", 0, 1);
      const result = await mediaOf(ctx).translate({ model: openai("whisper-1"), audio, temperature }, ctx.signal);
      return { output: result.text };
    },
  }),
  defineNode({
    type: "openai.text.Embedding",
    description: "Generate vector representations of text for semantic analysis.\n    embeddings, similarity, search, clustering, classification",
    properties: [
      prop("input", "str", ""),
      prop("model", "enum", "text-embedding-3-small", { values: ["text-embedding-3-large", "text-embedding-3-small"] }),
      prop("chunk_size", "int", 4096),
    ],
    outputs: [out("output", "np_array")],
    process: async (inputs, ctx) => {
      const input = toText(inputs.input);
      if (input === "") throw new Error("Embedding: input text cannot be empty");
      const chunkSize = bounded(inputs.chunk_size ?? 4096, "chunk_size", 1, 1_000_000, true);
      const model = oneOf(inputs.model, ["text-embedding-3-large", "text-embedding-3-small"], "model", "text-embedding-3-small");
      return { output: npVector(await embedAveraged(ctx, openai(model), input, chunkSize)) };
    },
  }),
  defineNode({
    type: "openai.text.Moderation",
    description: "Check text content for potential policy violations using OpenAI's moderation API.\n    moderation, safety, content, filter, policy, harmful, toxic",
    properties: [
      prop("input", "str", "", { description: "The text content to check for policy violations." }),
      prop("model", "enum", "omni-moderation-latest", {
        values: ["omni-moderation-latest", "omni-moderation-2024-09-26", "text-moderation-latest", "text-moderation-stable"],
        description: "The moderation model to use.",
      }),
    ],
    outputs: [out("flagged", "bool"), out("categories", "dict[str, bool]"), out("category_scores", "dict[str, float]")],
    process: async (inputs, ctx) => {
      const input = toText(inputs.input);
      if (input === "") throw new Error("Input text cannot be empty");
      const result = await mediaOf(ctx).moderate(openai(toText(inputs.model || "omni-moderation-latest")), input, ctx.signal);
      return { flagged: result.flagged, categories: result.categories, category_scores: result.category_scores };
    },
  }),
  defineNode({
    type: "openai.text.WebSearch",
    description:
      "🔍 OpenAI Web Search - Searches the web using OpenAI's web search capabilities.\n\n    This node uses an OpenAI model equipped with web search functionality\n    (like gpt-4o with search preview) to answer queries based on current web information.\n    Requires an OpenAI API key.",
    properties: [prop("query", "str", "", { description: "The search query to execute." })],
    outputs: [out("output", "str")],
    process: async (inputs, ctx) => {
      const query = toText(inputs.query);
      if (query === "") throw new Error("Search query cannot be empty");
      const llm = ctx.services.llm;
      if (!llm) throw new Error("No OpenAI provider is available to this run (configure OPENAI_API_KEY)");
      // Chat Completions with OpenAI's search model and `web_search_options`, as NodeTool sends it.
      const request: ChatRequest = { model: "openai:gpt-4o-search-preview", messages: [{ role: "user", content: query }], web_search_options: {} };
      let text = "";
      for await (const c of llm.streamChat(request, ctx.signal)) {
        const delta = c.choices?.[0]?.delta;
        if (delta && typeof delta.content === "string") text += delta.content;
      }
      return { output: text };
    },
  }),
];
