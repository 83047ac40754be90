/**
 * NodeTool's colour grading nodes, under their lib.pillow.color_grading names and the newer
 * lib.image.color_grading ones, plus lib.image.color.BrightnessContrast. The formulas are NodeTool's
 * (packages/base-nodes/src/nodes/lib-image-color-grading.ts, packages/gpu/src/shaders/color/brightnessContrast)
 * and run on the gpu-runner pool's image kernel (gpu-runner/src/kernels/image/grading.ts).
 */
import type { GRADING_KINDS } from "../../schema/image-ops";
import { numberIn, runImageOps } from "../media/image-ops";
import { emptyMediaRef } from "../media/nodes";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { toText } from "../values/coerce";

type Num = [name: string, fallback: number, min: number, max: number];
type Choice = [name: string, fallback: string, values: readonly string[]];

const FILM_PRESETS = ["teal_orange", "blockbuster", "noir", "vintage", "cold_blue", "warm_sunset", "matrix", "bleach_bypass", "cross_process", "faded_film"];
const COLOR_RANGES = ["all", "reds", "oranges", "yellows", "greens", "cyans", "blues", "purples", "magentas"];
const rgb = (prefix: string, fallback: number, min: number, max: number): Num[] => ["r", "g", "b"].map((c) => [`${prefix}_${c}`, fallback, min, max]);

const GRADES: Array<{ name: string; kind: (typeof GRADING_KINDS)[number]; description: string; nums: Num[]; choices?: Choice[] }> = [
  { name: "CDL", kind: "cdl", description: "ASC CDL (Color Decision List) color correction: (input * slope + offset) ^ power, then saturation.\n    cdl, slope, offset, power, saturation", nums: [...rgb("slope", 1, 0, 4), ...rgb("offset", 0, -1, 1), ...rgb("power", 1, 0.1, 4), ["saturation", 1, 0, 4]] },
  { name: "ColorBalance", kind: "color_balance", description: "Adjust color temperature and tint for white balance correction.\n    white balance, temperature, tint", nums: [["temperature", 0, -1, 1], ["tint", 0, -1, 1]] },
  { name: "Curves", kind: "curves", description: "RGB curves adjustment for precise tonal control.\n    curves, rgb, tonal, contrast, levels", nums: [["black_point", 0, 0, 0.5], ["white_point", 1, 0.5, 1], ["shadows", 0, -0.5, 0.5], ["midtones", 0, -0.5, 0.5], ["highlights", 0, -0.5, 0.5], ["red_midtones", 0, -0.5, 0.5], ["green_midtones", 0, -0.5, 0.5], ["blue_midtones", 0, -0.5, 0.5]] },
  { name: "Exposure", kind: "exposure", description: "Comprehensive tonal exposure controls similar to Lightroom/Camera Raw.\n    exposure, contrast, highlights, shadows, whites, blacks", nums: [["exposure", 0, -5, 5], ["contrast", 0, -1, 1], ["highlights", 0, -1, 1], ["shadows", 0, -1, 1], ["whites", 0, -1, 1], ["blacks", 0, -1, 1]] },
  { name: "FilmLook", kind: "film_look", description: "Apply preset cinematic film looks with adjustable intensity.\n    film look, cinematic, preset, color grade", nums: [["intensity", 1, 0, 2]], choices: [["preset", "teal_orange", FILM_PRESETS]] },
  { name: "HSLAdjust", kind: "hsl_adjust", description: "Adjust hue, saturation and luminance of a color range.\n    hsl, hue, saturation, luminance, selective color", nums: [["hue_shift", 0, -1, 1], ["saturation", 0, -1, 1], ["luminance", 0, -1, 1]], choices: [["color_range", "all", COLOR_RANGES]] },
  { name: "LiftGammaGain", kind: "lift_gamma_gain", description: "Three-way color corrector for shadows (lift), midtones (gamma) and highlights (gain).\n    lift, gamma, gain, color wheels", nums: [...rgb("lift", 0, -1, 1), ["lift_master", 0, -1, 1], ...rgb("gamma", 1, 0.1, 4), ["gamma_master", 1, 0.1, 4], ...rgb("gain", 1, 0, 4), ["gain_master", 1, 0, 4]] },
  { name: "SaturationVibrance", kind: "saturation_vibrance", description: "Adjust global saturation and vibrance (which favours less saturated colors).\n    saturation, vibrance, color intensity", nums: [["saturation", 0, -1, 1], ["vibrance", 0, -1, 1]] },
  { name: "SplitToning", kind: "split_toning", description: "Tint shadows and highlights with different colors.\n    split toning, shadows, highlights, tint", nums: [["shadow_hue", 200, 0, 360], ["shadow_saturation", 0.3, 0, 1], ["highlight_hue", 40, 0, 360], ["highlight_saturation", 0.3, 0, 1], ["balance", 0, -1, 1]] },
  { name: "Vignette", kind: "vignette", description: "Darken (or lighten) the edges of an image.\n    vignette, edges, darken, frame", nums: [["amount", 0.5, -1, 1], ["midpoint", 0.5, 0, 1], ["roundness", 0, -1, 1], ["feather", 0.5, 0, 1]] },
];

const image = () => prop("image", "image", emptyMediaRef("image"), { description: "The image to adjust.", required: true });

function gradingNode(namespace: string, g: (typeof GRADES)[number]): NodeDecl {
  return defineNode({
    type: `${namespace}.${g.name}`,
    description: g.description,
    gpu: true,
    properties: [
      image(),
      ...(g.choices ?? []).map(([name, fallback, values]) => prop(name, "enum", fallback, { values })),
      ...g.nums.map(([name, fallback, min, max]) => prop(name, "float", fallback, { min, max })),
    ],
    outputs: [out("output", "image")],
    process: async (inputs, ctx) => {
      const params: Record<string, number | string> = {};
      for (const [name, fallback, min, max] of g.nums) params[name] = numberIn(inputs, name, fallback, min, max);
      for (const [name, fallback, values] of g.choices ?? []) {
        const v = toText(inputs[name] ?? fallback).toLowerCase();
        if (!values.includes(v)) throw new RangeError(`${name} must be one of ${values.join(", ")}, got ${JSON.stringify(inputs[name])}`);
        params[name] = v;
      }
      return { output: await runImageOps(ctx, [{ value: inputs.image, name: "image" }], [{ op: "grading", kind: g.kind, params }]) };
    },
  });
}

const brightnessContrast = defineNode({
  type: "lib.image.color.BrightnessContrast",
  title: "Brightness / Contrast",
  description: "Additive brightness, multiplicative contrast around mid-gray.\n    image, color, brightness, contrast, levels",
  gpu: true,
  properties: [
    prop("image", "image", emptyMediaRef("image"), { description: "The image to adjust.", required: true }),
    prop("mask", "image", emptyMediaRef("image"), { description: "Optional coverage mask (not supported here: leave it empty)." }),
    prop("brightness", "float", 0, { min: -1, max: 1 }),
    prop("contrast", "float", 1, { min: 0, max: 4 }),
  ],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => {
    const mask = inputs.mask as { uri?: unknown; data?: unknown } | null | undefined;
    if (mask && ((typeof mask === "object" && (mask.uri || mask.data)) || typeof mask === "string")) {
      throw new Error("BrightnessContrast: a coverage mask is not supported on this server; leave mask empty");
    }
    const op = { op: "brightness_contrast" as const, brightness: numberIn(inputs, "brightness", 0, -1, 1), contrast: numberIn(inputs, "contrast", 1, 0, 4) };
    return { output: await runImageOps(ctx, [{ value: inputs.image, name: "image" }], [op]) };
  },
});

export const gradingNodes: NodeDecl[] = [
  ...GRADES.map((g) => gradingNode("lib.pillow.color_grading", g)),
  ...GRADES.map((g) => gradingNode("lib.image.color_grading", g)),
  brightnessContrast,
];
