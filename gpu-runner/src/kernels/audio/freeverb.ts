/**
 * The reverb of NodeTool's `lib.pedalboard.Reverb`: pedalboard's `Reverb` is JUCE's `juce::Reverb`, which is
 * Jezar's Freeverb (public domain): eight parallel low-pass-feedback comb filters and four series all-pass
 * filters per channel, with delay lengths tuned at 44.1 kHz and scaled to the sample rate.
 *
 * Parameters map as JUCE maps them: feedback = room_size * 0.28 + 0.7, damping = damping * 0.4, the input is
 * scaled by 0.015, the wet gain is wet_level * 3 (split by `width` between a channel and its neighbour) and
 * the dry gain is dry_level * 2. JUCE ramps parameter changes over 10 ms, but a freshly prepared plugin starts
 * at its targets, so a one-shot render never ramps. The output has the input's length (no tail), as
 * pedalboard returns it.
 */
export interface FreeverbParams {
  /** 0..1 */
  roomSize: number;
  /** 0..1 */
  damping: number;
  /** 0..1 */
  wetLevel: number;
  /** 0..1 */
  dryLevel: number;
  /** 0..1, stereo only; JUCE's default is 1. */
  width?: number;
}

/** Comb and all-pass delays in frames at 44.1 kHz, and the right channel's offset. */
export const COMB_TUNINGS = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617] as const;
export const ALLPASS_TUNINGS = [556, 441, 341, 225] as const;
const STEREO_SPREAD = 23;
const FIXED_GAIN = 0.015;

/** JUCE sizes its delay lines with integer arithmetic: (rate * tuning) / 44100, truncated. */
const scaled = (sampleRate: number, tuning: number) => Math.max(1, Math.trunc((Math.trunc(sampleRate) * tuning) / 44100));

class Comb {
  private readonly buffer: Float32Array;
  private index = 0;
  private last = 0;
  constructor(size: number) {
    this.buffer = new Float32Array(size);
  }
  process(input: number, damp: number, feedback: number): number {
    const output = this.buffer[this.index];
    this.last = Math.fround(output * (1 - damp) + this.last * damp);
    this.buffer[this.index] = input + this.last * feedback;
    if (++this.index === this.buffer.length) this.index = 0;
    return output;
  }
}

class AllPass {
  private readonly buffer: Float32Array;
  private index = 0;
  constructor(size: number) {
    this.buffer = new Float32Array(size);
  }
  process(input: number): number {
    const buffered = this.buffer[this.index];
    this.buffer[this.index] = input + buffered * 0.5;
    if (++this.index === this.buffer.length) this.index = 0;
    return buffered - input;
  }
}

function channel(sampleRate: number, spread: number) {
  return {
    combs: COMB_TUNINGS.map((t) => new Comb(scaled(sampleRate, t + spread))),
    allPasses: ALLPASS_TUNINGS.map((t) => new AllPass(scaled(sampleRate, t + spread))),
  };
}

function gains(p: FreeverbParams) {
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const wet = clamp(p.wetLevel) * 3;
  const width = clamp(p.width ?? 1);
  return {
    feedback: clamp(p.roomSize) * 0.28 + 0.7,
    damp: clamp(p.damping) * 0.4,
    dry: clamp(p.dryLevel) * 2,
    wet1: 0.5 * wet * (1 + width),
    wet2: 0.5 * wet * (1 - width),
  };
}

/** JUCE's processMono: one comb/all-pass bank, output = reverb * wet1 + input * dry. */
export function freeverbMono(samples: Float32Array, sampleRate: number, params: FreeverbParams): Float32Array {
  const { feedback, damp, dry, wet1 } = gains(params);
  const { combs, allPasses } = channel(sampleRate, 0);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const input = samples[i] * FIXED_GAIN;
    let acc = 0;
    for (const comb of combs) acc += comb.process(input, damp, feedback);
    for (const allPass of allPasses) acc = allPass.process(acc);
    out[i] = acc * wet1 + samples[i] * dry;
  }
  return out;
}

/** JUCE's processStereo: both channels share the summed input; the right bank's delays are 23 frames longer. */
export function freeverbStereo(left: Float32Array, right: Float32Array, sampleRate: number, params: FreeverbParams): [Float32Array, Float32Array] {
  const { feedback, damp, dry, wet1, wet2 } = gains(params);
  const l = channel(sampleRate, 0);
  const r = channel(sampleRate, STEREO_SPREAD);
  const outL = new Float32Array(left.length);
  const outR = new Float32Array(right.length);
  for (let i = 0; i < left.length; i++) {
    const input = (left[i] + right[i]) * FIXED_GAIN;
    let accL = 0;
    let accR = 0;
    for (let j = 0; j < l.combs.length; j++) {
      accL += l.combs[j].process(input, damp, feedback);
      accR += r.combs[j].process(input, damp, feedback);
    }
    for (let j = 0; j < l.allPasses.length; j++) {
      accL = l.allPasses[j].process(accL);
      accR = r.allPasses[j].process(accR);
    }
    outL[i] = accL * wet1 + accR * wet2 + left[i] * dry;
    outR[i] = accR * wet1 + accL * wet2 + right[i] * dry;
  }
  return [outL, outR];
}
