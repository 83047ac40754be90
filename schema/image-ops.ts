import { z } from "zod";

/**
 * The image kernel's operations (schema/runner.ts, `kernel: "image"`), shared by the engine's image nodes and
 * the gpu-runner's kernel (gpu-runner/src/kernels/image). A request is one pipeline: the first input image is
 * decoded to 8-bit RGB (as NodeTool's `image_to_pil` does: `convert("RGB")`), each op transforms the current
 * image in turn (ops that take a second image name it by its index in `inputs`), and the result is encoded.
 * Every size a user controls is bounded here, so an absurd value fails validation, not the runner.
 */

/** Largest side of any image the kernel creates or accepts (NodeTool's own fields stop at 4096; grids go further). */
export const MAX_IMAGE_SIDE = 16384;
/** Largest pixel count of any decoded or created image (also sharp's decompression-bomb limit). */
export const MAX_IMAGE_PIXELS = 64_000_000;

const side = z.number().int().min(0).max(MAX_IMAGE_SIDE);
const positiveSide = z.number().int().min(1).max(MAX_IMAGE_SIDE);
const coordinate = z.number().int().min(-MAX_IMAGE_SIDE).max(MAX_IMAGE_SIDE);
const inputIndex = z.number().int().min(0).max(255);
/** `#rgb`, `#rrggbb` or `#rrggbbaa`. */
export const HexColorSchema = z.string().regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/, "expected a #rrggbb colour");
const finite = z.number().finite();

export const ENHANCE_KINDS = ["brightness", "contrast", "color", "sharpness"] as const;
/** PIL's built-in convolution filters (ImageFilter.BLUR, CONTOUR, ...). */
export const KERNEL_FILTERS = ["blur", "contour", "detail", "edge_enhance", "emboss", "find_edges", "smooth", "sharpen"] as const;
export const GRADING_KINDS = [
  "exposure",
  "saturation_vibrance",
  "color_balance",
  "cdl",
  "lift_gamma_gain",
  "curves",
  "split_toning",
  "vignette",
  "hsl_adjust",
  "film_look",
] as const;

export const ImageOpSchema = z.discriminatedUnion("op", [
  /** PIL ImageEnhance.<kind>(image).enhance(factor). */
  z.object({ op: z.literal("enhance"), kind: z.enum(ENHANCE_KINDS), factor: finite.min(-100).max(100) }),
  /** image.filter(ImageFilter.<KIND>): PIL's fixed 3x3/5x5 kernels, border pixels kept. */
  z.object({ op: z.literal("kernel_filter"), kind: z.enum(KERNEL_FILTERS) }),
  /** ImageFilter.GaussianBlur(radius). */
  z.object({ op: z.literal("gaussian_blur"), radius: finite.min(0).max(512) }),
  /** ImageFilter.UnsharpMask(radius, percent, threshold). */
  z.object({ op: z.literal("unsharp_mask"), radius: finite.min(0).max(512), percent: z.number().int().min(0).max(1000), threshold: z.number().int().min(0).max(512) }),
  /** ImageFilter.RankFilter(size, rank): the rank-th smallest value of each size x size window. */
  z.object({ op: z.literal("rank_filter"), size: z.number().int().min(1).max(63), rank: z.number().int().min(0).max(63 * 63 - 1) }),
  z.object({ op: z.literal("autocontrast"), cutoff: finite.min(0).max(100) }),
  z.object({ op: z.literal("equalize") }),
  z.object({ op: z.literal("invert") }),
  /** cv2.Canny(rgb, low, high) (aperture 3, L1 gradient): white edges on black, as RGB. */
  z.object({ op: z.literal("canny"), low: z.number().int().min(0).max(255), high: z.number().int().min(0).max(255) }),
  /** NodeTool's AdaptiveContrast: OpenCV's CLAHE on the L of its 8-bit Lab (the RGB array read as BGR), as RGB. */
  z.object({ op: z.literal("clahe"), clip_limit: finite.min(0).max(100), grid_size: z.number().int().min(1).max(64) }),
  z.object({ op: z.literal("posterize"), bits: z.number().int().min(1).max(8) }),
  z.object({ op: z.literal("solarize"), threshold: z.number().int().min(0).max(255) }),
  /** convert("L"): ITU-R 601-2 luma, one channel. */
  z.object({ op: z.literal("grayscale") }),
  /** getchannel(R|G|B): one channel. */
  z.object({ op: z.literal("channel"), channel: z.enum(["R", "G", "B"]) }),
  /** ImageOps.expand(border, fill) with fill an int colour. */
  z.object({ op: z.literal("expand"), border: side, fill: z.number().int().min(0).max(0xffffff) }),
  /** resize((width, height), LANCZOS). */
  z.object({ op: z.literal("resize"), width: positiveSide, height: positiveSide }),
  /** resize((int(w * scale), int(h * scale)), LANCZOS). */
  z.object({ op: z.literal("scale"), scale: finite.gt(0).max(10) }),
  /** ImageOps.fit((width, height), LANCZOS): cover, centred crop. */
  z.object({ op: z.literal("fit"), width: positiveSide, height: positiveSide }),
  /** crop((left, top, right, bottom)); outside the image is black. */
  z.object({ op: z.literal("crop"), left: coordinate, top: coordinate, right: coordinate, bottom: coordinate }),
  /** image.paste(inputs[input], (left, top)): replaces pixels, no blending. */
  z.object({ op: z.literal("paste"), input: inputIndex, left: coordinate, top: coordinate }),
  /** Image.blend(image, inputs[input] fitted to the image's size, alpha). */
  z.object({ op: z.literal("blend"), input: inputIndex, alpha: finite.min(0).max(1) }),
  /** Image.composite(image, inputs[input], mask): the image where the mask's luma is 255, the other where 0. */
  z.object({ op: z.literal("composite"), input: inputIndex, mask: inputIndex }),
  /** NodeTool's GPU colour op: rgb = clamp((rgb - 0.5) * contrast + 0.5 + brightness) on values in [0, 1]. */
  z.object({ op: z.literal("brightness_contrast"), brightness: finite.min(-1).max(1), contrast: finite.min(0).max(4) }),
  /** NodeTool's colour grading nodes; `params` are the node's own properties (checked by the kernel). */
  z.object({ op: z.literal("grading"), kind: z.enum(GRADING_KINDS), params: z.record(z.string(), z.union([z.number().finite(), z.string().max(64)])) }),
  /** ImageDraw.text((x, y), text, font, fill, align): (x, y) is the top left of the first line's ascender. */
  z.object({
    op: z.literal("text"),
    text: z.string().max(10_000),
    /** A fontconfig family and style, e.g. "DejaVu Sans Bold". */
    font: z.string().min(1).max(200),
    x: coordinate,
    y: coordinate,
    size: z.number().int().min(1).max(1024),
    color: HexColorSchema,
    align: z.enum(["left", "center", "right"]),
  }),
]);
export type ImageOp = z.infer<typeof ImageOpSchema>;

/** Where the current image comes from when no input is given: a generated one. */
export const ImageSourceSchema = z.discriminatedUnion("kind", [
  /** Image.new("RGB", (width, height), color). */
  z.object({ kind: z.literal("solid"), width: positiveSide, height: positiveSide, color: HexColorSchema }),
  /** clip(normal(mean, stddev), 0, 1) * 255 per channel, as lib.pillow.draw.GaussianNoise. */
  z.object({ kind: z.literal("noise"), width: positiveSide, height: positiveSide, mean: finite, stddev: finite.min(0) }),
  /** An SVG document rasterised by librsvg at `scale`. */
  z.object({ kind: z.literal("svg"), svg: z.string().min(1).max(8 * 1024 * 1024), scale: finite.gt(0).max(16) }),
]);
export type ImageSource = z.infer<typeof ImageSourceSchema>;

/** What the pipeline ends in: one image, or the tiles of a grid. */
export const ImageFinishSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("image") }),
  /** SliceImageGrid: the image cut into columns x rows tiles (0 = derived as NodeTool derives it), row by row. */
  z.object({ kind: z.literal("slice_grid"), columns: z.number().int().min(0).max(256), rows: z.number().int().min(0).max(256) }),
  /** CombineImageGrid: every input as a tile, `columns` per row (0: floor(sqrt(n))), on a transparent RGBA canvas. */
  z.object({ kind: z.literal("combine_grid"), columns: z.number().int().min(0).max(256) }),
]);

export const ImageOutputFormatSchema = z.object({
  format: z.enum(["png", "jpeg", "webp"]).default("png"),
  quality: z.number().int().min(1).max(100).default(90),
});

export const ImageResultImageSchema = z.object({
  width: z.number().int(),
  height: z.number().int(),
  /** 1 (L), 3 (RGB) or 4 (RGBA). */
  channels: z.number().int(),
  content_type: z.string(),
  data: z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: "expected bytes" }),
});
export type ImageResultImage = z.infer<typeof ImageResultImageSchema>;
