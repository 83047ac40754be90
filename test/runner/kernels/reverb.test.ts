import { describe, expect, it } from "vitest";
import { audioKernel } from "../../../gpu-runner/src/kernels/audio";
import { InferRequestSchema } from "../../../schema/runner";
import { readWav, wav } from "./av-fixtures";
import { testContext } from "./context";

/**
 * lib.pedalboard.Reverb on the audio kernel. The reference below is written from Freeverb's published
 * structure (Jezar's freeverb 3: comb filters with a one-pole damper in the feedback path, Schroeder all-passes
 * with gain 0.5) and JUCE's parameter mapping, with its own delay lines and plain double arithmetic: it shares
 * no code with the kernel.
 */

const RATE = 32_000;

async function reverb(input: Uint8Array, params: { room_size: number; damping: number; wet_level: number; dry_level: number }) {
  const parsed = InferRequestSchema.parse({ kernel: "audio", media: [input], ops: [{ op: "reverb", ...params }], source: { kind: "input" } });
  if (parsed.kernel !== "audio") throw new Error("not an audio request");
  const result = await audioKernel.run(parsed, testContext());
  return readWav(result.outputs[0].data);
}

function referenceFreeverb(x: number[], rate: number, room: number, damping: number, wetLevel: number, dryLevel: number): number[] {
  const combLengths = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617].map((t) => Math.floor((rate * t) / 44100));
  const allPassLengths = [556, 441, 341, 225].map((t) => Math.floor((rate * t) / 44100));
  const feedback = room * 0.28 + 0.7;
  const damp = damping * 0.4;
  const combs = combLengths.map((n) => ({ line: new Array<number>(n).fill(0), pos: 0, store: 0 }));
  const allPasses = allPassLengths.map((n) => ({ line: new Array<number>(n).fill(0), pos: 0 }));
  const y: number[] = [];
  for (const sample of x) {
    const input = sample * 0.015;
    let sum = 0;
    for (const c of combs) {
      const delayed = c.line[c.pos];
      c.store = delayed * (1 - damp) + c.store * damp;
      c.line[c.pos] = input + c.store * feedback;
      c.pos = (c.pos + 1) % c.line.length;
      sum += delayed;
    }
    for (const a of allPasses) {
      const delayed = a.line[a.pos];
      a.line[a.pos] = sum + delayed * 0.5;
      a.pos = (a.pos + 1) % a.line.length;
      sum = delayed - sum;
    }
    y.push(sum * wetLevel * 3 + sample * dryLevel * 2);
  }
  return y;
}

/** NodeTool's audio_from_numpy: clip to [-1, 1], times 32767, truncated to int16. */
const toInt16 = (v: number) => Math.trunc(Math.min(1, Math.max(-1, v)) * 32767) + 0;

describe("lib.pedalboard.Reverb (Freeverb as JUCE runs it)", () => {
  it("answers an impulse with nothing until the first comb's delay, then its scaled echo", async () => {
    const frames = RATE;
    const out = await reverb(
      wav(RATE, 1, frames, (f) => (f === 0 ? 16384 : 0)),
      { room_size: 0.5, damping: 0.5, wet_level: 1 / 3, dry_level: 0 },
    );
    expect([out.sampleRate, out.channels, out.samples.length]).toEqual([RATE, 1, frames]);
    // 1116 frames at 44.1 kHz are 809 here; the echo is 0.5 * 0.015 (fixed input gain) * 1.0 (wet) through
    // four all-passes that each negate a first arrival.
    const first = out.samples.findIndex((s) => s !== 0);
    expect(first).toBe(809);
    expect(out.samples[809]).toBe(toInt16(0.5 * 0.015));
  });

  it("matches an independent Freeverb on a chirp, dry and wet mixed", async () => {
    const frames = RATE / 2;
    const chirp = (f: number) => Math.round(12000 * Math.sin(2 * Math.PI * (200 + (f / frames) * 3000) * (f / RATE)));
    const params = { room_size: 0.8, damping: 0.3, wet_level: 0.4, dry_level: 0.5 };
    const out = await reverb(wav(RATE, 1, frames, chirp), params);
    const x = Array.from({ length: frames }, (_, f) => chirp(f) / 32768);
    const expected = referenceFreeverb(x, RATE, params.room_size, params.damping, params.wet_level, params.dry_level).map(toInt16);
    let worst = 0;
    for (let i = 0; i < frames; i++) worst = Math.max(worst, Math.abs(out.samples[i] - expected[i]));
    // float32 delay lines against double arithmetic: a sample or two of 32767 apart at most.
    expect(worst).toBeLessThanOrEqual(2);
    // The reverb really is there: the tail differs from the dry signal alone.
    const dryOnly = x.map((v) => toInt16(v * 2 * params.dry_level));
    expect(out.samples.slice(RATE / 4).some((s, i) => Math.abs(s - dryOnly[i + RATE / 4]) > 500)).toBe(true);
  });

  it("mixes stereo to mono first (pydub set_channels(1) averages) and keeps the input's length", async () => {
    const frames = 3200;
    const out = await reverb(
      wav(RATE, 2, frames, (f, c) => (c === 0 ? 8000 : -2000) + (f % 7)),
      { room_size: 0.5, damping: 0.5, wet_level: 0, dry_level: 0.5 },
    );
    expect([out.channels, out.samples.length]).toEqual([1, frames]);
    for (const f of [0, 5, 1234, 3199]) {
      const mono = Math.floor((8000 + (f % 7)) * 0.5 + (-2000 + (f % 7)) * 0.5);
      expect(out.samples[f]).toBe(toInt16(mono / 32768));
    }
  });
});
