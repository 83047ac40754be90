/**
 * `lib.pedalboard.*` (NodeTool's nodetool-lib-audio package, src/nodetool/nodes/lib/pedalboard.py): only
 * `Reverb` so far, run on the gpu-runner's `audio` kernel as Freeverb with JUCE's parameter mapping, which is
 * what pedalboard's Reverb is. The other pedalboard effects (compressor, filters, phaser, ...) wrap JUCE DSP
 * classes that are not reimplemented here, so they stay unknown rather than approximated.
 */
import { runAudioJob } from "../media/av-jobs";
import { emptyMediaRef } from "../media/nodes";
import { numberIn } from "../media/image-ops";
import { defineNode, out, prop } from "../registry/define-node";

const unit = (name: string, fallback: number, description: string) => prop(name, "float", fallback, { min: 0, max: 1, description });

const reverb = defineNode({
  type: "lib.pedalboard.Reverb",
  description:
    "Applies a reverb effect to an audio file.\n    audio, effect, reverb\n\n    Use cases:\n    - Add spatial depth to dry recordings\n    - Simulate different room acoustics\n    - Create atmospheric sound effects",
  gpu: true,
  properties: [
    prop("audio", "audio", emptyMediaRef("audio"), { description: "The audio file to process.", required: true }),
    unit("room_scale", 0.5, "Size of the simulated room. Higher values create larger spaces."),
    unit("damping", 0.5, "Amount of high frequency absorption. Higher values create a duller sound."),
    unit("wet_level", 0.15, "Level of the reverb effect in the output."),
    unit("dry_level", 0.5, "Level of the original signal in the output."),
  ],
  outputs: [out("output", "audio")],
  process: async (inputs, ctx) => ({
    output: await runAudioJob(ctx, [{ value: inputs.audio, name: "audio", type: "audio" }], [
      {
        op: "reverb",
        room_size: numberIn(inputs, "room_scale", 0.5, 0, 1),
        damping: numberIn(inputs, "damping", 0.5, 0, 1),
        wet_level: numberIn(inputs, "wet_level", 0.15, 0, 1),
        dry_level: numberIn(inputs, "dry_level", 0.5, 0, 1),
      },
    ]),
  }),
});

export const pedalboardNodes = [reverb];
