import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { imageKernel } from "../../../gpu-runner/src/kernels/image";
import { CancelledError } from "../../../gpu-runner/src/kernels/types";
import { type InferRequestInput, InferRequestSchema } from "../../../schema/runner";
import { testContext } from "./context";

/**
 * The image kernel on synthetic images built here with pngjs. Expected pixels come from Pillow's formulas
 * applied by hand in this file (ImageEnhance's blend, Filter.c's kernels, ImageOps' luts), never from the
 * kernel's own helpers.
 */

type Px = [number, number, number];
interface Img {
  width: number;
  height: number;
  /** RGBA as pngjs hands it back. */
  data: Uint8Array;
}

function png(width: number, height: number, pixel: (x: number, y: number) => Px): Uint8Array {
  const img = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      img.data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return new Uint8Array(PNG.sync.write(img));
}

const decode = (bytes: Uint8Array): Img => {
  const img = PNG.sync.read(Buffer.from(bytes));
  return { width: img.width, height: img.height, data: new Uint8Array(img.data) };
};
const at = (img: Img, x: number, y: number): number[] => [...img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4)];
const rgbAt = (img: Img, x: number, y: number) => at(img, x, y).slice(0, 3);

async function run(request: Omit<Extract<InferRequestInput, { kernel: "image" }>, "kernel">, ctx = testContext()) {
  const parsed = InferRequestSchema.parse({ kernel: "image", ...request });
  if (parsed.kernel !== "image") throw new Error("not an image request");
  const result = await imageKernel.run(parsed, ctx);
  return result.images.map((i) => ({ ...i, img: i.content_type === "image/png" ? decode(i.data) : undefined }));
}
async function one(images: Uint8Array[], ops: unknown[]) {
  const [out] = await run({ images, ops: ops as never });
  return out.img!;
}

// A gradient with structure in every channel, so per-channel mistakes show.
const pattern = (x: number, y: number): Px => [(x * 37 + y * 11) % 256, (x * 5 + y * 29 + 60) % 256, (x * y * 3 + 17) % 256];
const PATTERN = png(12, 9, pattern);
const luma = ([r, g, b]: Px) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
/** Pillow's Blend.c inside [0, 1]: truncation of the float result. */
const pilBlend = (a: number, b: number, alpha: number) => Math.trunc(Math.fround(a + Math.fround(Math.fround(alpha) * (b - a))));

describe("image kernel: Pillow's enhancers", () => {
  it("Brightness multiplies (blend with black), truncating; over 1 it clips", async () => {
    const dim = await one([PATTERN], [{ op: "enhance", kind: "brightness", factor: 0.5 }]);
    const bright = await one([PATTERN], [{ op: "enhance", kind: "brightness", factor: 1.7 }]);
    for (const [x, y] of [[0, 0], [5, 4], [11, 8], [3, 7]]) {
      const src = pattern(x, y);
      expect(rgbAt(dim, x, y)).toEqual(src.map((v) => pilBlend(0, v, 0.5)));
      expect(rgbAt(bright, x, y)).toEqual(src.map((v) => Math.min(255, Math.trunc(v * Math.fround(1.7)))));
    }
  });

  it("Contrast blends against the mean luma, Color against each pixel's luma", async () => {
    let sum = 0;
    for (let y = 0; y < 9; y++) for (let x = 0; x < 12; x++) sum += luma(pattern(x, y));
    const mean = Math.trunc(sum / (12 * 9) + 0.5);
    const contrast = await one([PATTERN], [{ op: "enhance", kind: "contrast", factor: 0.3 }]);
    const colour = await one([PATTERN], [{ op: "enhance", kind: "color", factor: 0.25 }]);
    for (const [x, y] of [[1, 2], [7, 3], [10, 6]]) {
      const src = pattern(x, y);
      expect(rgbAt(contrast, x, y)).toEqual(src.map((v) => pilBlend(mean, v, 0.3)));
      expect(rgbAt(colour, x, y)).toEqual(src.map((v) => pilBlend(luma(src), v, 0.25)));
    }
  });
});

describe("image kernel: Pillow's filters and ImageOps", () => {
  it("EMBOSS is p(x, y) - p(x-1, y+1) + 128 inside, with the border copied (Filter.c runs kernel rows bottom-up)", async () => {
    const out = await one([PATTERN], [{ op: "kernel_filter", kind: "emboss" }]);
    for (const [x, y] of [[1, 1], [4, 5], [10, 7]]) {
      const expected = pattern(x, y).map((v, c) => Math.min(255, Math.max(0, v - pattern(x - 1, y + 1)[c] + 128)));
      expect(rgbAt(out, x, y)).toEqual(expected);
    }
    expect(rgbAt(out, 0, 4)).toEqual(pattern(0, 4));
    expect(rgbAt(out, 11, 8)).toEqual(pattern(11, 8));
  });

  it("SMOOTH, FIND_EDGES and CONTOUR match their kernels on interior pixels", async () => {
    const [smooth, edges, contour] = await Promise.all(
      ["smooth", "find_edges", "contour"].map((kind) => one([PATTERN], [{ op: "kernel_filter", kind }])),
    );
    const neighbours = (x: number, y: number, c: number) => [-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx) => pattern(x + dx, y + dy)[c]));
    const round = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v + 0.5));
    for (const [x, y] of [[2, 2], [6, 4], [9, 7]]) {
      for (let c = 0; c < 3; c++) {
        const n = neighbours(x, y, c);
        const centre = pattern(x, y)[c];
        const ring = n.reduce((a, b) => a + b, 0) - centre;
        expect(rgbAt(smooth, x, y)[c]).toBe(round((ring + 5 * centre) / 13));
        expect(rgbAt(edges, x, y)[c]).toBe(round(8 * centre - ring));
        expect(rgbAt(contour, x, y)[c]).toBe(round(8 * centre - ring + 255));
      }
    }
  });

  it("invert, posterize, solarize, grayscale and getchannel", async () => {
    const inverted = await one([PATTERN], [{ op: "invert" }]);
    const poster = await one([PATTERN], [{ op: "posterize", bits: 3 }]);
    const solar = await one([PATTERN], [{ op: "solarize", threshold: 100 }]);
    const grey = await one([PATTERN], [{ op: "grayscale" }]);
    const green = await one([PATTERN], [{ op: "channel", channel: "G" }]);
    for (const [x, y] of [[0, 0], [3, 3], [11, 5]]) {
      const src = pattern(x, y);
      expect(rgbAt(inverted, x, y)).toEqual(src.map((v) => 255 - v));
      expect(rgbAt(poster, x, y)).toEqual(src.map((v) => v & 0b11100000));
      expect(rgbAt(solar, x, y)).toEqual(src.map((v) => (v < 100 ? v : 255 - v)));
      expect(rgbAt(grey, x, y)).toEqual([luma(src), luma(src), luma(src)]);
      expect(rgbAt(green, x, y)).toEqual([src[1], src[1], src[1]]);
    }
  });

  it("autocontrast stretches each channel's lo..hi to 0..255; equalize spreads a two-level image", async () => {
    const flat = png(4, 2, (x) => [50 + x * 10, 100, 200 - x * 20]);
    const out = await one([flat], [{ op: "autocontrast", cutoff: 0 }]);
    // red 50..80 -> int((v - 50) * 255 / 30); green has one level and stays; blue 140..200 likewise.
    expect(rgbAt(out, 1, 0)).toEqual([Math.trunc(60 * (255 / 30) - 50 * (255 / 30)), 100, Math.trunc(180 * (255 / 60) - 140 * (255 / 60))]);
    expect(rgbAt(out, 0, 1)).toEqual([0, 100, 255]);
    const halves = png(4, 2, (x) => (x < 2 ? [10, 10, 10] : [20, 20, 20]));
    const eq = await one([halves], [{ op: "equalize" }]);
    // histogram {10: 4, 20: 4}: step = (8 - 4) // 255 = 0 -> identity.
    expect(rgbAt(eq, 0, 0)).toEqual([10, 10, 10]);
    const many = png(16, 16, (x, y) => { const v = (x + 16 * y) % 256; return [v, v, v]; });
    const spread = await one([many], [{ op: "equalize" }]);
    // 256 levels of one pixel each: step = (256 - 1) // 255 = 1, lut[i] = (0 + i) // 1 = i.
    expect(rgbAt(spread, 5, 3)).toEqual([53, 53, 53]);
  });

  it("expand adds a border of Pillow's int colour (0xBBGGRR)", async () => {
    const out = await one([png(2, 2, () => [9, 9, 9])], [{ op: "expand", border: 3, fill: 0x0000ff }]);
    expect([out.width, out.height]).toEqual([8, 8]);
    expect(rgbAt(out, 0, 0)).toEqual([255, 0, 0]);
    expect(rgbAt(out, 3, 3)).toEqual([9, 9, 9]);
  });

  it("the rank filter picks the rank-th value of each window (min, median, max)", async () => {
    const src = png(5, 5, (x, y) => { const v = ((x * 7 + y * 3) % 5) * 40; return [v, v, v]; });
    const window = (x: number, y: number) => [-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx) => ((Math.min(4, Math.max(0, x + dx)) * 7 + Math.min(4, Math.max(0, y + dy)) * 3) % 5) * 40)).sort((a, b) => a - b);
    for (const rank of [0, 4, 8]) {
      const out = await one([src], [{ op: "rank_filter", size: 3, rank }]);
      for (const [x, y] of [[0, 0], [2, 2], [4, 1]]) expect(rgbAt(out, x, y)[0]).toBe(window(x, y)[rank]);
    }
  });
});

describe("image kernel: geometry, compositing, grids", () => {
  it("crop (with the outside black), paste and resize", async () => {
    const cropped = await one([PATTERN], [{ op: "crop", left: 10, top: 7, right: 14, bottom: 10 }]);
    expect([cropped.width, cropped.height]).toEqual([4, 3]);
    expect(rgbAt(cropped, 1, 1)).toEqual(pattern(11, 8));
    expect(rgbAt(cropped, 3, 2)).toEqual([0, 0, 0]);
    const red = png(3, 2, () => [255, 0, 0]);
    const pasted = await one([PATTERN, red], [{ op: "paste", input: 1, left: 10, top: 8 }]);
    expect(rgbAt(pasted, 10, 8)).toEqual([255, 0, 0]);
    expect(rgbAt(pasted, 9, 8)).toEqual(pattern(9, 8));
    const flat = png(40, 30, () => [30, 160, 90]);
    const resized = await one([flat], [{ op: "resize", width: 13, height: 7 }]);
    expect([resized.width, resized.height]).toEqual([13, 7]);
    expect(rgbAt(resized, 6, 3)).toEqual([30, 160, 90]);
    const scaled = await one([flat], [{ op: "scale", scale: 0.55 }]);
    expect([scaled.width, scaled.height]).toEqual([22, 16]);
  });

  it("blend truncates a + alpha (b - a); composite follows the mask's luma with Paste.c rounding", async () => {
    const a = png(4, 4, () => [200, 10, 77]);
    const b = png(4, 4, () => [0, 250, 78]);
    const blended = await one([a, b], [{ op: "blend", input: 1, alpha: 0.3 }]);
    expect(rgbAt(blended, 2, 2)).toEqual([pilBlend(200, 0, 0.3), pilBlend(10, 250, 0.3), pilBlend(77, 78, 0.3)]);
    const mask = png(4, 4, (x) => (x < 2 ? [255, 255, 255] : [64, 64, 64]));
    const composed = await one([a, b, mask], [{ op: "composite", input: 1, mask: 2 }]);
    const div255 = (v: number) => { const t = v + 128; return ((t >> 8) + t) >> 8; };
    expect(at(composed, 0, 0)).toEqual([200, 10, 77, 255]);
    expect(at(composed, 3, 1)).toEqual([div255(200 * 64), div255(10 * 64 + 250 * 191), div255(77 * 64 + 78 * 191), 255]);
  });

  it("slices a grid as NodeTool steps it, and combines tiles onto a transparent canvas", async () => {
    const tiles = await run({ images: [PATTERN], ops: [], finish: { kind: "slice_grid", columns: 3, rows: 0 } });
    // rows = ceil(9 / 12 * 3) = 3; tiles of 4 x 3.
    expect(tiles.map((t) => [t.width, t.height])).toEqual(Array(9).fill([4, 3]));
    expect(rgbAt(tiles[4].img!, 1, 2)).toEqual(pattern(5, 5));
    const small = png(2, 3, () => [1, 2, 3]);
    const [grid] = await run({ images: [PATTERN, small, PATTERN], ops: [], finish: { kind: "combine_grid", columns: 2 } });
    expect([grid.width, grid.height, grid.channels]).toEqual([24, 18, 4]);
    expect(at(grid.img!, 12, 0)).toEqual([1, 2, 3, 255]);
    expect(at(grid.img!, 20, 5)).toEqual([0, 0, 0, 0]);
    expect(rgbAt(grid.img!, 3, 11)).toEqual(pattern(3, 2));
  });
});

describe("image kernel: NodeTool's colour ops and drawing", () => {
  it("brightness/contrast, exposure and saturation/vibrance follow NodeTool's float formulas", async () => {
    const to8 = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
    const src: Px = [40, 120, 230];
    const img = png(3, 3, () => src);
    const bc = await one([img], [{ op: "brightness_contrast", brightness: 0.05, contrast: 1.1 }]);
    expect(rgbAt(bc, 1, 1)).toEqual(src.map((v) => to8((v / 255 - 0.5) * 1.1 + 0.55)));
    const exp = await one([img], [{ op: "grading", kind: "exposure", params: { exposure: 0.2, contrast: 0.1, highlights: -0.1, shadows: 0.1 } }]);
    const scaled = src.map((v) => (v / 255) * 2 ** 0.2);
    const l = 0.2126 * scaled[0] + 0.7152 * scaled[1] + 0.0722 * scaled[2];
    const hl = Math.min(1, Math.max(0, (l - 0.5) * 2));
    const sh = Math.min(1, Math.max(0, (0.5 - l) * 2));
    expect(rgbAt(exp, 0, 2)).toEqual(scaled.map((v) => to8(0.5 + (v + hl * 0.1 * 0.5 + sh * 0.1 * 0.5 - 0.5) * 1.1)));
    const sat = await one([img], [{ op: "grading", kind: "saturation_vibrance", params: { saturation: 0.5, vibrance: 0 } }]);
    const f = src.map((v) => v / 255);
    const lum = 0.2126 * f[0] + 0.7152 * f[1] + 0.0722 * f[2];
    expect(rgbAt(sat, 2, 0)).toEqual(f.map((v) => to8(lum + (v - lum) * 1.5)));
  });

  it("draws text in the given colour inside the box (x, y) .. (x + width, y + size * 1.3)", async () => {
    const white = png(200, 80, () => [255, 255, 255]);
    const out = await one([white], [{ op: "text", text: "HI", font: "DejaVuSans-Bold", x: 30, y: 20, size: 40, color: "#ff0000", align: "left" }]);
    let minX = Infinity, maxX = -1, minY = Infinity, maxY = -1, pure = 0;
    for (let y = 0; y < out.height; y++) {
      for (let x = 0; x < out.width; x++) {
        const [r, g, b] = rgbAt(out, x, y);
        if (g < 128) {
          minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
          if (r === 255 && g === 0 && b === 0) pure++;
        }
      }
    }
    expect(pure).toBeGreaterThan(100);
    // Pillow's "la" anchor: y is the ascender line (DejaVu: 0.93 em above the baseline), capitals start
    // (ascender - cap height) = 0.2 em below it and end on the baseline; x is the pen position.
    expect(minX).toBeGreaterThanOrEqual(30);
    expect(minX).toBeLessThanOrEqual(36);
    expect(minY).toBeGreaterThanOrEqual(20 + Math.floor(0.15 * 40));
    expect(minY).toBeLessThanOrEqual(20 + Math.ceil(0.25 * 40));
    // DejaVu Sans Bold's hhea ascender is 1901 of 2048 units: the baseline is 20 + ceil(37.1) = 58.
    expect(maxY).toBeGreaterThanOrEqual(56);
    expect(maxY).toBeLessThanOrEqual(58);
    // Cap height of DejaVu Sans is ~0.73 em: the glyphs are about 29 px tall; "HI" is about a word wide.
    expect(maxY - minY).toBeGreaterThanOrEqual(27);
    expect(maxY - minY).toBeLessThanOrEqual(31);
    expect(maxX - minX).toBeGreaterThan(34);
  });

  it("generates solid colours and Gaussian noise, and rasterises SVG", async () => {
    const [solid] = await run({ images: [], source: { kind: "solid", width: 5, height: 4, color: "#102030" }, ops: [] });
    expect(rgbAt(solid.img!, 4, 3)).toEqual([16, 32, 48]);
    const [noise] = await run({ images: [], source: { kind: "noise", width: 64, height: 64, mean: 0, stddev: 1 }, ops: [] });
    const values = [...noise.img!.data].filter((_, i) => i % 4 !== 3);
    // clip(N(0, 1), 0, 1): half the samples are 0, P(x >= 1) = 15.9% are 255.
    expect(values.filter((v) => v === 0).length / values.length).toBeCloseTo(0.5, 1);
    expect(values.filter((v) => v === 255).length / values.length).toBeCloseTo(0.159, 1);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect x="10" width="10" height="10" fill="#00ff00"/></svg>';
    const [raster] = await run({ images: [], source: { kind: "svg", svg, scale: 2 }, ops: [] });
    expect([raster.width, raster.height]).toEqual([40, 20]);
    expect(at(raster.img!, 30, 10)).toEqual([0, 255, 0, 255]);
    expect(at(raster.img!, 5, 10)[3]).toBe(0);
  });
});

describe("image kernel: failures", () => {
  it("bytes that are no image, a missing input and an oversized crop fail as input errors", async () => {
    await expect(one([new TextEncoder().encode("not an image")], [])).rejects.toThrow(/input image 0 is not a readable image/);
    await expect(one([PATTERN], [{ op: "paste", input: 3, left: 0, top: 0 }])).rejects.toThrow(/needs input image 3/);
    await expect(one([PATTERN], [{ op: "crop", left: 0, top: 0, right: 16000, bottom: 16000 }])).rejects.toThrow(/too large/);
    await expect(one([PATTERN], [{ op: "text", text: "x", font: "NoSuchFont-Regular", x: 0, y: 0, size: 9, color: "#000", align: "left" }])).rejects.toThrow(/font 'NoSuchFont-Regular' was not found/);
    expect(() => InferRequestSchema.parse({ kernel: "image", images: [], ops: [{ op: "resize", width: 100000, height: 1 }] })).toThrow();
  });

  it("stops at the next step once cancelled", async () => {
    await expect(run({ images: [PATTERN], ops: [{ op: "invert" }, { op: "invert" }, { op: "invert" }] }, testContext({ cancelAfterChecks: 2 }))).rejects.toBeInstanceOf(CancelledError);
  });
});
