/**
 * `lib.pillow.enhance`, `lib.pillow.filter`, `lib.pillow.__init__` and the RenderText nodes (under NodeTool's
 * older lib.pillow.draw name and its newer lib.image.draw names): Pillow operations, declared here and run on
 * the gpu-runner pool's image kernel (gpu-runner/src/kernels/image/pil.ts reproduces Pillow's arithmetic).
 * NodeTool: nodetool-base src/nodetool/nodes/lib/pillow/{enhance,filter,draw,__init__}.py.
 */
import type { ImageOp, KERNEL_FILTERS } from "../../schema/image-ops";
import { colorValue, fontName, numberIn, runImageOps } from "../media/image-ops";
import { emptyMediaRef } from "../media/nodes";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeDecl, PropertyDecl } from "../registry/types";
import { toText } from "../values/coerce";

const image = (name = "image", description = "The image to process.") => prop(name, "image", emptyMediaRef("image"), { description, required: true });

/** A node that runs `ops(inputs)` on its `image`. */
function pillowNode(type: string, description: string, extra: PropertyDecl[], ops: (inputs: Inputs) => ImageOp[]): NodeDecl {
  return defineNode({
    type,
    description,
    gpu: true,
    properties: [image(), ...extra],
    outputs: [out("output", "image")],
    process: async (inputs, ctx) => ({ output: await runImageOps(ctx, [{ value: inputs.image, name: "image" }], ops(inputs)) }),
  });
}

const factor = (fallback = 1.0, type = "float") => prop("factor", type, fallback, { description: "Factor to adjust the image. 1.0 means no change." });
const enhancer = (name: string, kind: "brightness" | "contrast" | "color" | "sharpness", type = "float") =>
  pillowNode(`lib.pillow.enhance.${name}`, `Adjusts the image's ${kind} (PIL ImageEnhance.${name}).\n    image, ${kind}, enhance`, [factor(1.0, type)], (i) => [
    { op: "enhance", kind, factor: numberIn(i, "factor", 1, -100, 100) },
  ]);
const kernelNode = (type: string, kind: (typeof KERNEL_FILTERS)[number], description: string) =>
  pillowNode(type, description, [], () => [{ op: "kernel_filter", kind }]);

const enhanceNodes: NodeDecl[] = [
  enhancer("Brightness", "brightness", "float|int"),
  enhancer("Color", "color"),
  enhancer("Contrast", "contrast"),
  enhancer("Sharpness", "sharpness"),
  pillowNode("lib.pillow.enhance.AutoContrast", "Automatically adjusts image contrast for enhanced visual quality.\n    image, contrast, balance", [prop("cutoff", "int", 0, { min: 0, max: 255, description: "Percentage of pixels to ignore at both ends of the histogram." })], (i) => [
    { op: "autocontrast", cutoff: Math.min(100, numberIn(i, "cutoff", 0, 0, 255, true)) },
  ]),
  pillowNode("lib.pillow.enhance.Equalize", "Enhances image contrast by equalizing intensity distribution.\n    image, contrast, histogram", [], () => [{ op: "equalize" }]),
  // OpenCV's CLAHE on the Lab lightness (gpu-runner/src/kernels/image/clahe.ts), not a Pillow operation.
  pillowNode(
    "lib.pillow.enhance.AdaptiveContrast",
    "Applies localized contrast enhancement using adaptive techniques.\n    image, contrast, enhance\n\n    Use cases:\n    - Improve visibility in images with varying lighting conditions\n    - Prepare images for improved feature detection in computer vision",
    [
      prop("clip_limit", "float", 2.0, { min: 0, max: 100, description: "Clip limit for adaptive contrast." }),
      prop("grid_size", "int", 8, { min: 1, max: 64, description: "Grid size for adaptive contrast." }),
    ],
    (i) => [{ op: "clahe", clip_limit: numberIn(i, "clip_limit", 2, 0, 100), grid_size: numberIn(i, "grid_size", 8, 1, 64, true) }],
  ),
  kernelNode("lib.pillow.enhance.Detail", "detail", "Enhances fine details in images.\n    image, detail, enhance"),
  kernelNode("lib.pillow.enhance.EdgeEnhance", "edge_enhance", "Enhances edge visibility by increasing contrast along boundaries.\n    image, edge, enhance"),
  kernelNode("lib.pillow.enhance.Sharpen", "sharpen", "Enhances image detail by intensifying local pixel contrast.\n    image, sharpen, clarity"),
  pillowNode("lib.pillow.enhance.RankFilter", "Applies rank-based filtering to enhance or smooth image features.\n    image, filter, enhance", [prop("size", "int", 3, { min: 1, max: 512, description: "Rank filter size." }), prop("rank", "int", 3, { min: 1, max: 512, description: "Rank filter rank." })], (i) => {
    const size = numberIn(i, "size", 3, 1, 63, true);
    return [{ op: "rank_filter", size, rank: numberIn(i, "rank", 3, 0, size * size - 1, true) }];
  }),
  pillowNode("lib.pillow.enhance.UnsharpMask", "Sharpens images using the unsharp mask technique.\n    image, sharpen, enhance", [prop("radius", "int", 2, { min: 0, max: 512 }), prop("percent", "int", 150, { min: 0, max: 1000 }), prop("threshold", "int", 3, { min: 0, max: 512 })], (i) => [
    { op: "unsharp_mask", radius: numberIn(i, "radius", 2, 0, 512, true), percent: numberIn(i, "percent", 150, 0, 1000, true), threshold: numberIn(i, "threshold", 3, 0, 512, true) },
  ]),
];

const filterNodes: NodeDecl[] = [
  pillowNode("lib.pillow.filter.Blur", "Apply a Gaussian blur effect to an image.\n    image, filter, blur", [prop("radius", "int", 2, { min: 0, max: 128, description: "Blur radius." })], (i) => [{ op: "gaussian_blur", radius: numberIn(i, "radius", 2, 0, 128, true) }]),
  kernelNode("lib.pillow.filter.Contour", "contour", "Apply a contour filter to highlight image edges.\n    image, filter, contour"),
  kernelNode("lib.pillow.filter.Emboss", "emboss", "Apply an emboss filter for a 3D raised effect.\n    image, filter, emboss"),
  kernelNode("lib.pillow.filter.FindEdges", "find_edges", "Detect and highlight edges in an image.\n    image, filter, edges"),
  kernelNode("lib.pillow.filter.Smooth", "smooth", "Apply smoothing to reduce image noise and detail.\n    image, filter, smooth"),
  pillowNode("lib.pillow.filter.ConvertToGrayscale", "Convert an image to grayscale.\n    image, grayscale", [], () => [{ op: "grayscale" }]),
  pillowNode("lib.pillow.filter.Invert", "Invert the colors of an image.\n    image, filter, invert", [], () => [{ op: "invert" }]),
  pillowNode("lib.pillow.filter.GetChannel", "Extract a specific color channel from an image.\n    image, color, channel, isolate, extract", [prop("channel", "enum", "R", { values: ["R", "G", "B"] })], (i) => {
    const channel = toText(i.channel ?? "R").toUpperCase();
    if (channel !== "R" && channel !== "G" && channel !== "B") throw new RangeError(`channel must be R, G or B, got ${JSON.stringify(i.channel)}`);
    return [{ op: "channel", channel }];
  }),
  pillowNode("lib.pillow.filter.Posterize", "Reduce the number of colors in an image for a poster-like effect.\n    image, filter, posterize", [prop("bits", "int", 4, { min: 1, max: 8 })], (i) => [{ op: "posterize", bits: numberIn(i, "bits", 4, 1, 8, true) }]),
  pillowNode("lib.pillow.filter.Solarize", "Apply a solarize effect to partially invert image tones.\n    image, filter, solarize", [prop("threshold", "int", 128, { min: 0, max: 255 })], (i) => [{ op: "solarize", threshold: numberIn(i, "threshold", 128, 0, 255, true) }]),
  pillowNode("lib.pillow.filter.Expand", "Add a border around an image to increase its size.\n    image, border, expand", [prop("border", "int", 0, { min: 0, max: 512 }), prop("fill", "int", 0, { min: 0, max: 255 })], (i) => [
    { op: "expand", border: numberIn(i, "border", 0, 0, 512, true), fill: numberIn(i, "fill", 0, 0, 255, true) },
  ]),
];

const blend = defineNode({
  type: "lib.pillow.__init__.Blend",
  description: "Blend two images with adjustable alpha mixing.\n    blend, mix, fade, transition",
  gpu: true,
  properties: [image("image1", "The first image to blend."), image("image2", "The second image to blend."), prop("alpha", "float", 0.5, { min: 0, max: 1, description: "The mix ratio." })],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => ({
    output: await runImageOps(ctx, [{ value: inputs.image1, name: "image1" }, { value: inputs.image2, name: "image2" }], [{ op: "blend", input: 1, alpha: numberIn(inputs, "alpha", 0.5, 0, 1) }]),
  }),
});

const composite = defineNode({
  type: "lib.pillow.__init__.Composite",
  description: "Combine two images using a mask for advanced compositing.\n    composite, mask, blend, layering",
  gpu: true,
  properties: [image("image1", "The first image to composite."), image("image2", "The second image to composite."), image("mask", "The mask to composite with.")],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => ({
    output: await runImageOps(ctx, [{ value: inputs.image1, name: "image1" }, { value: inputs.image2, name: "image2" }, { value: inputs.mask, name: "mask" }], [{ op: "composite", input: 1, mask: 2 }]),
  }),
});

/** RenderText under each name NodeTool has used for it. */
const renderText = (type: string, fontDefault: Record<string, unknown>) =>
  defineNode({
    type,
    description: "This node allows you to add text to images.\n    text, font, label, title, watermark, caption, image, overlay",
    gpu: true,
    properties: [
      prop("text", "str", "", { description: "The text to render." }),
      prop("font", "font", fontDefault, { description: "The font to use (a system font file name, e.g. DejaVuSans-Bold)." }),
      prop("x", "int", 0, { min: 0, description: "The x coordinate." }),
      prop("y", "int", 0, { min: 0, description: "The y coordinate." }),
      prop("size", "int", 12, { min: 1, max: 512, description: "The font size." }),
      prop("color", "color", { type: "color", value: "#000000" }, { description: "The font color." }),
      prop("align", "enum", "left", { values: ["left", "center", "right"] }),
      image("image", "The image to render on."),
    ],
    outputs: [out("output", "image")],
    process: async (inputs, ctx) => {
      const align = toText(inputs.align ?? "left").toLowerCase();
      if (align !== "left" && align !== "center" && align !== "right") throw new RangeError(`align must be left, center or right, got ${JSON.stringify(inputs.align)}`);
      const op: ImageOp = {
        op: "text",
        text: toText(inputs.text ?? ""),
        font: fontName(inputs.font, "DejaVuSans"),
        x: numberIn(inputs, "x", 0, 0, 16384, true),
        y: numberIn(inputs, "y", 0, 0, 16384, true),
        size: numberIn(inputs, "size", 12, 1, 512, true),
        color: colorValue(inputs.color, "#000000"),
        align,
      };
      return { output: await runImageOps(ctx, [{ value: inputs.image, name: "image" }], [op]) };
    },
  });

const drawNodes: NodeDecl[] = [
  renderText("lib.pillow.draw.RenderText", { type: "font", name: "DejaVuSans" }),
  renderText("lib.image.draw.RenderText", { type: "font", name: "DejaVuSans", source: "system", url: "", weight: "regular" }),
  renderText("nodetool.lib.image.draw.RenderText", { type: "font", name: "DejaVuSans", source: "system", url: "", weight: "regular" }),
];

export const pillowNodes: NodeDecl[] = [...enhanceNodes, ...filterNodes, blend, composite, ...drawNodes];
