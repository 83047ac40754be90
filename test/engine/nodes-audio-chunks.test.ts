import { describe, expect, it } from "vitest";
import { readWav } from "../runner/kernels/av-fixtures";
import { graph, run } from "./helpers";

/**
 * ChunkToAudio with raw 16-bit PCM chunks, as TextToSpeech streams them: the samples are made here, split into
 * chunks, streamed through ForEach, and must come back as WAVs holding exactly those samples, `batch_size`
 * chunks per WAV. (Encoded chunks go to the runner: test/e2e/media-av.test.ts.)
 */

const pcmChunk = (samples: number[], meta: Record<string, unknown>) => {
  const bytes = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => bytes.writeInt16LE(s, i * 2));
  return { type: "chunk", content_type: "audio", content: bytes.toString("base64"), content_metadata: meta, done: false };
};

async function chunkToAudio(chunks: unknown[], batchSize: number) {
  const g = graph(
    [
      { id: "each", type: "nodetool.control.ForEach", data: { input_list: chunks } },
      { id: "c2a", type: "nodetool.audio.ChunkToAudio", data: { batch_size: batchSize } },
      { id: "collect", type: "nodetool.control.Collect", data: {} },
      { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
    ],
    [
      ["each", "output", "c2a", "chunk"],
      ["c2a", "audio", "collect", "input_item"],
      ["collect", "output", "out", "value"],
    ],
  );
  const r = await run(g);
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return r.result.out as Array<{ type: string; data: Uint8Array; duration: number }>;
}

describe("ChunkToAudio", () => {
  // A 10-sample ramp per chunk, different in every chunk, so order and batching both show.
  const samples = (i: number) => Array.from({ length: 10 }, (_, k) => (i * 1000 + k * 37) * (i % 2 === 0 ? 1 : -1));

  it("joins batch_size chunks per WAV and the remainder at the end, samples unchanged", async () => {
    const chunks = [0, 1, 2, 3, 4].map((i) => pcmChunk(samples(i), { sample_rate: 24000, channels: 1, dtype: "int16" }));
    const audios = await chunkToAudio(chunks, 2);
    expect(audios.map((a) => a.type)).toEqual(["audio", "audio", "audio"]);
    const wavs = audios.map((a) => readWav(a.data));
    expect(wavs.map((w) => [w.sampleRate, w.channels])).toEqual([
      [24000, 1],
      [24000, 1],
      [24000, 1],
    ]);
    expect(Array.from(wavs[0].samples)).toEqual([...samples(0), ...samples(1)]);
    expect(Array.from(wavs[1].samples)).toEqual([...samples(2), ...samples(3)]);
    expect(Array.from(wavs[2].samples)).toEqual(samples(4));
    expect(audios[2].duration).toBeCloseTo(10 / 24000, 9);
  });

  it("reads NodeTool's pcm16le metadata (rate and channels), with 44.1 kHz mono when they are missing", async () => {
    const stereo = await chunkToAudio([pcmChunk([1, -1, 2, -2], { format: "pcm16le", sample_rate: 16000, channels: 2 })], 50);
    const w = readWav(stereo[0].data);
    expect([w.sampleRate, w.channels, Array.from(w.samples)]).toEqual([16000, 2, [1, -1, 2, -2]]);
    expect(stereo[0].duration).toBeCloseTo(2 / 16000, 9);
    const bare = await chunkToAudio([pcmChunk([5, 6, 7], { encoding: "pcm16le" })], 50);
    const b = readWav(bare[0].data);
    expect([b.sampleRate, b.channels, Array.from(b.samples)]).toEqual([44100, 1, [5, 6, 7]]);
  });

  it("skips chunks that are not audio or carry nothing (TextToSpeech's final done marker), and emits nothing for none", async () => {
    const chunks = [
      { type: "chunk", content_type: "text", content: "hello", done: false },
      pcmChunk([9, 8], { dtype: "int16", sample_rate: 8000 }),
      { type: "chunk", content_type: "audio", content: "", done: true },
    ];
    const audios = await chunkToAudio(chunks, 1);
    expect(audios).toHaveLength(1);
    expect(Array.from(readWav(audios[0].data).samples)).toEqual([9, 8]);
    expect(await chunkToAudio([{ type: "chunk", content_type: "text", content: "only text" }], 1)).toEqual([]);
  });

  it("fails naming the chunk when an audio chunk's content is not base64", async () => {
    const bad = { type: "chunk", content_type: "audio", content: "%%% not base64 %%%", content_metadata: { dtype: "int16" } };
    await expect(chunkToAudio([pcmChunk([1], { dtype: "int16" }), bad], 5)).rejects.toThrow(/chunk 1.*not base64/);
  });
});
