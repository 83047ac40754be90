import type { PcmSamples } from "./wav-samples";

/**
 * pydub's set_frame_rate and set_channels(1) on interleaved integer samples, for NodeTool's AudioToNumpy
 * (ProcessingContext.audio_to_numpy in nodetool-core). The arithmetic is CPython's audioop: ratecv's linear
 * interpolation on samples scaled to 32 bits, tomono's floor of the clipped average.
 */

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** audioop.ratecv(data, width, channels, inrate, outrate, None): weights 1 and 0, state starting at zero. */
export function ratecv(p: PcmSamples, outRate: number): PcmSamples {
  if (outRate === p.sampleRate) return p;
  const g = gcd(p.sampleRate, outRate);
  const inrate = p.sampleRate / g;
  const outrate = outRate / g;
  const nch = p.channels;
  const shift = 2 ** (32 - 8 * p.width);
  const prev = new Array<number>(nch).fill(0);
  const cur = new Array<number>(nch).fill(0);
  const frames = Math.floor(p.samples.length / nch);
  const out: number[] = [];
  let d = -outrate;
  let frame = 0;
  for (;;) {
    while (d < 0) {
      if (frame === frames) return { ...p, samples: out, sampleRate: outRate };
      for (let c = 0; c < nch; c++) {
        prev[c] = cur[c];
        cur[c] = p.samples[frame * nch + c] * shift;
      }
      frame++;
      d += outrate;
    }
    while (d >= 0) {
      for (let c = 0; c < nch; c++) {
        // C's (int) cast truncates; SETSAMPLE32 then shifts right (an arithmetic shift: a floor).
        const value = Math.trunc((prev[c] * d + cur[c] * (outrate - d)) / outrate);
        out.push(Math.floor(value / shift));
      }
      d -= inrate;
    }
  }
}

/** pydub set_channels(1): stereo through audioop.tomono(0.5, 0.5); more channels sum each sample // channels. */
export function toMono(p: PcmSamples): PcmSamples {
  if (p.channels === 1) return p;
  const frames = Math.floor(p.samples.length / p.channels);
  const out = new Array<number>(frames);
  const max = 2 ** (8 * p.width - 1);
  for (let f = 0; f < frames; f++) {
    if (p.channels === 2) {
      const v = p.samples[2 * f] * 0.5 + p.samples[2 * f + 1] * 0.5;
      out[f] = Math.floor(Math.min(max - 1, Math.max(-max, v)));
    } else {
      let sum = 0;
      for (let c = 0; c < p.channels; c++) sum += Math.floor(p.samples[f * p.channels + c] / p.channels);
      out[f] = sum;
    }
  }
  return { ...p, samples: out, channels: 1 };
}
