import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAIEmbeddingService } from "../../engine/embeddings/client";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import { OpenAIMediaService } from "../../engine/providers/media/service";
import { ChatService } from "../../engine/providers/service";
import type { ChatSettings } from "../../engine/providers/types";
import type { EngineServices } from "../../engine/registry/types";
import { graph, registry } from "./helpers";
import { MEDIA_KEY, png, startMediaUpstream, type MediaUpstream } from "./nodes-generation-upstream";

/** NodeTool's `openai.*` nodes against a loopback server speaking OpenAI's protocols as provider `openai`. */

let upstream: MediaUpstream;
let settings: ChatSettings;
const SPEECH_WAV = readFileSync(new URL("../fixtures/speech.wav", import.meta.url));

beforeAll(async () => {
  upstream = await startMediaUpstream();
  settings = { providers: [{ name: "openai", kind: "openai", baseUrl: `${upstream.url}/v1`, apiKey: MEDIA_KEY }], aliases: {}, problems: [] };
});
afterAll(() => upstream.close());

function services(s: ChatSettings = settings): Partial<EngineServices> & { blobs: MemoryBlobStore } {
  return { blobs: new MemoryBlobStore(), media: new OpenAIMediaService(s), embeddings: new OpenAIEmbeddingService(s), llm: new ChatService(s, { log: () => {} }) };
}

async function runOne(type: string, data: Record<string, unknown>, handles: string[], svc = services()) {
  const g = graph(
    [{ id: "n", type, data }, ...handles.map((h) => ({ id: `o_${h}`, type: "nodetool.output.Output", data: { name: h } }))],
    handles.map((h) => ["n", h, `o_${h}`, "value"] as [string, string, string, string]),
  );
  const before = upstream.requests.length;
  const r = await runWorkflow(g, {}, { registry, services: svc });
  return { ...r, requests: upstream.requests.slice(before), firstIndex: before, svc };
}

const stored = (svc: { blobs: MemoryBlobStore }, ref: unknown) => svc.blobs.objects.get((ref as { uri: string }).uri)!;
const wav = { type: "audio", uri: "", data: SPEECH_WAV };

describe("openai.image", () => {
  it("CreateImage sends size, quality and background as chosen and stores the PNG", async () => {
    const r = await runOne("openai.image.CreateImage", { prompt: "a lighthouse", size: "1536x1024", background: "transparent", quality: "low" }, ["output"]);
    expect(r.status, r.error).toBe("completed");
    expect(r.requests[0].json).toEqual({ model: "gpt-image-1", prompt: "a lighthouse", n: 1, size: "1536x1024", quality: "low", background: "transparent" });
    expect(Buffer.from(stored(r.svc, r.result.output).bytes).equals(upstream.sent.get(r.firstIndex)!)).toBe(true);
    expect((await runOne("openai.image.CreateImage", { prompt: "" }, ["output"])).error).toMatch(/Prompt cannot be empty/);
    expect((await runOne("openai.image.CreateImage", { prompt: "x", size: "800x600" }, ["output"])).error).toMatch(/size must be one of 1024x1024/);
  });

  it("EditImage sends the image and the mask as files", async () => {
    const image = png(16, 16, [200, 0, 0]);
    const mask = png(16, 16, [255, 255, 255]);
    const r = await runOne("openai.image.EditImage", { image: { type: "image", uri: "", data: image }, mask: { type: "image", uri: "", data: mask }, prompt: "make it blue" }, ["output"]);
    expect(r.status, r.error).toBe("completed");
    const req = r.requests[0];
    expect(req.path).toBe("/v1/images/edits");
    expect(req.files!.image.bytes.equals(image)).toBe(true);
    expect(req.files!.mask).toMatchObject({ name: "mask.png", type: "image/png" });
    expect(req.files!.mask.bytes.equals(mask)).toBe(true);
    expect(Object.fromEntries(req.fields!)).toMatchObject({ model: "gpt-image-1", size: "1024x1024", quality: "high", prompt: "make it blue" });
  });
});

describe("openai.audio", () => {
  it("TextToSpeech asks for MP3 with the chosen voice and stores it", async () => {
    const r = await runOne("openai.audio.TextToSpeech", { model: "tts-1-hd", voice: "coral", input: "Hello there", speed: 0.5 }, ["output"]);
    expect(r.status, r.error).toBe("completed");
    expect(r.requests[0].json).toEqual({ model: "tts-1-hd", input: "Hello there", voice: "coral", response_format: "mp3", speed: 0.5 });
    const obj = stored(r.svc, r.result.output);
    expect(obj.contentType).toBe("audio/mpeg");
    expect(Buffer.from(obj.bytes).equals(upstream.sent.get(r.firstIndex)!)).toBe(true);
  });

  it("Transcribe passes language, prompt and temperature, and returns words and segments as audio chunks", async () => {
    const r = await runOne("openai.audio.Transcribe", { audio: wav, language: "en", timestamps: true, prompt: "names: Ada", temperature: 0.2 }, ["text", "words", "segments"]);
    expect(r.status, r.error).toBe("completed");
    expect(r.requests[0].fields).toEqual([
      ["model", "whisper-1"],
      ["response_format", "verbose_json"],
      ["timestamp_granularities[]", "word"],
      ["timestamp_granularities[]", "segment"],
      ["language", "en"],
      ["prompt", "names: Ada"],
      ["temperature", "0.2"],
    ]);
    expect(r.result.text).toMatch(/^heard 2.23 s of audio\/wav/);
    expect(r.result.words).toEqual([
      { type: "audio_chunk", timestamp: [0, 0.5], text: "hello" },
      { type: "audio_chunk", timestamp: [0.5, 1.1], text: "world" },
    ]);
    expect(r.result.segments).toEqual([{ type: "audio_chunk", timestamp: [0, 1.1], text: " hello world" }]);
    const plain = await runOne("openai.audio.Transcribe", { audio: wav }, ["words"]);
    expect(plain.requests[0].fields).toEqual([["model", "whisper-1"], ["response_format", "json"], ["temperature", "0"]]);
    expect(plain.result.words).toEqual([]);
    const noStamps = await runOne("openai.audio.Transcribe", { audio: wav, model: "gpt-4o-transcribe", timestamps: true }, ["text"]);
    expect(noStamps.error).toMatch(/gpt-4o-transcribe does not return timestamps/);
    expect(noStamps.requests).toHaveLength(0);
  });

  it("Translate posts to /audio/translations with whisper-1", async () => {
    const r = await runOne("openai.audio.Translate", { audio: wav, temperature: 0.3 }, ["output"]);
    expect(r.requests[0].path).toBe("/v1/audio/translations");
    expect(r.result.output).toMatch(/^translated 2.23 s .* with whisper-1$/);
  });
});

describe("openai.text", () => {
  it("Embedding averages the chunks' embeddings", async () => {
    const r = await runOne("openai.text.Embedding", { input: "abcab", model: "text-embedding-3-large", chunk_size: 2 }, ["output"]);
    expect(r.requests[0].json).toMatchObject({ model: "text-embedding-3-large", input: ["ab", "ca", "b"] });
    expect(r.result.output).toEqual({ type: "np_array", value: [5 / 3, 2 / 3, 1], dtype: "<f8", shape: [3] });
  });

  it("Moderation returns flagged, categories and scores", async () => {
    const r = await runOne("openai.text.Moderation", { input: "I will kill the process" }, ["flagged", "categories", "category_scores"]);
    expect(r.requests[0].json).toEqual({ model: "omni-moderation-latest", input: "I will kill the process" });
    expect(r.result).toEqual({ flagged: true, categories: { violence: true, hate: false }, category_scores: { violence: 0.9, hate: 0.001 } });
  });

  it("WebSearch asks OpenAI's search model with web_search_options", async () => {
    const r = await runOne("openai.text.WebSearch", { query: "weather in Oslo" }, ["output"]);
    expect(r.requests[0].json).toMatchObject({ model: "gpt-4o-search-preview", web_search_options: {}, messages: [{ role: "user", content: "weather in Oslo" }] });
    expect(r.result.output).toBe("searched: weather in Oslo");
  });

  it("needs provider openai: another OpenAI-compatible server alone is not used for openai.* nodes", async () => {
    const other: ChatSettings = { providers: [{ name: "ollama", kind: "openai", baseUrl: `${upstream.url}/local/v1`, apiKey: MEDIA_KEY }], aliases: {}, problems: [] };
    const r = await runOne("openai.text.Moderation", { input: "hello" }, ["flagged"], services(other));
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/provider 'openai' \(model 'omni-moderation-latest'\) is not configured on this server; configured OpenAI-compatible providers: ollama/);
    expect(r.requests).toHaveLength(0);
  });
});
