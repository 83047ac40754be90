import type { AudioOp } from "../../../../schema/media-av";
import { freeverbMono } from "./freeverb";
import * as pcm from "./pcm";

/** The rate NodeTool's `audio_to_numpy` resamples to by default (nodetool-core ProcessingContext), mono. */
export const PEDALBOARD_SAMPLE_RATE = 32_000;

type Resample = (p: pcm.Pcm, sampleRate: number, channels: number) => Promise<pcm.Pcm>;

/**
 * `lib.pedalboard.Reverb` end to end as NodeTool runs it: `audio_to_numpy` (mono as pydub's set_channels(1)
 * averages, 32 kHz, samples / 32768), pedalboard's Reverb on the mono signal, then `audio_from_numpy`
 * (clip to [-1, 1], times 32767, truncated to int16).
 */
export async function pedalboardReverb(current: pcm.Pcm, op: Extract<AudioOp, { op: "reverb" }>, resample: Resample): Promise<pcm.Pcm> {
  const mono = current.channels === 1 ? current : pcm.toMono(current, "average");
  const input = await resample(mono, PEDALBOARD_SAMPLE_RATE, 1);
  const floats = new Float32Array(input.data.length);
  for (let i = 0; i < floats.length; i++) floats[i] = input.data[i] / 32768;
  const wet = freeverbMono(floats, PEDALBOARD_SAMPLE_RATE, { roomSize: op.room_size, damping: op.damping, wetLevel: op.wet_level, dryLevel: op.dry_level });
  const data = new Int16Array(wet.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.trunc(Math.fround(Math.min(1, Math.max(-1, wet[i])) * 32767));
  return { sampleRate: PEDALBOARD_SAMPLE_RATE, channels: 1, data };
}
