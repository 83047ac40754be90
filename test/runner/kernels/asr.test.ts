import { describe, expect, it } from "vitest";
import { MAX_AUDIO_SECONDS, planChunks } from "../../../gpu-runner/src/kernels/asr/audio-input";
import { asrKernel, type AsrRequest } from "../../../gpu-runner/src/kernels/asr/index";
import { BUILTIN_MODELS } from "../../../gpu-runner/src/kernels/builtin-models";
import { CancelledError, KernelInputError } from "../../../gpu-runner/src/kernels/types";
import { SPOKEN_SENTENCE, SPOKEN_SENTENCE_WAV, wordErrorRate, words } from "../helpers/word-error-rate";
import { ffmpegConvert, readWav, wav } from "./av-fixtures";
import { testContext } from "./context";

const request = (audio: Uint8Array): AsrRequest => ({ kernel: "asr", audio: new Uint8Array(audio), model: "moonshine-tiny" });
const SENTENCE = readWav(SPOKEN_SENTENCE_WAV);
const SENTENCE_SECONDS = SENTENCE.samples.length / 16000;

/** Deterministic hiss of about -60 dBFS, so the pauses are not digital zeros. */
function hiss(i: number): number {
  const x = Math.sin(i * 12.9898) * 43758.5453;
  return Math.round((x - Math.floor(x) - 0.5) * 60);
}

/** 16 kHz mono: the sentence, `gapSeconds` of hiss, the sentence again, one more second of hiss. */
function sentenceTwice(gapSeconds: number): Uint8Array {
  const n = SENTENCE.samples.length;
  const gap = gapSeconds * 16000;
  return wav(16000, 1, 2 * n + gap + 16000, (f) => {
    if (f < n) return SENTENCE.samples[f];
    if (f >= n + gap && f < 2 * n + gap) return SENTENCE.samples[f - n - gap];
    return hiss(f);
  });
}

describe("ASR kernel (Moonshine tiny on CPU)", () => {
  it("ships the English tiny model only, under the asr kernel", () => {
    expect(asrKernel.models).toEqual(["moonshine-tiny/encoder", "moonshine-tiny/decoder"]);
    for (const id of asrKernel.models) {
      expect(BUILTIN_MODELS[id].kernel).toBe("asr");
      expect(BUILTIN_MODELS[id].path).toMatch(/moonshine-js\/dist\/model\/tiny\/quantized\/(encoder_model|decoder_model_merged)\.onnx$/);
    }
    expect(Object.values(BUILTIN_MODELS).some((m) => m.path.includes("non-commercial"))).toBe(false);
  });

  it("recognises the sentence espeak-ng spoke into the committed WAV (word error rate at most 20%)", async () => {
    const ctx = testContext();
    const result = await asrKernel.run(request(SPOKEN_SENTENCE_WAV), ctx);
    expect(result).toMatchObject({ kernel: "asr", model: "moonshine-tiny", language: "en" });
    expect(result.duration).toBeCloseTo(SENTENCE_SECONDS, 2);
    expect(wordErrorRate(SPOKEN_SENTENCE, result.text), result.text).toBeLessThanOrEqual(0.2);
    // A short clip is heard whole: one chunk spanning it.
    expect(result.chunks).toEqual([{ start: 0, end: result.duration, text: result.text }]);
    expect(ctx.sessionsRequested).toEqual(["moonshine-tiny/encoder", "moonshine-tiny/decoder"]);
    expect(ctx.progressReports.at(-1)).toEqual([1, 1]);
  });

  it("reads what is not WAV through ffmpeg: the sentence as 44.1 kHz stereo MP3", async () => {
    const mp3 = ffmpegConvert(SPOKEN_SENTENCE_WAV, "wav", "mp3", ["-ar", "44100", "-ac", "2", "-b:a", "96k"]);
    expect(Buffer.from(mp3.subarray(0, 3)).toString("latin1")).not.toBe("RIF");
    const result = await asrKernel.run(request(mp3), testContext());
    expect(wordErrorRate(SPOKEN_SENTENCE, result.text), result.text).toBeLessThanOrEqual(0.2);
    expect(result.duration).toBeGreaterThan(SENTENCE_SECONDS - 0.1);
  });

  it("splits audio longer than 30 s on its silence and hears each stretch of speech on its own", async () => {
    const ctx = testContext();
    const result = await asrKernel.run(request(sentenceTwice(35)), ctx);
    expect(result.duration).toBeCloseTo(2 * SENTENCE_SECONDS + 36, 2);
    expect(result.chunks).toHaveLength(2);
    const [first, second] = result.chunks;
    expect(first.start).toBeLessThan(0.3);
    expect(first.end).toBeGreaterThan(SENTENCE_SECONDS - 0.3);
    expect(first.end).toBeLessThan(SENTENCE_SECONDS + 1);
    expect(second.start).toBeGreaterThan(SENTENCE_SECONDS + 34);
    expect(second.start).toBeLessThan(SENTENCE_SECONDS + 35.3);
    for (const chunk of result.chunks) expect(wordErrorRate(SPOKEN_SENTENCE, chunk.text), chunk.text).toBeLessThanOrEqual(0.2);
    expect(result.text).toBe(`${first.text} ${second.text}`);
    expect(words(result.text).length).toBeGreaterThanOrEqual(2 * words(SPOKEN_SENTENCE).length - 2);
    expect(ctx.sessionsRequested).toContain("silero-vad");
    expect(ctx.progressReports.at(-1)).toEqual([2, 2]);
  });

  it("plans pieces of at most the limit: neighbours joined, long stretches cut evenly", () => {
    expect(planChunks([], 100)).toEqual([]);
    expect(
      planChunks(
        [
          { start: 0, end: 30 },
          { start: 50, end: 90 },
          { start: 95, end: 120 },
          { start: 130, end: 380 },
        ],
        100,
      ),
    ).toEqual([
      { start: 0, end: 90 },
      { start: 95, end: 120 },
      { start: 130, end: 213 },
      { start: 213, end: 297 },
      { start: 297, end: 380 },
    ]);
  });

  it("refuses empty, unreadable and too long audio as input errors", async () => {
    await expect(asrKernel.run(request(new Uint8Array(0)), testContext())).rejects.toThrow(KernelInputError);
    const garbage = new TextEncoder().encode("this is not audio at all, just some text ".repeat(20));
    await expect(asrKernel.run(request(garbage), testContext())).rejects.toThrow(/decoding the audio failed|not a media file/);
    // Half a minute past the limit at 1 kHz (small to send; resampled to 16 kHz before the length is judged).
    const long = wav(1000, 1, (MAX_AUDIO_SECONDS + 30) * 1000, () => 0);
    await expect(asrKernel.run(request(long), testContext())).rejects.toThrow(/longer than 30 minutes/);
  });

  it("stops when cancelled between decoding steps", async () => {
    const ctx = testContext({ cancelAfterChecks: 3 });
    await expect(asrKernel.run(request(SPOKEN_SENTENCE_WAV), ctx)).rejects.toThrow(CancelledError);
  });
});
