/**
 * `nodetool.audio.*` editing nodes: declared here, run on the gpu-runner pool's `audio` kernel
 * (engine/media/av-jobs.ts). Semantics are NodeTool's pydub ones (nodetool-base
 * src/nodetool/nodes/nodetool/audio.py): positions in seconds become milliseconds, fades ramp linearly in
 * amplitude, overlays keep the first audio's length. Results are 16-bit PCM WAV.
 */
import type { AudioOp } from "../../schema/media-av";
import { isEmptyMedia, type MediaInput, runAudioJob } from "../media/av-jobs";
import { emptyMediaRef } from "../media/nodes";
import { numberIn } from "../media/image-ops";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { toList, toText } from "../values/coerce";

const audio = (name: string, description: string) => prop(name, "audio", emptyMediaRef("audio"), { description, required: true });
const input = (value: unknown, name: string): MediaInput => ({ value, name, type: "audio" });
const MAX_SECONDS = 3 * 3600;

/** A node with one audio input whose ops follow from its properties. */
function oneInput(type: string, description: string, extra: ReturnType<typeof prop>[], ops: (inputs: Record<string, unknown>) => AudioOp[], audioDescription = "The audio file."): NodeDecl {
  return defineNode({
    type,
    description,
    gpu: true,
    properties: [audio("audio", audioDescription), ...extra],
    outputs: [out("output", "audio")],
    process: async (inputs, ctx) => ({ output: await runAudioJob(ctx, [input(inputs.audio, "audio")], ops(inputs)) }),
  });
}

const pair = (type: string, description: string, op: AudioOp) =>
  defineNode({
    type,
    description,
    gpu: true,
    properties: [audio("a", "The first audio file."), audio("b", "The second audio file.")],
    outputs: [out("output", "audio")],
    process: async (inputs, ctx) => ({ output: await runAudioJob(ctx, [input(inputs.a, "a"), input(inputs.b, "b")], [op]) }),
  });

const seconds = (name: string, fallback: number, description: string, min = 0) => prop(name, "float", fallback, { min, description });

const mixer = defineNode({
  type: "nodetool.audio.AudioMixer",
  description: "Mix up to 5 audio tracks together with individual volume controls.\n    audio, mix, volume, combine, blend, layer, add, overlay",
  gpu: true,
  properties: [
    ...[1, 2, 3, 4, 5].map((i) => prop(`track${i}`, "audio", emptyMediaRef("audio"), { description: `Audio track ${i} to mix.` })),
    ...[1, 2, 3, 4, 5].map((i) => prop(`volume${i}`, "float", 1.0, { min: 0, max: 2, description: `Volume for track ${i}. 1.0 is original volume.` })),
  ],
  outputs: [out("output", "audio")],
  process: async (inputs, ctx) => {
    const tracks: Array<{ value: unknown; gainDb: number; name: string }> = [];
    for (let i = 1; i <= 5; i++) {
      if (isEmptyMedia(inputs[`track${i}`])) continue;
      // NodeTool applies `apply_gain(volume - 1.0)`: the volume is an offset in dB from 1.0, not a factor.
      tracks.push({ value: inputs[`track${i}`], gainDb: numberIn(inputs, `volume${i}`, 1, 0, 2) - 1, name: `track${i}` });
    }
    if (tracks.length === 0) throw new Error("At least one audio track must be provided");
    const ops: AudioOp[] = [];
    if (tracks[0].gainDb !== 0) ops.push({ op: "gain", db: tracks[0].gainDb });
    for (let i = 1; i < tracks.length; i++) ops.push({ op: "overlay", input: i, gain_db: tracks[i].gainDb });
    return { output: await runAudioJob(ctx, tracks.map((t) => input(t.value, t.name)), ops) };
  },
});

const concatList = defineNode({
  type: "nodetool.audio.ConcatList",
  description: "Concatenates multiple audio files together in sequence.\n    audio, edit, join, multiple, +",
  gpu: true,
  properties: [prop("audio_files", "list[audio]", [], { description: "List of audio files to concatenate in sequence." })],
  outputs: [out("output", "audio")],
  process: async (inputs, ctx) => {
    const files = toList(inputs.audio_files ?? []);
    if (files.length === 0) throw new Error("The audio_files list is empty: nothing to concatenate");
    if (files.length > 64) throw new RangeError(`at most 64 audio files can be concatenated at once, got ${files.length}`);
    return { output: await runAudioJob(ctx, files.map((f, i) => input(f, `audio_files[${i}]`)), [{ op: "concat" }]) };
  },
});

const createSilence = defineNode({
  type: "nodetool.audio.CreateSilence",
  description: "Creates a silent audio file with a specified duration.\n    audio, silence, empty",
  gpu: true,
  properties: [seconds("duration", 1.0, "The duration of the silence in seconds.")],
  outputs: [out("output", "audio")],
  process: async (inputs, ctx) => ({ output: await runAudioJob(ctx, [], [], { kind: "silence", duration: numberIn(inputs, "duration", 1, 0, MAX_SECONDS) }) }),
});

export const audioNodes: NodeDecl[] = [
  pair("nodetool.audio.Concat", "Concatenates two audio files together.\n    audio, edit, join, +", { op: "concat" }),
  concatList,
  pair("nodetool.audio.OverlayAudio", "Overlays two audio files together.\n    audio, edit, transform", { op: "overlay", input: 1, gain_db: 0 }),
  mixer,
  createSilence,
  oneInput("nodetool.audio.Normalize", "Normalizes the volume of an audio file.\n    audio, fix, dynamics, volume", [], () => [{ op: "normalize" }], "The audio file to normalize."),
  oneInput("nodetool.audio.Reverse", "Reverses an audio file.\n    audio, edit, transform", [], () => [{ op: "reverse" }], "The audio file to reverse."),
  oneInput(
    "nodetool.audio.SliceAudio",
    "Extracts a section of an audio file.\n    audio, edit, trim",
    [seconds("start", 0.0, "The start time in seconds."), seconds("end", 1.0, "The end time in seconds.")],
    (i) => [{ op: "slice", start: numberIn(i, "start", 0, 0, MAX_SECONDS), end: numberIn(i, "end", 1, 0, MAX_SECONDS) }],
  ),
  oneInput(
    "nodetool.audio.Trim",
    "Trim an audio file to a specified duration.\n    audio, trim, cut",
    [seconds("start", 0.0, "The start time of the trimmed audio in seconds."), seconds("end", 0.0, "The end time of the trimmed audio in seconds.")],
    // NodeTool slices audio[start*1000 : end*1000], so an end of 0 (the default) leaves no audio.
    (i) => [{ op: "slice", start: numberIn(i, "start", 0, 0, MAX_SECONDS), end: numberIn(i, "end", 0, 0, MAX_SECONDS) }],
    "The audio file to trim.",
  ),
  oneInput(
    "nodetool.audio.FadeIn",
    "Applies a fade-in effect to the beginning of an audio file.\n    audio, edit, transition",
    [seconds("duration", 1.0, "Duration of the fade-in effect in seconds.")],
    (i) => [{ op: "fade_in", duration: numberIn(i, "duration", 1, 0, MAX_SECONDS) }],
    "The audio file to apply fade-in to.",
  ),
  oneInput(
    "nodetool.audio.FadeOut",
    "Applies a fade-out effect to the end of an audio file.\n    audio, edit, transition",
    [seconds("duration", 1.0, "Duration of the fade-out effect in seconds.")],
    (i) => [{ op: "fade_out", duration: numberIn(i, "duration", 1, 0, MAX_SECONDS) }],
    "The audio file to apply fade-out to.",
  ),
  oneInput(
    "nodetool.audio.Repeat",
    "Loops an audio file a specified number of times.\n    audio, edit, repeat",
    [prop("loops", "int", 2, { min: 1, max: 100, description: "Number of times to loop the audio. Minimum 1 (plays once), maximum 100." })],
    (i) => [{ op: "repeat", loops: numberIn(i, "loops", 2, 1, 100, true) }],
    "The audio file to loop.",
  ),
  oneInput("nodetool.audio.MonoToStereo", "Converts a mono audio signal to stereo.\n    audio, convert, channels", [], () => [{ op: "mono_to_stereo" }], "The mono audio file to convert."),
  oneInput(
    "nodetool.audio.StereoToMono",
    "Converts a stereo audio signal to mono.\n    audio, convert, channels",
    [prop("method", "str", "average", { description: "Method to use for conversion: 'average', 'left', or 'right'." })],
    (i) => {
      const method = toText(i.method ?? "average") || "average";
      if (method !== "average" && method !== "left" && method !== "right") throw new Error("Invalid method. Choose 'average', 'left', or 'right'.");
      return [{ op: "stereo_to_mono", method }];
    },
    "The stereo audio file to convert.",
  ),
];
