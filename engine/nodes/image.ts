/**
 * `nodetool.image.*` transforms and `lib.grid.*`: declared here, run on the gpu-runner pool's image kernel
 * (engine/media/image-ops.ts). Semantics are NodeTool's (nodetool-base src/nodetool/nodes/nodetool/image.py,
 * lib/grid.py): images are read as 8-bit RGB, resized with Lanczos, written as PNG.
 */
import { colorValue, numberIn, runImageJob, runImageOps } from "../media/image-ops";
import { emptyMediaRef } from "../media/nodes";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { toList } from "../values/coerce";

const image = (name: string, description: string) => prop(name, "image", emptyMediaRef("image"), { description, required: true });
const side = (name: string, fallback: number, min: number, description: string) => prop(name, "int", fallback, { min, max: 4096, description });

const crop = defineNode({
  type: "nodetool.image.Crop",
  description: "Crop an image to specified coordinates.\n    image, crop",
  gpu: true,
  properties: [image("image", "The image to crop."), side("left", 0, 0, "The left coordinate."), side("top", 0, 0, "The top coordinate."), side("right", 512, 0, "The right coordinate."), side("bottom", 512, 0, "The bottom coordinate.")],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => {
    const [left, top, right, bottom] = (["left", "top", "right", "bottom"] as const).map((n, i) => numberIn(inputs, n, [0, 0, 512, 512][i], 0, 4096, true));
    return { output: await runImageOps(ctx, [{ value: inputs.image, name: "image" }], [{ op: "crop", left, top, right, bottom }]) };
  },
});

const fit = defineNode({
  type: "nodetool.image.Fit",
  description: "Resize an image to fit within specified dimensions while preserving aspect ratio.\n    image, resize, fit",
  gpu: true,
  properties: [image("image", "The image to fit."), side("width", 512, 1, "Width to fit to."), side("height", 512, 1, "Height to fit to.")],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => {
    const op = { op: "fit" as const, width: numberIn(inputs, "width", 512, 1, 4096, true), height: numberIn(inputs, "height", 512, 1, 4096, true) };
    return { output: await runImageOps(ctx, [{ value: inputs.image, name: "image" }], [op]) };
  },
});

const resize = defineNode({
  type: "nodetool.image.Resize",
  description: "Change image dimensions to specified width and height.\n    image, resize",
  gpu: true,
  properties: [image("image", "The image to resize."), side("width", 512, 0, "The target width."), side("height", 512, 0, "The target height.")],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => {
    const width = numberIn(inputs, "width", 512, 0, 4096, true);
    const height = numberIn(inputs, "height", 512, 0, 4096, true);
    if (width === 0 || height === 0) throw new RangeError(`cannot resize to ${width}x${height}: the image would have no pixels`);
    return { output: await runImageOps(ctx, [{ value: inputs.image, name: "image" }], [{ op: "resize", width, height }]) };
  },
});

const scale = defineNode({
  type: "nodetool.image.Scale",
  description: "Enlarge or shrink an image by a scale factor.\n    image, resize, scale",
  gpu: true,
  properties: [image("image", "The image to scale."), prop("scale", "float", 1.0, { min: 0, max: 10, description: "The scale factor." })],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => {
    const factor = numberIn(inputs, "scale", 1, 0, 10);
    if (factor === 0) throw new RangeError("scale 0 would leave no pixels");
    return { output: await runImageOps(ctx, [{ value: inputs.image, name: "image" }], [{ op: "scale", scale: factor }]) };
  },
});

const paste = defineNode({
  type: "nodetool.image.Paste",
  description: "Paste one image onto another at specified coordinates.\n    paste, composite, positioning, overlay",
  gpu: true,
  properties: [image("image", "The image to paste into."), image("paste", "The image to paste."), side("left", 0, 0, "The left coordinate."), side("top", 0, 0, "The top coordinate.")],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => {
    const op = { op: "paste" as const, input: 1, left: numberIn(inputs, "left", 0, 0, 4096, true), top: numberIn(inputs, "top", 0, 0, 4096, true) };
    return { output: await runImageOps(ctx, [{ value: inputs.image, name: "image" }, { value: inputs.paste, name: "paste" }], [op]) };
  },
});

const sliceGrid = defineNode({
  type: "lib.grid.SliceImageGrid",
  description: "Slice an image into a grid of tiles.\n    image, grid, slice, tiles",
  gpu: true,
  properties: [image("image", "The image to slice into a grid."), prop("columns", "int", 0, { min: 0, description: "Number of columns in the grid." }), prop("rows", "int", 0, { min: 0, description: "Number of rows in the grid." })],
  outputs: [out("output", "list[image]")],
  process: async (inputs, ctx) => {
    const finish = { kind: "slice_grid" as const, columns: numberIn(inputs, "columns", 0, 0, 256, true), rows: numberIn(inputs, "rows", 0, 0, 256, true) };
    return { output: await runImageJob(ctx, { images: [{ value: inputs.image, name: "image" }], ops: [], finish }) };
  },
});

const combineGrid = defineNode({
  type: "lib.grid.CombineImageGrid",
  description: "Combine a grid of image tiles into a single image.\n    image, grid, combine, tiles",
  gpu: true,
  properties: [prop("tiles", "list[image]", [], { description: "List of image tiles to combine." }), prop("columns", "int", 0, { min: 0, description: "Number of columns in the grid." })],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => {
    const tiles = toList(inputs.tiles ?? []);
    if (tiles.length === 0) throw new Error("No tiles provided for combining.");
    if (tiles.length > 256) throw new RangeError(`at most 256 tiles can be combined, got ${tiles.length}`);
    const finish = { kind: "combine_grid" as const, columns: numberIn(inputs, "columns", 0, 0, 256, true) };
    const [output] = await runImageJob(ctx, { images: tiles.map((value, i) => ({ value, name: `tiles[${i}]` })), ops: [], finish });
    return { output };
  },
});

const background = defineNode({
  type: "lib.pillow.draw.Background",
  description: "The Background Node creates a blank background.\n    image, background, blank, base, layer",
  gpu: true,
  properties: [side("width", 512, 1, "Width."), side("height", 512, 1, "Height."), prop("color", "color", { type: "color", value: "#FFFFFF" })],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => {
    const source = { kind: "solid" as const, width: numberIn(inputs, "width", 512, 1, 4096, true), height: numberIn(inputs, "height", 512, 1, 4096, true), color: colorValue(inputs.color, "#FFFFFF") };
    return { output: await runImageOps(ctx, [], [], source) };
  },
});

const gaussianNoise = defineNode({
  type: "lib.pillow.draw.GaussianNoise",
  description: "This node creates and adds Gaussian noise to an image.\n    image, noise, gaussian, distortion, artifact",
  gpu: true,
  properties: [prop("mean", "float", 0.0), prop("stddev", "float", 1.0), prop("width", "int", 512, { min: 1, max: 1024 }), prop("height", "int", 512, { min: 1, max: 1024 })],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => {
    const source = {
      kind: "noise" as const,
      mean: numberIn(inputs, "mean", 0, -1e6, 1e6),
      stddev: numberIn(inputs, "stddev", 1, 0, 1e6),
      width: numberIn(inputs, "width", 512, 1, 1024, true),
      height: numberIn(inputs, "height", 512, 1, 1024, true),
    };
    return { output: await runImageOps(ctx, [], [], source) };
  },
});

export const imageNodes: NodeDecl[] = [crop, fit, resize, scale, paste, sliceGrid, combineGrid, background, gaussianNoise];
