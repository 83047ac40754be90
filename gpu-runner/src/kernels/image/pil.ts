import type { ImageOp } from "../../../../schema/image-ops";
import { KernelInputError } from "../types";
import { asRgb, fromRaster, luma, newRaster, type Raster, toRaster } from "./raster";

/**
 * Pillow's operations on 8-bit images, reproduced pixel for pixel where Pillow's C code defines them
 * (libImaging Blend.c, Filter.c, ImageOps.py, ImageEnhance.py), because NodeTool's lib.pillow nodes are
 * thin wrappers over them. Gaussian blurs are libvips' exact Gaussian of standard deviation `radius`;
 * Pillow approximates the same Gaussian with three box blurs, so those results differ by a few levels.
 */

/** Image.blend(a, b, alpha): a + alpha * (b - a) in C float, truncated; clipped only when extrapolating. */
export function blend(a: Raster, b: Raster, alpha: number): Raster {
  const out = newRaster(a.width, a.height, a.channels);
  const f = Math.fround(alpha);
  const extrapolate = !(alpha >= 0 && alpha <= 1);
  for (let i = 0; i < a.data.length; i++) {
    const v = Math.fround(a.data[i] + Math.fround(f * (b.data[i] - a.data[i])));
    out.data[i] = extrapolate ? (v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v)) : Math.trunc(v) & 255;
  }
  return out;
}

function filled(r: Raster, values: (x: number) => number): Raster {
  const out = newRaster(r.width, r.height, r.channels);
  for (let i = 0; i < out.data.length; i++) out.data[i] = values(i);
  return out;
}

/** The "degenerate" image each ImageEnhance class blends against (NodeTool images are RGB: no alpha to keep). */
function degenerate(r: Raster, kind: "brightness" | "contrast" | "color" | "sharpness"): Raster {
  const c = r.channels;
  if (kind === "brightness") return filled(r, () => 0);
  if (kind === "sharpness") return kernelFilter(r, "smooth");
  const grey = (p: number) => (c === 1 ? r.data[p] : luma(r.data[p * c], r.data[p * c + 1], r.data[p * c + 2]));
  if (kind === "color") return filled(r, (i) => grey(Math.floor(i / c)));
  // Contrast: a flat image at the mean of the L image, int(mean + 0.5).
  const n = r.width * r.height;
  let sum = 0;
  for (let p = 0; p < n; p++) sum += grey(p);
  const mean = Math.trunc(sum / n + 0.5);
  return filled(r, () => mean);
}

export function enhance(r: Raster, kind: "brightness" | "contrast" | "color" | "sharpness", factor: number): Raster {
  return blend(degenerate(r, kind), r, factor);
}

/** ImageFilter's built-in kernels: [size, scale, offset, weights]. */
const FILTERS: Record<string, [3 | 5, number, number, number[]]> = {
  blur: [5, 16, 0, [1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1]],
  contour: [3, 1, 255, [-1, -1, -1, -1, 8, -1, -1, -1, -1]],
  detail: [3, 6, 0, [0, -1, 0, -1, 10, -1, 0, -1, 0]],
  edge_enhance: [3, 2, 0, [-1, -1, -1, -1, 10, -1, -1, -1, -1]],
  emboss: [3, 1, 128, [-1, 0, 0, 0, 1, 0, 0, 0, 0]],
  find_edges: [3, 1, 0, [-1, -1, -1, -1, 8, -1, -1, -1, -1]],
  smooth: [3, 13, 0, [1, 1, 1, 1, 5, 1, 1, 1, 1]],
  sharpen: [3, 16, 0, [-2, -2, -2, -2, 32, -2, -2, -2, -2]],
};

const clip8 = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v + 0.5));

/**
 * Filter.c: weights are divided by the scale (in float), the first weight row meets the row *below* the
 * pixel (kernel rows run bottom-up), columns run left to right, the result is offset and rounded, and the
 * border (1 px for 3x3, 2 px for 5x5) is copied unchanged. An image smaller than the kernel is copied.
 */
export function kernelFilter(r: Raster, kind: string): Raster {
  const [size, scale, offset, weights] = FILTERS[kind];
  const k = weights.map((w) => Math.fround(w / scale));
  const { width: w, height: h, channels: c } = r;
  const out = newRaster(w, h, c);
  out.data.set(r.data);
  if (w < size || h < size) return out;
  const m = size >> 1;
  for (let y = m; y < h - m; y++) {
    for (let x = m; x < w - m; x++) {
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let ky = 0; ky < size; ky++) {
          const row = (y + m - ky) * w;
          for (let kx = 0; kx < size; kx++) sum += r.data[(row + x - m + kx) * c + ch] * k[ky * size + kx];
        }
        out.data[(y * w + x) * c + ch] = clip8(sum + offset);
      }
    }
  }
  return out;
}

export async function gaussianBlur(r: Raster, radius: number): Promise<Raster> {
  // libvips needs sigma >= 0.3; below that a Gaussian changes 8-bit pixels by nothing.
  if (radius < 0.3) return r;
  return toRaster(fromRaster(r).blur(radius));
}

/** UnsharpMask.c: where |pixel - blurred| > threshold, pixel + diff * percent / 100 (rounded, clipped). */
export async function unsharpMask(r: Raster, radius: number, percent: number, threshold: number): Promise<Raster> {
  const blurred = await gaussianBlur(r, radius);
  return filled(r, (i) => {
    const diff = r.data[i] - blurred.data[i];
    return Math.abs(diff) > threshold ? clip8(r.data[i] + (diff * percent) / 100) : r.data[i];
  });
}

/**
 * RankFilter(size, rank): the image is first expanded by size // 2 with its edge pixels, then each output is
 * the rank-th smallest (0-based) value of its size x size window, per channel; counted with a histogram.
 */
export function rankFilter(r: Raster, size: number, rank: number): Raster {
  if (rank >= size * size) throw new KernelInputError(`rank must be smaller than size * size (${size * size}), got ${rank}`);
  const { width: w, height: h, channels: c } = r;
  if (w * h * size * size * c > 3e9) throw new KernelInputError(`a rank filter of size ${size} on a ${w}x${h} image is too much work; use a smaller size or image`);
  const out = newRaster(w, h, c);
  const m = size >> 1;
  const hist = new Uint32Array(256);
  const clampTo = (v: number, max: number) => (v < 0 ? 0 : Math.min(v , max));
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        hist.fill(0);
        for (let dy = -m; dy < size - m; dy++) {
          const row = clampTo(y + dy, h - 1) * w;
          for (let dx = -m; dx < size - m; dx++) hist[r.data[(row + clampTo(x + dx, w - 1)) * c + ch]]++;
        }
        let seen = 0;
        let v = 0;
        for (; v < 256; v++) {
          seen += hist[v];
          if (seen > rank) break;
        }
        out.data[(y * w + x) * c + ch] = v;
      }
    }
  }
  return out;
}

function histogram(r: Raster, ch: number): number[] {
  const h = new Array<number>(256).fill(0);
  for (let i = ch; i < r.data.length; i += r.channels) h[r.data[i]]++;
  return h;
}

function applyLuts(r: Raster, luts: number[][]): Raster {
  return filled(r, (i) => luts[i % r.channels][r.data[i]]);
}

/** ImageOps.autocontrast(image, cutoff): per channel, cut `cutoff`% from both ends, stretch lo..hi to 0..255. */
export function autocontrast(r: Raster, cutoff: number): Raster {
  const luts: number[][] = [];
  for (let ch = 0; ch < r.channels; ch++) {
    const h = histogram(r, ch);
    if (cutoff) {
      const n = h.reduce((a, b) => a + b, 0);
      for (const order of [h.keys(), [...h.keys()].reverse()]) {
        let cut = Math.floor((n * cutoff) / 100);
        for (const i of order) {
          if (cut > h[i]) {
            cut -= h[i];
            h[i] = 0;
          } else {
            h[i] -= cut;
            cut = 0;
          }
          if (cut <= 0) break;
        }
      }
    }
    let lo = 0;
    while (lo < 255 && !h[lo]) lo++;
    let hi = 255;
    while (hi > 0 && !h[hi]) hi--;
    if (hi <= lo) luts.push([...Array(256).keys()]);
    else {
      const scale = 255 / (hi - lo);
      const offset = -lo * scale;
      luts.push([...Array(256).keys()].map((ix) => Math.min(255, Math.max(0, Math.trunc(ix * scale + offset)))));
    }
  }
  return applyLuts(r, luts);
}

/** ImageOps.equalize: per channel, a cumulative-histogram lut in steps of (total - last bin) // 255. */
export function equalize(r: Raster): Raster {
  const luts: number[][] = [];
  for (let ch = 0; ch < r.channels; ch++) {
    const h = histogram(r, ch);
    const used = h.filter((v) => v > 0);
    const step = used.length <= 1 ? 0 : Math.floor((used.reduce((a, b) => a + b, 0) - used[used.length - 1]) / 255);
    if (!step) luts.push([...Array(256).keys()]);
    else {
      let n = Math.floor(step / 2);
      luts.push(h.map((count) => {
        const v = Math.floor(n / step);
        n += count;
        return Math.min(255, v);
      }));
    }
  }
  return applyLuts(r, luts);
}

/** ImageOps.expand with an int fill: Pillow reads an int colour for RGB as packed 0xBBGGRR. */
function expand(r: Raster, border: number, fill: number): Raster {
  const out = newRaster(r.width + 2 * border, r.height + 2 * border, r.channels);
  const colour = [fill & 255, (fill >> 8) & 255, (fill >> 16) & 255];
  for (let i = 0; i < out.data.length; i++) out.data[i] = r.channels === 1 ? fill & 255 : colour[i % r.channels] ?? 255;
  for (let y = 0; y < r.height; y++) {
    out.data.set(r.data.subarray(y * r.width * r.channels, (y + 1) * r.width * r.channels), ((y + border) * out.width + border) * r.channels);
  }
  return out;
}

function singleChannel(r: Raster, value: (p: number) => number): Raster {
  const out = newRaster(r.width, r.height, 1);
  for (let p = 0; p < out.data.length; p++) out.data[p] = value(p);
  return out;
}

type PilOp = Extract<ImageOp, { op: "enhance" | "kernel_filter" | "gaussian_blur" | "unsharp_mask" | "rank_filter" | "autocontrast" | "equalize" | "invert" | "posterize" | "solarize" | "grayscale" | "channel" | "expand" }>;
export const PIL_OPS = new Set<string>(["enhance", "kernel_filter", "gaussian_blur", "unsharp_mask", "rank_filter", "autocontrast", "equalize", "invert", "posterize", "solarize", "grayscale", "channel", "expand"]);

export async function applyPilOp(r: Raster, op: PilOp): Promise<Raster> {
  switch (op.op) {
    case "enhance":
      return enhance(r, op.kind, op.factor);
    case "kernel_filter":
      return kernelFilter(r, op.kind);
    case "gaussian_blur":
      return gaussianBlur(r, op.radius);
    case "unsharp_mask":
      return unsharpMask(r, op.radius, op.percent, op.threshold);
    case "rank_filter":
      return rankFilter(r, op.size, op.rank);
    case "autocontrast":
      return autocontrast(r, op.cutoff);
    case "equalize":
      return equalize(r);
    case "invert":
      return filled(r, (i) => 255 - r.data[i]);
    case "posterize": {
      const mask = ~((1 << (8 - op.bits)) - 1) & 255;
      return filled(r, (i) => r.data[i] & mask);
    }
    case "solarize":
      return filled(r, (i) => (r.data[i] < op.threshold ? r.data[i] : 255 - r.data[i]));
    case "grayscale": {
      const rgb = asRgb(r);
      return singleChannel(rgb, (p) => luma(rgb.data[3 * p], rgb.data[3 * p + 1], rgb.data[3 * p + 2]));
    }
    case "channel": {
      const rgb = asRgb(r);
      const at = "RGB".indexOf(op.channel);
      return singleChannel(rgb, (p) => rgb.data[3 * p + at]);
    }
    case "expand":
      return expand(r, op.border, op.fill);
  }
}
