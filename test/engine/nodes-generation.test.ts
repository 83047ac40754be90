import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAIEmbeddingService } from "../../engine/embeddings/client";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import { imageSize, videoSize } from "../../engine/providers/media/params";
import { OpenAIMediaService } from "../../engine/providers/media/service";
import type { ChatSettings } from "../../engine/providers/types";
import type { EngineServices } from "../../engine/registry/types";
import type { EngineMessage } from "../../schema/messages";
import { graph, registry } from "./helpers";
import { MEDIA_KEY, png, startMediaUpstream, type MediaUpstream } from "./nodes-generation-upstream";

/**
 * The provider-routed generation nodes (nodetool.image/audio/text/video) through the real executor, against
 * a loopback server speaking OpenAI's media protocols; media in and out through a blob store.
 */

let upstream: MediaUpstream;
let settings: ChatSettings;
const SPEECH_WAV = readFileSync(new URL("../fixtures/speech.wav", import.meta.url));

beforeAll(async () => {
  upstream = await startMediaUpstream();
  settings = {
    providers: [
      { name: "openai", kind: "openai", baseUrl: `${upstream.url}/v1`, apiKey: MEDIA_KEY },
      { name: "anthropic", kind: "anthropic", baseUrl: upstream.url, apiKey: "sk-ant" },
      { name: "local", kind: "openai", baseUrl: `${upstream.url}/local/v1`, apiKey: MEDIA_KEY },
    ],
    aliases: {},
    problems: [],
  };
});
afterAll(() => upstream.close());

function services(blobs = new MemoryBlobStore(), s: ChatSettings = settings): Partial<EngineServices> & { blobs: MemoryBlobStore } {
  return { blobs, media: new OpenAIMediaService(s, { videoPollMs: 5 }), embeddings: new OpenAIEmbeddingService(s) };
}

/** Runs one node, its named outputs wired to Output nodes; returns the run and every message. */
async function runOne(type: string, data: Record<string, unknown>, handles: string[], svc = services()) {
  const g = graph(
    [{ id: "n", type, data }, ...handles.map((h) => ({ id: `o_${h}`, type: "nodetool.output.Output", data: { name: h } }))],
    handles.map((h) => ["n", h, `o_${h}`, "value"] as [string, string, string, string]),
  );
  const messages: EngineMessage[] = [];
  const before = upstream.requests.length;
  const r = await runWorkflow(g, {}, { registry, services: svc, emit: (m) => messages.push(m) });
  return { ...r, messages, requests: upstream.requests.slice(before), firstIndex: before, svc };
}

const stored = (svc: { blobs: MemoryBlobStore }, ref: unknown) => svc.blobs.objects.get((ref as { uri: string }).uri)!;
const logs = (messages: EngineMessage[]) => messages.filter((m) => m.type === "log_update").map((m) => (m as { content: string }).content).join("\n");

describe("image size mapping", () => {
  it("snaps OpenAI's models to their nearest allowed size and sends other models' sizes as asked", () => {
    expect(imageSize("gpt-image-1", 1400, 1400)).toBe("1024x1024");
    expect(imageSize("gpt-image-1", 1920, 1080)).toBe("1536x1024");
    expect(imageSize("gpt-image-1", 720, 1280)).toBe("1024x1536");
    expect(imageSize("dall-e-3", 1280, 720)).toBe("1792x1024");
    expect(imageSize("dall-e-2", 300, 200)).toBe("512x512");
    expect(imageSize("stable-diffusion-xl", 640, 384)).toBe("640x384");
    expect(videoSize("sora-2", "9:16", "720p")).toBe("720x1280");
    expect(videoSize("sora-2-pro", "16:9", "1080p")).toBe("1792x1024");
    expect(videoSize("wan-2.1", "4:3", "480p")).toBe("640x480");
  });
});

describe("nodetool.image.TextToImage", () => {
  it("with an empty model (as NodeTool's examples save it) asks OpenAI's default model and stores the image as an asset", async () => {
    const r = await runOne("nodetool.image.TextToImage", { model: {}, prompt: "an album cover", width: 1400, height: 1400, negative_prompt: "blurry" }, ["output"]);
    expect(r.status, r.error).toBe("completed");
    expect(r.requests).toHaveLength(1);
    const req = r.requests[0];
    expect(req).toMatchObject({ method: "POST", path: "/v1/images/generations", provider: "openai", auth: `Bearer ${MEDIA_KEY}` });
    expect(req.json).toEqual({ model: "gpt-image-1", prompt: "an album cover", n: 1, size: "1024x1024" });
    const out = r.result.output as { type: string; uri: string; asset_id: string };
    expect(out.type).toBe("image");
    expect(out.uri).toMatch(/^asset:\/\/\w+\.png$/);
    const obj = stored(r.svc, out);
    expect(obj.kind).toBe("asset");
    expect(obj.contentType).toBe("image/png");
    expect(Buffer.from(obj.bytes).equals(upstream.sent.get(r.firstIndex)!)).toBe(true);
    expect(logs(r.messages)).toMatch(/negative_prompt: not supported by OpenAI's images API/);
  });

  it("sends another provider's model its exact size with response_format b64_json", async () => {
    const r = await runOne("nodetool.image.TextToImage", { model: { type: "image_model", provider: "local", id: "sdxl" }, prompt: "a fox", width: 640, height: 384 }, ["output"]);
    expect(r.status, r.error).toBe("completed");
    expect(r.requests[0]).toMatchObject({ provider: "local", path: "/v1/images/generations" });
    expect(r.requests[0].json).toEqual({ model: "sdxl", prompt: "a fox", n: 1, size: "640x384", response_format: "b64_json" });
    const bytes = stored(r.svc, r.result.output).bytes;
    expect(Buffer.from(bytes.subarray(16, 24)).readUInt32BE(0)).toBe(640);
    expect(Buffer.from(bytes.subarray(16, 24)).readUInt32BE(4)).toBe(384);
  });

  it("fails clearly for a provider this server lacks, for Anthropic, for a provider error and for bad sizes", async () => {
    const fal = await runOne("nodetool.image.TextToImage", { model: { type: "image_model", provider: "huggingface_fal_ai", id: "fal-ai/flux/schnell" }, prompt: "x" }, ["output"]);
    expect(fal.status).toBe("failed");
    expect(fal.error).toMatch(/provider 'huggingface_fal_ai' \(model 'fal-ai\/flux\/schnell'\) is not configured.*openai, local/);
    const claude = await runOne("nodetool.image.TextToImage", { model: { provider: "anthropic", id: "claude" }, prompt: "x" }, ["output"]);
    expect(claude.error).toMatch(/provider 'anthropic' has no image generation API/);
    const refused = await runOne("nodetool.image.TextToImage", { model: {}, prompt: "please refuse" }, ["output"]);
    expect(refused.status).toBe("failed");
    expect(refused.error).toMatch(/rejected by the safety system/);
    const big = await runOne("nodetool.image.TextToImage", { model: {}, prompt: "x", width: 4096 }, ["output"]);
    expect(big.error).toMatch(/width must be an integer from 64 to 2048/);
    expect(big.requests).toHaveLength(0);
    const none = await runOne("nodetool.image.TextToImage", { model: {}, prompt: "x" }, ["output"], { blobs: new MemoryBlobStore() });
    expect(none.error).toMatch(/No generation provider is available/);
  });
});

describe("nodetool.image.ImageToImage", () => {
  it("sends the stored image to /images/edits as a multipart file and stores the result", async () => {
    const blobs = new MemoryBlobStore();
    const input = png(32, 16, [10, 20, 30]);
    const uri = blobs.add(input, "image/png");
    const r = await runOne("nodetool.image.ImageToImage", { model: {}, image: { type: "image", uri }, prompt: "as a painting", target_width: 1200, target_height: 1200, strength: 0.65 }, ["output"], services(blobs));
    expect(r.status, r.error).toBe("completed");
    const req = r.requests[0];
    expect(req.path).toBe("/v1/images/edits");
    expect(req.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(Object.fromEntries(req.fields!)).toEqual({ model: "gpt-image-1", prompt: "as a painting", n: "1", size: "1024x1024" });
    expect(req.files!.image).toMatchObject({ name: "image.png", type: "image/png" });
    expect(req.files!.image.bytes.equals(input)).toBe(true);
    expect(Buffer.from(stored(r.svc, r.result.output).bytes).equals(upstream.sent.get(r.firstIndex)!)).toBe(true);
    expect(logs(r.messages)).toMatch(/strength: not supported/);
  });

  it("requires an image", async () => {
    const r = await runOne("nodetool.image.ImageToImage", { model: {}, prompt: "x" }, ["output"]);
    expect(r.error).toMatch(/ImageToImage: image is required/);
  });
});

describe("nodetool.text.AutomaticSpeechRecognition", () => {
  it("uploads the WAV as multipart to /audio/transcriptions and outputs the text", async () => {
    const blobs = new MemoryBlobStore();
    const uri = blobs.add(SPEECH_WAV, "audio/wav");
    const r = await runOne("nodetool.text.AutomaticSpeechRecognition", { model: {}, audio: { type: "audio", uri } }, ["text"], services(blobs));
    expect(r.status, r.error).toBe("completed");
    const req = r.requests[0];
    expect(req.path).toBe("/v1/audio/transcriptions");
    expect(Object.fromEntries(req.fields!)).toEqual({ model: "whisper-1", response_format: "json" });
    expect(req.files!.file).toMatchObject({ name: "audio.wav", type: "audio/wav" });
    expect(req.files!.file.bytes.equals(SPEECH_WAV)).toBe(true);
    expect(r.result.text).toBe("heard 2.23 s of audio/wav (audio.wav) with whisper-1");
  });

  it("routes a model id with its provider, and refuses a missing model with the provider's 404", async () => {
    const data = { type: "audio", uri: "", data: SPEECH_WAV };
    const r = await runOne("nodetool.text.AutomaticSpeechRecognition", { model: { type: "asr_model", provider: "local", id: "whisper-large-v3" }, audio: data }, ["text"]);
    expect(r.requests[0].provider).toBe("local");
    expect(r.result.text).toMatch(/with whisper-large-v3$/);
    const missing = await runOne("nodetool.text.AutomaticSpeechRecognition", { model: { provider: "openai", id: "missing-model" }, audio: data }, ["text"]);
    expect(missing.status).toBe("failed");
    expect(missing.error).toMatch(/model 'missing-model' does not exist on provider 'openai'/);
  });
});

describe("nodetool.audio.TextToSpeech", () => {
  it("streams 24 kHz int16 chunks as NodeTool does, then stores the whole speech as WAV", async () => {
    const model = { type: "tts_model", provider: "openai", id: "tts-1", voices: ["alloy", "echo"], selected_voice: "echo" };
    const r = await runOne("nodetool.audio.TextToSpeech", { model, text: "one two three four five", speed: 1.5 }, ["audio", "chunk"]);
    expect(r.status, r.error).toBe("completed");
    expect(r.requests[0].json).toEqual({ model: "tts-1", input: "one two three four five", voice: "echo", response_format: "pcm", speed: 1.5 });
    const pcm = upstream.sent.get(r.firstIndex)!;
    expect(pcm.length).toBe(5 * 24000);
    const chunks = r.messages.filter((m) => m.type === "output_update" && m.output_name === "chunk").map((m) => (m as { value: Record<string, unknown> }).value);
    const audioChunks = chunks.filter((c) => c.done === false);
    expect(audioChunks.length).toBeGreaterThanOrEqual(4);
    expect(audioChunks[0]).toMatchObject({ type: "chunk", content_type: "audio", content_metadata: { sample_rate: 24000, channels: 1, dtype: "int16" } });
    const joined = Buffer.concat(audioChunks.map((c) => Buffer.from(c.content as string, "base64")));
    expect(joined.equals(pcm)).toBe(true);
    expect(chunks[chunks.length - 1]).toMatchObject({ content: "", done: true });
    const wav = Buffer.from(stored(r.svc, r.result.audio).bytes);
    expect(wav.subarray(0, 4).toString("ascii")).toBe("RIFF");
    expect(wav.readUInt32LE(24)).toBe(24000);
    expect(wav.readUInt32LE(40)).toBe(pcm.length);
    expect(wav.subarray(44).equals(pcm)).toBe(true);
  });

  it("its chunk stream into ChunkToAudio gives back the speech: one WAV per batch_size chunks, samples unchanged", async () => {
    const model = { type: "tts_model", provider: "openai", id: "tts-1", voices: ["alloy"], selected_voice: "alloy" };
    const g = graph(
      [
        { id: "tts", type: "nodetool.audio.TextToSpeech", data: { model, text: "one two three four five" } },
        { id: "c2a", type: "nodetool.audio.ChunkToAudio", data: { batch_size: 2 } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
        { id: "chunks", type: "nodetool.output.Output", data: { name: "chunks" } },
      ],
      [
        ["tts", "chunk", "c2a", "chunk"],
        ["c2a", "audio", "out", "value"],
        ["tts", "chunk", "chunks", "value"],
      ],
    );
    const svc = services();
    const before = upstream.requests.length;
    const r = await runWorkflow(g, {}, { registry, services: svc, emit: () => undefined });
    expect(r.status, r.error).toBe("completed");
    const pcm = upstream.sent.get(before)!;
    const wavs = (r.outputs.out as Array<{ uri: string }>).map((ref) => Buffer.from(stored(svc, ref).bytes));
    // TextToSpeech's chunk sizes follow the upstream's reads (at least 0.5 s each); its final marker is empty.
    const spoken = (r.outputs.chunks as Array<{ done: boolean }>).filter((c) => !c.done).length;
    expect(spoken).toBeGreaterThanOrEqual(2);
    expect(wavs.length).toBe(Math.ceil(spoken / 2));
    for (const wav of wavs) expect([wav.subarray(0, 4).toString("ascii"), wav.readUInt32LE(24), wav.readUInt16LE(22)]).toEqual(["RIFF", 24000, 1]);
    expect(Buffer.concat(wavs.map((w) => w.subarray(44))).equals(pcm)).toBe(true);
  });

  it("uses the model's first voice when none is selected, and bounds speed", async () => {
    const r = await runOne("nodetool.audio.TextToSpeech", { model: { provider: "openai", id: "tts-1", voices: ["nova"], selected_voice: "" }, text: "hi" }, ["audio"]);
    expect(r.requests[0].json).toMatchObject({ voice: "nova" });
    const fast = await runOne("nodetool.audio.TextToSpeech", { model: {}, text: "hi", speed: 9 }, ["audio"]);
    expect(fast.error).toMatch(/speed must be a number from 0.25 to 4/);
  });
});

describe("nodetool.text.Embedding", () => {
  it("embeds the input in chunk_size pieces and averages them into an np_array", async () => {
    const r = await runOne("nodetool.text.Embedding", { model: { type: "embedding_model", provider: "local", id: "nomic" }, input: "aaaa bb a", chunk_size: 4 }, ["output"]);
    expect(r.status, r.error).toBe("completed");
    expect(r.requests[0]).toMatchObject({ provider: "local", path: "/v1/embeddings" });
    expect(r.requests[0].json).toMatchObject({ model: "nomic", input: ["aaaa", " bb ", "a"] });
    // [length, count of a, 1] per chunk: [4,4,1], [4,0,1], [1,1,1]
    expect(r.result.output).toEqual({ type: "np_array", value: [3, 5 / 3, 1], dtype: "<f8", shape: [3] });
  });

  it("refuses an empty input as NodeTool does", async () => {
    expect((await runOne("nodetool.text.Embedding", { input: "" }, ["output"])).error).toMatch(/input text cannot be empty/);
  });
});

describe("nodetool.video.TextToVideo and ImageToVideo", () => {
  it("starts a Sora job, polls it to completion, downloads the MP4 and stores it", async () => {
    const r = await runOne("nodetool.video.TextToVideo", { model: {}, prompt: "a launch video", aspect_ratio: "9:16", resolution: "720p", num_frames: 120 }, ["output"]);
    expect(r.status, r.error).toBe("completed");
    expect(r.requests.map((q) => `${q.method} ${q.path}`)).toEqual(["POST /v1/videos", `GET /v1/videos/video_${r.firstIndex}`, `GET /v1/videos/video_${r.firstIndex}`, `GET /v1/videos/video_${r.firstIndex}/content`]);
    expect(Object.fromEntries(r.requests[0].fields!)).toEqual({ model: "sora-2", prompt: "a launch video", size: "720x1280" });
    const obj = stored(r.svc, r.result.output);
    expect(obj.contentType).toBe("video/mp4");
    expect(Buffer.from(obj.bytes).equals(upstream.sent.get(r.firstIndex + 3)!)).toBe(true);
    expect(r.messages.some((m) => m.type === "node_progress" && (m as { progress: number }).progress === 50)).toBe(true);
    expect(logs(r.messages)).toMatch(/num_frames: not supported by OpenAI's videos API/);
  });

  it("sends ImageToVideo's image as input_reference, and reports a failed job", async () => {
    const image = png(8, 8, [1, 2, 3]);
    const r = await runOne("nodetool.video.ImageToVideo", { model: { provider: "openai", id: "sora-2" }, image: { type: "image", uri: "", data: image }, prompt: "zoom" }, ["output"]);
    expect(r.status, r.error).toBe("completed");
    expect(r.requests[0].files!.input_reference).toMatchObject({ name: "input.png", type: "image/png" });
    expect(r.requests[0].files!.input_reference.bytes.equals(image)).toBe(true);
    const failed = await runOne("nodetool.video.TextToVideo", { model: {}, prompt: "explode" }, ["output"]);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/video generation on provider 'openai' \(model 'sora-2'\) failed: the prompt was blocked/);
  });
});
