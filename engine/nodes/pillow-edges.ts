/**
 * `lib.pillow.filter.Canny`: declared here, run on the gpu-runner pool's image kernel
 * (gpu-runner/src/kernels/image/canny.ts follows OpenCV's Canny). NodeTool: nodetool-base
 * src/nodetool/nodes/lib/pillow/filter.py Canny, which calls cv2.Canny on the RGB image.
 */
import { numberIn, runImageOps } from "../media/image-ops";
import { emptyMediaRef } from "../media/nodes";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";

const canny = defineNode({
  type: "lib.pillow.filter.Canny",
  description:
    "Apply Canny edge detection to an image.\n    image, filter, edges\n\n    - Highlight areas of rapid intensity change\n    - Outline object boundaries and structure\n    - Enhance inputs for object detection and image segmentation",
  gpu: true,
  properties: [
    prop("image", "image", emptyMediaRef("image"), { description: "The image to canny.", required: true }),
    prop("low_threshold", "int", 100, { min: 0, max: 255, description: "Low threshold." }),
    prop("high_threshold", "int", 200, { min: 0, max: 255, description: "High threshold." }),
  ],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => {
    const op = { op: "canny" as const, low: numberIn(inputs, "low_threshold", 100, 0, 255, true), high: numberIn(inputs, "high_threshold", 200, 0, 255, true) };
    return { output: await runImageOps(ctx, [{ value: inputs.image, name: "image" }], [op]) };
  },
});

export const pillowEdgeNodes: NodeDecl[] = [canny];
