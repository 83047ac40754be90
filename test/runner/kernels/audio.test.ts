import { describe, expect, it } from "vitest";
import { audioKernel } from "../../../gpu-runner/src/kernels/audio";
import { CancelledError } from "../../../gpu-runner/src/kernels/types";
import { type InferRequestInput, InferRequestSchema } from "../../../schema/runner";
import { ffmpegConvert, readWav, tone, wav } from "./av-fixtures";
import { testContext } from "./context";

/**
 * The audio kernel on tones written here sample by sample. Expected samples follow pydub's rules worked out in
 * this file (audioop's floor-and-clip, per-millisecond fade steps, truncating ms-to-frame positions), never
 * the kernel's own helpers.
 */

async function run(request: Omit<Extract<InferRequestInput, { kernel: "audio" }>, "kernel">, ctx = testContext()) {
  const parsed = InferRequestSchema.parse({ kernel: "audio", ...request });
  if (parsed.kernel !== "audio") throw new Error("not an audio request");
  const result = await audioKernel.run(parsed, ctx);
  expect(result.outputs).toHaveLength(1);
  expect(result.outputs[0].content_type).toBe("audio/wav");
  return { ...readWav(result.outputs[0].data), duration: result.outputs[0].duration };
}

const RATE = 8000;
const A440 = tone(RATE, 1, 440, 10000);
// `+ 0` turns Math.round's -0 into the 0 an Int16Array holds.
const a440 = (f: number) => Math.round(10000 * Math.sin((2 * Math.PI * 440 * f) / RATE)) + 0;
const fbound = (v: number) => (v > 32767 ? 32767 : v < -32767 ? -32768 : Math.floor(v)) + 0;

describe("audio kernel", () => {
  it("decodes a WAV to the same samples and keeps rate and channels", async () => {
    const out = await run({ media: [A440], ops: [] });
    expect(out.sampleRate).toBe(RATE);
    expect(out.channels).toBe(1);
    expect(out.samples.length).toBe(RATE);
    for (const f of [0, 1, 17, 4000, 7999]) expect(out.samples[f]).toBe(a440(f));
  });

  it("decodes other containers through ffmpeg (FLAC is lossless: same samples)", async () => {
    const flac = ffmpegConvert(A440, "wav", "flac", []);
    const out = await run({ media: [flac], ops: [] });
    expect(out.samples.length).toBe(RATE);
    for (const f of [3, 1234, 7777]) expect(out.samples[f]).toBe(a440(f));
  });

  it("concatenates inputs end to end", async () => {
    const short = tone(RATE, 0.25, 1000, 5000);
    const out = await run({ media: [A440, short], ops: [{ op: "concat" }] });
    expect(out.samples.length).toBe(RATE + 2000);
    expect(out.duration).toBeCloseTo(1.25, 6);
    expect(out.samples[RATE + 1]).toBe(Math.round(5000 * Math.sin((2 * Math.PI * 1000) / RATE)));
  });

  it("slices by milliseconds, truncating to frames; negative positions count from the end", async () => {
    const out = await run({ media: [A440], ops: [{ op: "slice", start: 0.25, end: 0.5 }] });
    expect(out.samples.length).toBe(2000);
    expect(out.samples[0]).toBe(a440(2000));
    const tail = await run({ media: [A440], ops: [{ op: "slice", start: -0.1, end: 1 }] });
    expect(tail.samples.length).toBe(800);
    expect(tail.samples[0]).toBe(a440(7200));
    const empty = await run({ media: [A440], ops: [{ op: "slice", start: 0, end: 0 }] });
    expect(empty.samples.length).toBe(0);
  });

  it("fades in linearly in amplitude, one step per millisecond for fades over 100 ms", async () => {
    const out = await run({ media: [A440], ops: [{ op: "fade_in", duration: 0.5 }] });
    const from = 10 ** (-120 / 20);
    const step = (1 - from) / 500;
    for (const f of [1, 9, 100, 1001, 3999]) {
      const ms = Math.floor(f / 8);
      expect(out.samples[f]).toBe(fbound(a440(f) * (from + step * ms)));
    }
    expect(out.samples[4001]).toBe(a440(4001));
  });

  it("fades out to silence over the last `duration`", async () => {
    const out = await run({ media: [A440], ops: [{ op: "fade_out", duration: 0.2 }] });
    expect(out.samples[100]).toBe(a440(100));
    const to = 10 ** (-120 / 20);
    const step = (to - 1) / 200;
    for (const f of [6401, 7000, 7990]) expect(out.samples[f]).toBe(fbound(a440(f) * (1 + step * Math.floor((f - 6400) / 8))));
  });

  it("reverses, repeats, normalises to full scale and applies gain in dB", async () => {
    const rev = await run({ media: [A440], ops: [{ op: "reverse" }] });
    expect(rev.samples[0]).toBe(a440(RATE - 1));
    const rep = await run({ media: [A440], ops: [{ op: "repeat", loops: 3 }] });
    expect(rep.samples.length).toBe(3 * RATE);
    expect(rep.samples[2 * RATE + 5]).toBe(a440(5));
    const norm = await run({ media: [A440], ops: [{ op: "normalize" }] });
    const peak = Math.max(...Array.from({ length: RATE }, (_, f) => Math.abs(a440(f))));
    expect(Math.max(...norm.samples.map(Math.abs))).toBe(32767);
    expect(norm.samples[7]).toBe(Math.round(a440(7) * (32767 / peak)));
    const gain = await run({ media: [A440], ops: [{ op: "gain", db: -6 }] });
    expect(gain.samples[7]).toBe(fbound(a440(7) * 10 ** (-6 / 20)));
  });

  it("converts channels like pydub: average (floored), left, right, and mono to stereo", async () => {
    const stereo = wav(RATE, 2, 100, (f, c) => (c === 0 ? 1001 + f : -300 - 2 * f));
    const avg = await run({ media: [stereo], ops: [{ op: "stereo_to_mono", method: "average" }] });
    expect(avg.channels).toBe(1);
    for (const f of [0, 1, 50]) expect(avg.samples[f]).toBe(Math.floor((1001 + f) * 0.5 + (-300 - 2 * f) * 0.5));
    const right = await run({ media: [stereo], ops: [{ op: "stereo_to_mono", method: "right" }] });
    expect(right.samples[10]).toBe(-320);
    const both = await run({ media: [A440], ops: [{ op: "mono_to_stereo" }] });
    expect(both.channels).toBe(2);
    expect([both.samples[2 * 9], both.samples[2 * 9 + 1]]).toEqual([a440(9), a440(9)]);
  });

  it("overlays with saturation, keeping the first audio's length, and syncs rate and channels", async () => {
    const loud = wav(RATE, 1, RATE / 2, () => 30000);
    const out = await run({ media: [A440, loud], ops: [{ op: "overlay", input: 1 }] });
    expect(out.samples.length).toBe(RATE);
    for (const f of [2, 100, 3999]) expect(out.samples[f]).toBe(Math.min(32767, a440(f) + 30000));
    expect(out.samples[5000]).toBe(a440(5000));
    const hi = wav(16000, 2, 16000, () => 0);
    const synced = await run({ media: [A440, hi], ops: [{ op: "overlay", input: 1, gain_db: -3 }] });
    expect(synced.sampleRate).toBe(16000);
    expect(synced.channels).toBe(2);
    expect(synced.duration).toBeCloseTo(1, 3);
  });

  it("generates pydub's silence: 11025 Hz mono", async () => {
    const out = await run({ media: [], source: { kind: "silence", duration: 0.5 }, ops: [] });
    expect(out.sampleRate).toBe(11025);
    expect(out.samples.length).toBe(Math.trunc(500 * (11025 / 1000)));
    expect(out.samples.every((s) => s === 0)).toBe(true);
  });

  it("fails clearly on input that is no audio, and on a missing input", async () => {
    await expect(run({ media: [new TextEncoder().encode("definitely not audio")], ops: [] })).rejects.toThrow(/not a media file|no audio/);
    await expect(run({ media: [A440], ops: [{ op: "overlay", input: 3 }] })).rejects.toThrow(/needs input audio 3/);
  });

  it("stops when cancelled, killing ffmpeg", async () => {
    await expect(run({ media: [A440], ops: [{ op: "reverse" }] }, testContext({ cancelAfterChecks: 0 }))).rejects.toBeInstanceOf(CancelledError);
    // A long decode (an hour of silence from a tiny FLAC) is cancelled by the poll while ffmpeg runs.
    const long = ffmpegConvert(wav(8000, 1, 8000, () => 0), "wav", "flac", ["-af", "apad", "-t", "3600"]);
    const started = Date.now();
    await expect(run({ media: [long], ops: [] }, testContext({ cancelAfterChecks: 3 }))).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
