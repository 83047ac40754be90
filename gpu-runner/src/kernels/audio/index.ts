import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { AudioOp } from "../../../../schema/media-av";
import type { InferRequest, InferResult } from "../../../../schema/runner";
import { KernelInputError, type Kernel, type KernelContext } from "../types";
import { probe, runFfmpeg, withWorkdir, writeInput } from "./ffmpeg";
import * as pcm from "./pcm";
import { removeSilence } from "./silence";
import { pedalboardReverb } from "./reverb";

export type AudioRequest = Extract<InferRequest, { kernel: "audio" }>;
export type AudioResult = Extract<InferResult, { kernel: "audio" }>;

/** Most decoded samples (all channels) one request may hold: about 3 hours of 48 kHz stereo. */
const MAX_SAMPLES = 1_000_000_000 / 2;

interface Decoded {
  file: string;
  sampleRate: number;
  channels: number;
  /** Headerless s16le at `sampleRate` and `channels` (PCM the kernel wrote itself). */
  raw?: boolean;
}

/** ffmpeg decodes any input to interleaved 16-bit PCM at the given rate and channel count. */
async function decode(input: Decoded, sampleRate: number, channels: number, ctx: KernelContext, dir: string, name: string): Promise<pcm.Pcm> {
  const out = path.join(dir, `${path.basename(input.file)}.${sampleRate}.${channels}.s16`);
  const format = input.raw ? ["-f", "s16le", "-ar", String(input.sampleRate), "-ac", String(input.channels)] : [];
  await runFfmpeg([...format, "-i", input.file, "-vn", "-map", "0:a:0", "-f", "s16le", "-acodec", "pcm_s16le", "-ar", String(sampleRate), "-ac", String(channels), out], ctx, { cwd: dir, what: `decoding ${name}` });
  const raw = await readFile(out);
  if (raw.byteLength / 2 > MAX_SAMPLES) throw new KernelInputError(`${name} decodes to more than ${MAX_SAMPLES} samples`);
  const data = new Int16Array(raw.byteLength / 2);
  new Uint8Array(data.buffer).set(raw.subarray(0, data.byteLength));
  return { sampleRate, channels, data };
}

function checkLength(p: pcm.Pcm, what: string): pcm.Pcm {
  if (p.data.length > MAX_SAMPLES) throw new KernelInputError(`${what} would hold more than ${MAX_SAMPLES} samples`);
  return p;
}

/**
 * The audio kernel: NodeTool's pydub-based audio nodes on 16-bit PCM. Inputs are decoded by ffmpeg (any format
 * it reads, the audio track of a video too); operations that combine inputs sync them first as pydub does (the
 * largest sample rate and channel count of the pair); the result is a 16-bit PCM WAV. Progress counts decoded
 * inputs and ops; cancellation is checked between them and kills a running ffmpeg.
 */
export const audioKernel: Kernel<AudioRequest, AudioResult> = {
  name: "audio",
  models: [],
  async run(request, ctx) {
    return withWorkdir(async (dir) => {
      const total = request.media.length + request.ops.length + 1;
      let done = 0;
      const step = () => {
        ctx.progress(++done, total);
        ctx.checkCancelled();
      };
      const inputs: Decoded[] = [];
      for (const [i, bytes] of request.media.entries()) {
        const file = await writeInput(dir, `input${i}`, bytes);
        const info = await probe(file, ctx, dir);
        if (!info.hasAudio) throw new KernelInputError(`input audio ${i} has no audio stream`);
        inputs.push({ file, sampleRate: info.sampleRate || 44100, channels: Math.max(1, Math.min(8, info.channels || 2)) });
        step();
      }
      const native = new Map<number, pcm.Pcm>();
      const at = async (index: number, sampleRate?: number, channels?: number) => {
        const input = inputs[index];
        if (!input) throw new KernelInputError(`the operation needs input audio ${index}, but the request has ${inputs.length}`);
        if (sampleRate === undefined || (sampleRate === input.sampleRate && channels === input.channels)) {
          let found = native.get(index);
          if (!found) native.set(index, (found = await decode(input, input.sampleRate, input.channels, ctx, dir, `input audio ${index}`)));
          return found;
        }
        return decode(input, sampleRate, channels!, ctx, dir, `input audio ${index}`);
      };

      const convert = converter(ctx, dir);
      let current: pcm.Pcm;
      if (request.source.kind === "silence") current = checkLength(pcm.silence(Math.trunc(request.source.duration * 1000)), "the silence");
      else current = await at(0);

      for (const op of request.ops) {
        current = checkLength(await apply(current, op, at, inputs.length, convert), `the result of ${op.op}`);
        step();
      }
      const data = pcm.encodeWav(current);
      ctx.progress(total, total);
      return {
        kernel: "audio",
        outputs: [{ content_type: "audio/wav", data, duration: pcm.frameCount(current) / current.sampleRate, sample_rate: current.sampleRate, channels: current.channels }],
      };
    });
  },
};

type InputAt = (index: number, sampleRate?: number, channels?: number) => Promise<pcm.Pcm>;

/** pydub's _sync for two segments: both at the larger rate and channel count. */
async function synced(current: pcm.Pcm, index: number, at: InputAt, convert: Convert): Promise<[pcm.Pcm, pcm.Pcm]> {
  const native = await at(index);
  const rate = Math.max(current.sampleRate, native.sampleRate);
  const channels = Math.max(current.channels, native.channels);
  const other = native.sampleRate === rate && native.channels === channels ? native : await at(index, rate, channels);
  return [await convert(current, rate, channels), other];
}

/** Converts PCM already in hand: channels as pydub's set_channels does, the rate through ffmpeg's resampler. */
type Convert = (p: pcm.Pcm, sampleRate: number, channels: number) => Promise<pcm.Pcm>;

function converter(ctx: KernelContext, dir: string): Convert {
  let n = 0;
  return async (p, sampleRate, channels) => {
    let out = p;
    if (out.channels !== channels) {
      if (out.channels === 1 && channels === 2) out = pcm.toStereo(out);
      else throw new KernelInputError(`cannot combine ${out.channels}-channel audio with ${channels}-channel audio`);
    }
    if (out.sampleRate === sampleRate) return out;
    const raw = path.join(dir, `convert${n++}.s16`);
    await writeFile(raw, new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength));
    return decode({ file: raw, sampleRate: out.sampleRate, channels: out.channels, raw: true }, sampleRate, out.channels, ctx, dir, "the audio so far");
  };
}

async function apply(current: pcm.Pcm, op: AudioOp, at: InputAt, count: number, convert: Convert): Promise<pcm.Pcm> {
  switch (op.op) {
    case "concat": {
      // Every input end to end; the first is already `current`.
      let out = current;
      for (let i = 1; i < count; i++) {
        const [base, other] = await synced(out, i, at, convert);
        out = pcm.concat([base, other]);
      }
      return out;
    }
    case "slice":
      return pcm.slice(current, op.start * 1000, op.end * 1000);
    case "fade_in":
      return pcm.fadeIn(current, Math.trunc(op.duration * 1000));
    case "fade_out":
      return pcm.fadeOut(current, Math.trunc(op.duration * 1000));
    case "normalize":
      return pcm.normalize(current);
    case "reverse":
      return pcm.reverse(current);
    case "remove_silence":
      return removeSilence(current, { minLength: op.min_length, thresholdDb: op.threshold, reductionFactor: op.reduction_factor, crossfade: op.crossfade, minSilenceBetweenParts: op.min_silence_between_parts });
    case "repeat":
      return pcm.concat(Array.from({ length: op.loops }, () => current));
    case "mono_to_stereo":
      return pcm.toStereo(current);
    case "stereo_to_mono":
      return pcm.toMono(current, op.method);
    case "gain":
      return pcm.applyGain(current, op.db);
    case "reverb":
      return pedalboardReverb(current, op, convert);
    case "overlay": {
      const [base, other] = await synced(current, op.input, at, convert);
      return pcm.overlay(base, op.gain_db === 0 ? other : pcm.applyGain(other, op.gain_db));
    }
  }
}
