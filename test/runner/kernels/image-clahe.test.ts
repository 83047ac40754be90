import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { runWorkflow } from "../../../engine/executor/run-workflow";
import type { InferenceRequest } from "../../../engine/inference/types";
import { CORE_NODES } from "../../../engine/nodes/index";
import { imageKernel } from "../../../gpu-runner/src/kernels/image";
import { clahePlane } from "../../../gpu-runner/src/kernels/image/clahe";
import { InferRequestSchema } from "../../../schema/runner";
import { graph, registry } from "../../engine/helpers";
import { png, readPng } from "./av-fixtures";
import { testContext } from "./context";

/**
 * lib.pillow.enhance.AdaptiveContrast (OpenCV's CLAHE on the L of 8-bit Lab) against results worked out here:
 * lookup tables from histogram counts by OpenCV's clipping and redistribution rules, and grey levels from the
 * CIE L* formulas. The L plane tests are exact. Through the kernel the Lab conversion enters: OpenCV's is
 * fixed point (a 2040-step gamma table, 15-bit cube roots, a 4096-entry inverse-gamma table), so its 8-bit L of
 * a grey is the CIE value within 1 and its grey for an 8-bit L within about 1.2; those checks allow 1.5.
 */

const TOLERANCE = 1.5;

/** The sRGB grey level as linear luminance Y, and CIE L* (0..100) of it. */
const linear = (v: number) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
const lStar = (v: number) => {
  const y = linear(v);
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
};
/** 8-bit L (L* x 255 / 100) back to the sRGB grey level, unrounded. */
const greyOfL8 = (l8: number) => {
  const l = (l8 * 100) / 255;
  const y = l > 8 ? ((l + 16) / 116) ** 3 : l / (24389 / 27);
  return 255 * (y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055);
};

async function clahe(image: Uint8Array, clip_limit: number, grid_size: number) {
  const parsed = InferRequestSchema.parse({ kernel: "image", images: [image], ops: [{ op: "clahe", clip_limit, grid_size }] });
  if (parsed.kernel !== "image") throw new Error("not an image request");
  const result = await imageKernel.run(parsed, testContext());
  return { channels: result.images[0].channels, ...readPng(result.images[0].data) };
}

const grey = (v: number): [number, number, number] => [v, v, v];
const expectGrey = (px: number[], l8: number, what: string) => {
  for (const c of px) expect(Math.abs(c - greyOfL8(l8)), `${what}: ${px} for L ${l8} (grey ${greyOfL8(l8).toFixed(2)})`).toBeLessThanOrEqual(TOLERANCE);
};

describe("CLAHE on an 8-bit plane (OpenCV's rules, exact)", () => {
  const plane = (w: number, h: number, v: (x: number, y: number) => number) => Uint8Array.from({ length: w * h }, (_, i) => v(i % w, Math.floor(i / w)));

  it("one tile and no clip limit is plain histogram equalisation: round(cumulative count x 255 / area)", () => {
    // 40 pixels at 60 and 24 at 190: the first maps to round(40 x 255 / 64) = round(159.375), the second to 255.
    const out = clahePlane(plane(8, 8, (x, y) => (y * 8 + x < 40 ? 60 : 190)), 8, 8, 0, 1);
    expect(new Set(out.subarray(0, 40))).toEqual(new Set([159]));
    expect(new Set(out.subarray(40))).toEqual(new Set([255]));
  });

  it("clips the histogram and spreads the excess: evenly, then one count a bin at step 256 / remainder", () => {
    // 8x8 of 137, clip limit 100: the clip is trunc(100 x 64 / 256) = 25, the excess 39 < 256 goes one each to
    // bins 0, 6, ..., 228 (step trunc(256 / 39) = 6). Bins 0..137 then hold 23 of those plus the clipped 25:
    // round(48 x 255 / 64) = round(191.25).
    expect(new Set(clahePlane(plane(8, 8, () => 137), 8, 8, 100, 1))).toEqual(new Set([191]));
    // 32x32 of 100, clip limit 2: clip trunc(2 x 1024 / 256) = 8, excess 1016 = 3 x 256 + 248: every bin + 3,
    // bins 0..247 + 1 more (step 1). Bins 0..100 hold 101 x 4 + 8 = 412: round(412 x 255 / 1024) = round(102.6).
    expect(new Set(clahePlane(plane(32, 32, () => 100), 32, 32, 2, 1))).toEqual(new Set([103]));
    // A clip limit that truncates to 0 clips at 1: 8x8 of 200 with 0.01 leaves 63 spread at step 4 over bins
    // 0, 4, ..., 248; bins 0..200 hold 51 of them + 1: round(52 x 255 / 64) = round(207.19).
    expect(new Set(clahePlane(plane(8, 8, () => 200), 8, 8, 0.01, 1))).toEqual(new Set([207]));
  });

  it("each tile equalises its own pixels; between tile centres the tables blend bilinearly", () => {
    // 16x8, grid 2 (8x4 tiles): columns alternate 40/60 on the left, 190/210 on the right. Each tile is two levels
    // half and half: the lower maps to round(16 x 255 / 32) = round(127.5) = 128 (half to even), the upper to 255.
    const out = clahePlane(plane(16, 8, (x) => (x < 8 ? (x % 2 ? 60 : 40) : x % 2 ? 210 : 190)), 16, 8, 0, 2);
    const at = (x: number, y: number) => out[y * 16 + x];
    for (const y of [0, 3, 7]) {
      // Within half a tile of the sides only one tile column counts: both halves span the full range alike.
      expect([at(0, y), at(1, y), at(14, y), at(15, y)]).toEqual([128, 255, 128, 255]);
      // x = 7 sits 0.375 of the way to the right tile's centre, whose table is 0 below 190: 255 x 0.625 = 159.4.
      expect(at(7, y)).toBe(159);
      // x = 8 (190) is halfway: the left table gives 255 (all its pixels are below), the right 128: 191.5 -> 192.
      expect(at(8, y)).toBe(192);
    }
    // One tile over the whole image instead: 40 -> round(32 x 255 / 128) = round(63.75) = 64, not 128.
    expect(clahePlane(plane(16, 8, (x) => (x < 8 ? (x % 2 ? 60 : 40) : x % 2 ? 210 : 190)), 16, 8, 0, 1)[0]).toBe(64);
  });

  it("pads a size the grid does not divide by mirroring (BORDER_REFLECT_101), on both axes, to size the tiles", () => {
    // 5 columns, grid 2: OpenCV pads one column (a copy of column 3) and, though 4 rows divide by 2, two rows
    // too (copies of rows 2 and 1), so the tiles are 3x3. Columns 10, 20, 30, 40, 50: the left tiles hold
    // 10, 20, 30 (3 each) -> 85, 170, 255; the right ones 40, 50, 40 -> 40: round(6 x 255 / 9) = 170, 50: 255.
    const byColumn = clahePlane(plane(5, 4, (x) => 10 * (x + 1)), 5, 4, 0, 2);
    // x = 2 is a sixth of the way to the right centre, where 30 maps to 0: 255 x 5/6 = 212.5 in OpenCV's float32
    // (2 x float(1/3) - 0.5, then 1 minus that, then the product, each rounded to float), rounded half to even:
    // 212. x = 3 is halfway (3 x float(1/3) rounds to 1): (255 + 170) / 2 = 212.5, so 212 again.
    const sixth = Math.fround(Math.fround(2 * Math.fround(1 / 3)) - 0.5);
    expect(Math.fround(255 * Math.fround(1 - sixth))).toBe(212.5);
    expect([...byColumn.subarray(0, 5)]).toEqual([85, 170, 212, 212, 255]);
    // The same along rows: rows 10..40 and the padding rows 30, 20 make the lower tiles 40, 30, 20 -> 255, 170, 85.
    const byRow = clahePlane(plane(5, 4, (_, y) => 10 * (y + 1)), 5, 4, 0, 2);
    expect([0, 1, 2, 3].map((y) => byRow[y * 5])).toEqual([85, 170, Math.round(255 * (5 / 6) + 170 * (1 / 6)), 255]);
    // A grid finer than the image: every tile is made of padding reflections, and nothing fails.
    expect(clahePlane(plane(3, 2, (x, y) => 50 * (x + y)), 3, 2, 2, 64)).toHaveLength(6);
  });
});

describe("AdaptiveContrast through the image kernel", () => {
  it("equalises the Lab lightness of a grey image and keeps it grey", async () => {
    // Greys 60 and 190, 40 and 24 pixels: L 159 and 255 as above, turned back into grey levels.
    const out = await clahe(png(8, 8, (x, y) => grey(y * 8 + x < 40 ? 60 : 190)), 0, 1);
    expect(out.channels).toBe(3);
    expectGrey(out.rgb(0, 0), 159, "dark");
    expectGrey(out.rgb(7, 7), 255, "light");
  });

  it("clips a uniform image as the L plane test does, starting from the grey's L*", async () => {
    // Grey 128 has L* 53.59: 8-bit L 137 (137 x 100 / 255 = 53.73; the tables are 1 from the real value at most).
    expect(Math.abs(lStar(128) * 2.55 - 137)).toBeLessThan(0.5);
    const out = await clahe(png(8, 8, () => grey(128)), 100, 1);
    expectGrey(out.rgb(3, 3), 191, "clipped");
  });

  it("works per tile: with grid 2 the dark half and the bright half are each stretched to the full range", async () => {
    const image = png(16, 8, (x) => grey(x < 8 ? (x % 2 ? 60 : 40) : x % 2 ? 210 : 190));
    const local = await clahe(image, 0, 2);
    for (const y of [0, 7]) {
      expectGrey(local.rgb(0, y), 128, "left, darker");
      expectGrey(local.rgb(1, y), 255, "left, lighter");
      expectGrey(local.rgb(14, y), 128, "right, darker");
      expectGrey(local.rgb(15, y), 255, "right, lighter");
    }
    // One tile: the left half stays in the lower half (40 -> 64, 60 -> 128).
    const global = await clahe(image, 0, 1);
    expectGrey(global.rgb(0, 0), 64, "global darkest");
    expectGrey(global.rgb(1, 0), 128, "global second");
  });

  it("reads the RGB array as BGR, as NodeTool hands it to OpenCV: blue weighs in L as red does", async () => {
    // Orange (180, 60, 20) is lighter than blue (20, 60, 180) in true L*, but OpenCV sees them swapped. Half and
    // half, one tile: the darker class gets L 128, the lighter 255, so here the blue pixels come out lighter.
    const out = await clahe(png(8, 8, (x) => (x < 4 ? [180, 60, 20] : [20, 60, 180])), 0, 1);
    const orange = out.rgb(0, 0);
    const blue = out.rgb(7, 0);
    const luminance = ([r, g, b]: number[]) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    // The hues stay where they were (channel 0 still the orange one's largest, channel 2 the blue one's).
    expect(orange[0]).toBeGreaterThan(orange[2]);
    expect(blue[2]).toBeGreaterThan(blue[0]);
    // OpenCV's L of the orange pixel is its L with red and blue swapped, 50 (128 / 2.55) after the mapping.
    const swapped = ([r, g, b]: number[]) => 116 * Math.cbrt(0.2126 * linear(b) + 0.7152 * linear(g) + 0.0722 * linear(r)) - 16;
    expect(Math.abs(swapped(orange) - (128 * 100) / 255)).toBeLessThan(1);
    expect(luminance(blue)).toBeGreaterThan(luminance(orange));
  });

  it("drops alpha and expands grey as PIL's convert('RGB') does; the output is RGB", async () => {
    const rgb = (x: number, y: number): [number, number, number] => [(x * 40 + y * 7) % 256, (x * 13 + 90) % 256, (y * 50 + 30) % 256];
    const w = 6;
    const h = 5;
    const raw = (channels: 1 | 4) =>
      Uint8Array.from({ length: w * h * channels }, (_, i) => {
        const p = Math.floor(i / channels);
        const [r, g, b] = rgb(p % w, Math.floor(p / w));
        return channels === 1 ? g : [r, g, b, (p * 37) % 256][i % 4];
      });
    const rgba = new Uint8Array(await sharp(raw(4), { raw: { width: w, height: h, channels: 4 } }).png().toBuffer());
    const fromRgba = await clahe(rgba, 2, 2);
    const fromRgb = await clahe(png(w, h, rgb), 2, 2);
    expect(fromRgba.channels).toBe(3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(fromRgba.rgb(x, y)).toEqual(fromRgb.rgb(x, y));

    const l = new Uint8Array(await sharp(raw(1), { raw: { width: w, height: h, channels: 1 } }).png().toBuffer());
    const fromL = await clahe(l, 2, 2);
    const fromGrey = await clahe(png(w, h, (x, y) => grey(rgb(x, y)[1])), 2, 2);
    expect(fromL.channels).toBe(3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(fromL.rgb(x, y)).toEqual(fromGrey.rgb(x, y));
  });

  it("refuses out-of-range parameters at validation", () => {
    const parse = (op: object) => InferRequestSchema.safeParse({ kernel: "image", images: [new Uint8Array(1)], ops: [{ op: "clahe", ...op }] }).success;
    expect(parse({ clip_limit: 2, grid_size: 8 })).toBe(true);
    expect(parse({ clip_limit: -1, grid_size: 8 })).toBe(false);
    expect(parse({ clip_limit: 101, grid_size: 8 })).toBe(false);
    expect(parse({ clip_limit: 2, grid_size: 0 })).toBe(false);
    expect(parse({ clip_limit: 2, grid_size: 65 })).toBe(false);
    expect(parse({ clip_limit: 2, grid_size: 2.5 })).toBe(false);
  });
});

describe("lib.pillow.enhance.AdaptiveContrast, the node", () => {
  it("has NodeTool's properties and sends its op to the image kernel", async () => {
    const decl = CORE_NODES.find((n) => n.type === "lib.pillow.enhance.AdaptiveContrast");
    expect(decl?.gpu).toBe(true);
    const props = Object.fromEntries(decl!.properties.map((p) => [p.name, p]));
    expect(props.clip_limit).toMatchObject({ type: "float", default: 2, min: 0, max: 100, description: "Clip limit for adaptive contrast." });
    expect(props.grid_size).toMatchObject({ type: "int", default: 8, min: 1, max: 64, description: "Grid size for adaptive contrast." });
    expect(decl!.outputs.map((o) => o.name)).toEqual(["output"]);

    const requests: InferenceRequest[] = [];
    const inference = {
      infer: async (request: InferenceRequest) => {
        requests.push(request);
        const parsed = InferRequestSchema.parse(request);
        if (parsed.kernel !== "image") throw new Error("not an image request");
        return imageKernel.run(parsed, testContext());
      },
    };
    const src = png(8, 8, (x, y) => grey(y * 8 + x < 40 ? 60 : 190));
    const g = graph(
      [
        { id: "ac", type: "lib.pillow.enhance.AdaptiveContrast", data: { image: { type: "image", uri: `data:image/png;base64,${Buffer.from(src).toString("base64")}` }, clip_limit: 0, grid_size: 1 } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [["ac", "output", "out", "value"]],
    );
    const result = await runWorkflow(g, {}, { registry, emit: () => undefined, services: { inference } });
    expect(result.status, result.error).toBe("completed");
    expect(requests.map((r) => (r.kernel === "image" ? r.ops : r.kernel))).toEqual([[{ op: "clahe", clip_limit: 0, grid_size: 1 }]]);
    const img = readPng((result.outputs.out.at(-1) as { data: Uint8Array }).data);
    expectGrey(img.rgb(0, 0), 159, "dark");
  });
});
