/**
 * `nodetool.audio.AudioToNumpy`, `ConvertToArray` and `NumpyToAudio`: audio samples to and from NodeTool's
 * NPArray. NodeTool: nodetool-base src/nodetool/nodes/nodetool/audio.py (nodetool-core's audio_to_numpy, pydub's
 * get_array_of_samples, and AudioSegment(array.tobytes(), sample_width=array.dtype.itemsize) exported as WAV).
 */
import { pcmToWav } from "../providers/media/wav";
import { isEmptyMedia, runAudioJob } from "../media/av-jobs";
import { numberIn } from "../media/image-ops";
import { emptyMediaRef } from "../media/nodes";
import { readMedia } from "../media/refs";
import { outputRef } from "../media/runner-media";
import { ratecv, toMono } from "../media/pydub-pcm";
import { arrayBytes, flatten, type PcmSamples, parseDtype, pcmWavSamples } from "../media/wav-samples";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl } from "../registry/types";
import { isRecord, toText } from "../values/coerce";

/** Most samples one array holds (about 3.8 minutes of 44.1 kHz stereo): arrays travel as JSON numbers. */
const MAX_SAMPLES = 20_000_000;

const convertToArray = defineNode({
  type: "nodetool.audio.ConvertToArray",
  description: "Converts an audio file to a Array for further processing.\n    audio, conversion, tensor",
  gpu: true,
  properties: [prop("audio", "audio", emptyMediaRef("audio"), { description: "The audio file to convert to a tensor.", required: true })],
  outputs: [out("output", "np_array")],
  process: async (inputs, ctx) => {
    const { samples } = await segmentOf(inputs.audio, ctx);
    return { output: { type: "np_array", value: samples, dtype: "<i8", shape: [samples.length] } };
  },
});

/**
 * pydub's AudioSegment of an audio input: a PCM WAV is read here exactly as pydub reads it; anything else is
 * decoded on the gpu-runner to 16-bit PCM, the width pydub's ffmpeg decode gives compressed formats.
 */
async function segmentOf(audio: unknown, ctx: NodeContext): Promise<PcmSamples> {
  if (isEmptyMedia(audio)) throw new Error("audio: no audio was given");
  const { bytes } = await readMedia(audio, ctx, `${ctx.nodeName}: audio`, "audio");
  const direct = pcmWavSamples(bytes, MAX_SAMPLES);
  if (direct) return direct;
  const decoded = await runAudioJob(ctx, [{ value: audio, name: "audio", type: "audio" }], []);
  const segment = pcmWavSamples((await readMedia(decoded, ctx, `${ctx.nodeName}: decoded audio`, "audio")).bytes, MAX_SAMPLES);
  if (!segment) throw new Error("the gpu-runner's decoded audio is not a PCM WAV");
  return segment;
}

/** nodetool-core's DEFAULT_AUDIO_SAMPLE_RATE, the rate audio_to_numpy resamples to. */
const NUMPY_SAMPLE_RATE = 32_000;

const audioToNumpy = defineNode({
  type: "nodetool.audio.AudioToNumpy",
  description: "Convert audio to numpy array for processing.\n    audio, numpy, convert, array",
  gpu: true,
  properties: [prop("audio", "audio", emptyMediaRef("audio"), { description: "The audio to convert to numpy.", required: true })],
  outputs: [out("array", "np_array"), out("sample_rate", "int"), out("channels", "int")],
  process: async (inputs, ctx) => {
    // NodeTool: audio_to_numpy resamples to 32 kHz (set_frame_rate), makes it mono, then divides by 2^(bits - 1).
    const segment = toMono(ratecv(await segmentOf(inputs.audio, ctx), NUMPY_SAMPLE_RATE));
    const scale = 2 ** (8 * segment.width - 1);
    const value = segment.samples.map((v) => Math.fround(v / scale));
    // NodeTool leaves NPArray's default shape ([1]) here; the array's real shape is given instead.
    return { array: { type: "np_array", value, dtype: "float32", shape: [value.length] }, sample_rate: segment.sampleRate, channels: segment.channels };
  },
});

const numpyToAudio = defineNode({
  type: "nodetool.audio.NumpyToAudio",
  description: "Convert numpy array to audio.\n    audio, numpy, convert",
  properties: [
    prop("array", "np_array", { type: "np_array", value: null, dtype: "<i8", shape: [1] }, { description: "The numpy array to convert to audio." }),
    prop("sample_rate", "int", 44100, { description: "Sample rate in Hz." }),
    prop("channels", "int", 1, { description: "Number of audio channels (1 or 2)." }),
  ],
  outputs: [out("output", "audio")],
  process: async (inputs, ctx) => {
    const array = inputs.array;
    const value = isRecord(array) ? array.value : array;
    if (value === null || value === undefined) throw new Error("array: the array has no values");
    // NodeTool: np.array(value, dtype=array.dtype or "int16").
    const dtype = parseDtype((isRecord(array) && array.dtype ? toText(array.dtype) : "") || "int16");
    // pydub writes the WAV with Python's wave module, which takes sample widths of 1 to 4 bytes only.
    if (dtype.size > 4) throw new Error(`a ${dtype.size}-byte dtype cannot be a WAV sample width (bad sample width): convert the array to int16 or int32 first`);
    const sampleRate = numberIn(inputs, "sample_rate", 44100, 1, 768_000, true);
    const channels = numberIn(inputs, "channels", 1, 1, 8, true);
    const data = arrayBytes(flatten(value, MAX_SAMPLES, "array"), dtype);
    if (data.length % (dtype.size * channels) !== 0) throw new Error("data length must be a multiple of '(sample_width * channels)'");
    const wav = pcmToWav(data, sampleRate, channels, dtype.size * 8);
    return { output: await outputRef(ctx, { content_type: "audio/wav", data: wav }, "audio") };
  },
});

export const audioArrayNodes: NodeDecl[] = [audioToNumpy, convertToArray, numpyToAudio];
