/**
 * `nodetool.audio.RemoveSilence`: declared here, run on the gpu-runner pool's `audio` kernel
 * (gpu-runner/src/kernels/audio/silence.ts). NodeTool: nodetool-base src/nodetool/nodes/nodetool/audio.py
 * RemoveSilence, which calls nodetool-core's remove_silence helper on a pydub AudioSegment.
 */
import { type MediaInput, runAudioJob } from "../media/av-jobs";
import { numberIn } from "../media/image-ops";
import { emptyMediaRef } from "../media/nodes";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";

const removeSilence = defineNode({
  type: "nodetool.audio.RemoveSilence",
  description: "Removes or shortens silence in an audio file with smooth transitions.\n    audio, edit, clean",
  gpu: true,
  properties: [
    prop("audio", "audio", emptyMediaRef("audio"), { description: "The audio file to process.", required: true }),
    prop("min_length", "int", 200, { min: 0, max: 10000, description: "Minimum length of silence to be processed (in milliseconds)." }),
    prop("threshold", "int", -40, { min: -60, max: 0, description: "Silence threshold in dB (relative to full scale). Higher values detect more silence." }),
    prop("reduction_factor", "float", 1.0, { min: 0, max: 1, description: "Factor to reduce silent parts (0.0 to 1.0). 0.0 keeps silence as is, 1.0 removes it completely." }),
    prop("crossfade", "int", 10, { min: 0, max: 50, description: "Duration of crossfade in milliseconds to apply between segments for smooth transitions." }),
    prop("min_silence_between_parts", "int", 100, { min: 0, max: 500, description: "Minimum silence duration in milliseconds to maintain between non-silent segments" }),
  ],
  outputs: [out("output", "audio")],
  process: async (inputs, ctx) => {
    const op = {
      op: "remove_silence" as const,
      min_length: numberIn(inputs, "min_length", 200, 0, 10000, true),
      threshold: numberIn(inputs, "threshold", -40, -60, 0, true),
      reduction_factor: numberIn(inputs, "reduction_factor", 1, 0, 1),
      crossfade: numberIn(inputs, "crossfade", 10, 0, 50, true),
      min_silence_between_parts: numberIn(inputs, "min_silence_between_parts", 100, 0, 500, true),
    };
    const input: MediaInput = { value: inputs.audio, name: "audio", type: "audio" };
    return { output: await runAudioJob(ctx, [input], [op]) };
  },
});

export const audioSilenceNodes: NodeDecl[] = [removeSilence];
