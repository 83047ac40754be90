import { readFileSync } from "node:fs";
import wavefile from "wavefile";
import { describe, expect, it } from "vitest";
import { VadOptionsSchema } from "../../../schema/runner";
import { vadKernel, type VadRequest } from "../../../gpu-runner/src/kernels/vad/index";
import { CancelledError, KernelInputError } from "../../../gpu-runner/src/kernels/types";
import { testContext } from "./context";

/**
 * espeak-ng saying "Hello, this is a short speech test." (made once with `espeak-ng -v en -s 160 -w`, converted to
 * 16 kHz mono 16-bit with wavefile; 2.23 s with speech from its first to its last 50 ms).
 */
const SPEECH_WAV = readFileSync(new URL("../../fixtures/speech.wav", import.meta.url));
const LEAD_SILENCE_S = 1.0;
const TAIL_SILENCE_S = 1.5;
/** Padding (30 ms) plus one 32 ms window of onset/offset uncertainty. */
const TOLERANCE_S = 0.08;

function vadRequest(audio: Uint8Array, options: Partial<VadRequest["options"]> = {}): VadRequest {
  return { kernel: "vad", audio: new Uint8Array(audio), options: VadOptionsSchema.parse(options) };
}

/** Deterministic low-level hiss (about -60 dBFS), so "silence" is not digital zeros. */
function hiss(length: number, seed = 1): Float32Array {
  const out = new Float32Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32 - 0.5) * 0.002;
  }
  return out;
}

/** 1 s hiss + the fixture's speech + 1.5 s hiss, at 16 kHz mono floats; also where the speech lies. */
function speechBetweenSilences(): { samples: Float32Array; speechStart: number; speechEnd: number } {
  const speech = new wavefile.WaveFile(SPEECH_WAV);
  expect(speech.fmt).toMatchObject({ sampleRate: 16000, numChannels: 1 });
  const pcm = speech.getSamples(false, Float32Array) as unknown as Float32Array;
  const lead = Math.round(LEAD_SILENCE_S * 16000);
  const samples = hiss(lead + pcm.length + Math.round(TAIL_SILENCE_S * 16000));
  for (let i = 0; i < pcm.length; i++) samples[lead + i] += pcm[i] / 32768;
  return { samples, speechStart: LEAD_SILENCE_S, speechEnd: LEAD_SILENCE_S + pcm.length / 16000 };
}

/** Encodes 16 kHz mono floats as 44.1 kHz stereo 16-bit PCM, the right channel quieter, using wavefile's resampler. */
function asStereo44k(samples16k: Float32Array): Uint8Array {
  const upsampler = new wavefile.WaveFile();
  upsampler.fromScratch(1, 16000, "32f", samples16k);
  upsampler.toSampleRate(44100);
  const left = upsampler.getSamples(false, Float64Array) as unknown as Float64Array;
  const toInt16 = (v: number) => Math.max(-32768, Math.min(32767, Math.round(v * 32767)));
  const stereo = new wavefile.WaveFile();
  stereo.fromScratch(2, 44100, "16", [Int16Array.from(left, toInt16), Int16Array.from(left, (v) => toInt16(v * 0.7))]);
  return stereo.toBuffer();
}

describe("VAD kernel (Silero VAD v5 on CPU)", () => {
  it("finds the speech between two silences in a 44.1 kHz stereo WAV, and nothing in the silences", async () => {
    const { samples, speechStart, speechEnd } = speechBetweenSilences();
    const ctx = testContext();
    const result = await vadKernel.run(vadRequest(asStereo44k(samples)), ctx);

    expect(result.kernel).toBe("vad");
    expect(result.sample_rate).toBe(16000);
    expect(result.duration).toBeCloseTo(samples.length / 16000, 2);
    expect(result.segments.length).toBeGreaterThanOrEqual(1);
    for (const segment of result.segments) {
      expect(segment.end).toBeGreaterThan(segment.start);
      // Inside the speech interval, give or take the padding: never within the leading or trailing silence.
      expect(segment.start).toBeGreaterThanOrEqual(speechStart - TOLERANCE_S);
      expect(segment.end).toBeLessThanOrEqual(speechEnd + TOLERANCE_S);
    }
    // And the speech is covered from its first word to its last.
    expect(result.segments[0].start).toBeLessThanOrEqual(speechStart + 0.25);
    expect(result.segments.at(-1)!.end).toBeGreaterThanOrEqual(speechEnd - 0.25);
    // Segments are ordered and disjoint.
    for (let i = 1; i < result.segments.length; i++) {
      expect(result.segments[i].start).toBeGreaterThanOrEqual(result.segments[i - 1].end);
    }

    const windows = Math.ceil(samples.length / 512);
    expect(ctx.progressReports.at(-1)).toEqual([windows, windows]);
    expect(ctx.progressReports.length).toBeGreaterThan(2);
    expect(ctx.sessionsRequested).toEqual(["silero-vad"]);
  });

  it("gives the same segments for the fixture at its own rate, 16 kHz mono", async () => {
    const { samples, speechStart, speechEnd } = speechBetweenSilences();
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 16000, "32f", samples);
    const result = await vadKernel.run(vadRequest(wav.toBuffer()), testContext());

    expect(result.segments.length).toBeGreaterThanOrEqual(1);
    for (const segment of result.segments) {
      expect(segment.start).toBeGreaterThanOrEqual(speechStart - TOLERANCE_S);
      expect(segment.end).toBeLessThanOrEqual(speechEnd + TOLERANCE_S);
    }
  });

  it("finds no speech in silence", async () => {
    const wav = new wavefile.WaveFile();
    wav.fromScratch(2, 48000, "16", [new Int16Array(48000 * 3), new Int16Array(48000 * 3)]);
    const result = await vadKernel.run(vadRequest(wav.toBuffer()), testContext());

    expect(result.segments).toEqual([]);
    expect(result.duration).toBeCloseTo(3, 3);
  });

  it("refuses bytes that are not a WAV file with KernelInputError", async () => {
    await expect(vadKernel.run(vadRequest(new TextEncoder().encode("RIFF but not really a wave file")), testContext())).rejects.toBeInstanceOf(
      KernelInputError,
    );
    await expect(vadKernel.run(vadRequest(new Uint8Array([0xff, 0xfb, 0x90, 0x00])), testContext())).rejects.toBeInstanceOf(KernelInputError);
  });

  it("stops with CancelledError when cancelled after the first step", async () => {
    const { samples } = speechBetweenSilences();
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 16000, "32f", samples);
    const ctx = testContext({ cancelAfterChecks: 1 });
    await expect(vadKernel.run(vadRequest(wav.toBuffer()), ctx)).rejects.toBeInstanceOf(CancelledError);
    expect(ctx.sessionsRequested).toEqual([]);
  });

  it("stops with CancelledError when cancelled between window batches", async () => {
    const { samples } = speechBetweenSilences();
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 16000, "32f", samples);
    const ctx = testContext({ cancelAfterChecks: 3 });
    await expect(vadKernel.run(vadRequest(wav.toBuffer()), ctx)).rejects.toBeInstanceOf(CancelledError);
    // It ran some windows (progress was reported) but not all of them.
    const windows = Math.ceil(samples.length / 512);
    expect(ctx.progressReports.length).toBeGreaterThan(0);
    expect(ctx.progressReports.at(-1)![0]).toBeLessThan(windows);
  });
});
