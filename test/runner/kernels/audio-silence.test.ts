import { describe, expect, it } from "vitest";
import { audioKernel } from "../../../gpu-runner/src/kernels/audio";
import { InferRequestSchema } from "../../../schema/runner";
import { readWav, wav } from "./av-fixtures";
import { testContext } from "./context";

/**
 * RemoveSilence on the audio kernel, against samples worked out here from pydub's rules: detect_nonsilent's
 * 1 ms-stepped RMS windows, gaps cut to max(gap x (1 - reduction), min_silence_between_parts), and
 * append(crossfade) fading the joint per frame with audioop.mul's floor-and-clip.
 */

const RATE = 8000;
const DEFAULTS = { min_length: 200, threshold: -40, reduction_factor: 1, crossfade: 10, min_silence_between_parts: 100 };

async function removeSilence(input: Uint8Array, options: Partial<typeof DEFAULTS> = {}) {
  const parsed = InferRequestSchema.parse({ kernel: "audio", media: [input], ops: [{ op: "remove_silence", ...DEFAULTS, ...options }] });
  if (parsed.kernel !== "audio") throw new Error("not an audio request");
  const result = await audioKernel.run(parsed, testContext());
  return readWav(result.outputs[0].data);
}

/** 300 ms of tone, 500 ms of silence, 300 ms of tone, 400 ms of silence. */
const toneAt = (f: number, amplitude = 10000) => Math.round(amplitude * Math.sin((2 * Math.PI * 440 * f) / RATE)) + 0;
const loud = (f: number) => (f < 2400 || (f >= 6400 && f < 8800) ? toneAt(f) : 0);
const INPUT = wav(RATE, 1, 12000, loud);
const fbound = (v: number) => (v > 32767 ? 32767 : v < -32767 ? -32768 : Math.floor(v)) + 0;

describe("RemoveSilence", () => {
  it("cuts each silent gap to min_silence_between_parts and crossfades the joints", async () => {
    const out = await removeSilence(INPUT);
    expect(out.sampleRate).toBe(RATE);
    // Pieces: tone 0-300 ms, silence 300-400, tone 800-1100, silence 1100-1200 (770 ms once three 10 ms joints overlap).
    expect(out.samples.length).toBe(6160);
    const expected: number[] = [];
    for (let f = 0; f < 2320; f++) expected.push(loud(f));
    // Joint 1: the tone's last 80 frames fade from 1 towards -120 dB (the silence fading in adds nothing).
    for (let i = 0; i < 80; i++) expected.push(fbound(loud(2320 + i) * (1 + ((1e-6 - 1) / 80) * i)));
    for (let f = 0; f < 640; f++) expected.push(0);
    // Joint 2 (of the two halves): silence fading out plus the second tone's first 80 frames fading in.
    for (let i = 0; i < 80; i++) expected.push(fbound(loud(6400 + i) * (1e-6 + ((1 - 1e-6) / 80) * i)));
    for (let f = 6480; f < 8720; f++) expected.push(loud(f));
    for (let i = 0; i < 80; i++) expected.push(fbound(loud(8720 + i) * (1 + ((1e-6 - 1) / 80) * i)));
    for (let f = 0; f < 720; f++) expected.push(0);
    expect(expected.length).toBe(6160);
    expect(Array.from(out.samples)).toEqual(expected);
  });

  it("keeps gaps as they are with reduction 0, and treats audio under the threshold as silence", async () => {
    const kept = await removeSilence(INPUT, { reduction_factor: 0, crossfade: 0 });
    expect(Array.from(kept.samples)).toEqual(Array.from({ length: 12000 }, (_, f) => loud(f)));
    // A -40 dBFS threshold is an RMS of 327.68: a tone of amplitude 300 (RMS about 212) counts as silence.
    const quiet = wav(RATE, 1, 8000, (f) => (f < 4000 ? toneAt(f) : toneAt(f, 300)));
    const cut = await removeSilence(quiet, { crossfade: 0, min_silence_between_parts: 50 });
    expect(cut.samples.length).toBe(4000 + 400);
    expect(Array.from(cut.samples.slice(4000))).toEqual(Array.from({ length: 400 }, (_, i) => toneAt(4000 + i, 300)));
  });

  it("returns pydub's empty 11025 Hz segment when everything is silent", async () => {
    const out = await removeSilence(wav(RATE, 1, 4000, () => 0));
    expect(out.samples.length).toBe(0);
    expect(out.sampleRate).toBe(11025);
  });
});
