import type { GRADING_KINDS } from "../../../../schema/image-ops";
import { KernelInputError } from "../types";
import { asRgb, newRaster, type Raster } from "./raster";

/**
 * NodeTool's colour grading nodes (NodeTool: packages/base-nodes/src/nodes/lib-image-color-grading.ts) and its
 * brightness/contrast colour op (packages/gpu/src/shaders/color/brightnessContrast). Every formula works on RGB
 * values in [0, 1] (v / 255) with Rec. 709 luminance, and the result is clamped and rounded back to 8 bits.
 */

type Params = Record<string, number | string>;
type Pixel = [number, number, number];

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : Math.min(v , hi));
const luminance = (r: number, g: number, b: number) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

function num(params: Params, name: string, fallback: number, min: number, max: number): number {
  const v = params[name] ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) throw new KernelInputError(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return v;
}

function rgbToHsv(r: number, g: number, b: number): Pixel {
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  let h = 0;
  if (d !== 0) {
    if (max === r) h = ((g - b) / d + (g < b ? 6 : 0)) / 6;
    else if (max === g) h = ((b - r) / d + 2) / 6;
    else h = ((r - g) / d + 4) / 6;
  }
  return [h, max === 0 ? 0 : d / max, max];
}

export function hsvToRgb(h: number, s: number, v: number): Pixel {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  return ([[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]] as Pixel[])[((i % 6) + 6) % 6];
}

/** Runs `f` on every pixel as floats; `f` may also see the pixel's position (the vignette does). */
function perPixel(r: Raster, f: (px: Pixel, x: number, y: number) => Pixel): Raster {
  const src = asRgb(r);
  const out = newRaster(src.width, src.height, 3);
  for (let y = 0, i = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++, i += 3) {
      const [a, b, c] = f([src.data[i] / 255, src.data[i + 1] / 255, src.data[i + 2] / 255], x, y);
      out.data[i] = Math.round(clamp(a, 0, 1) * 255);
      out.data[i + 1] = Math.round(clamp(b, 0, 1) * 255);
      out.data[i + 2] = Math.round(clamp(c, 0, 1) * 255);
    }
  }
  return out;
}

const scaleSat = (px: Pixel, factor: number): Pixel => {
  const l = luminance(...px);
  return px.map((v) => l + (v - l) * factor) as Pixel;
};

export function brightnessContrast(r: Raster, brightness: number, contrast: number): Raster {
  return perPixel(r, (px) => px.map((v) => (v - 0.5) * contrast + 0.5 + brightness) as Pixel);
}

const HUE_RANGES: Record<string, [number, number]> = {
  reds: [0.95, 0.05],
  oranges: [0.02, 0.1],
  yellows: [0.1, 0.18],
  greens: [0.18, 0.45],
  cyans: [0.45, 0.55],
  blues: [0.55, 0.72],
  purples: [0.72, 0.83],
  magentas: [0.83, 0.95],
};

const FILM_PRESETS: Record<string, { shadow: Pixel; highlight: Pixel; contrast: number; saturation: number; fade: number }> = {
  teal_orange: { shadow: [0, 0.4, 0.5], highlight: [1, 0.7, 0.3], contrast: 1.1, saturation: 1.15, fade: 0 },
  blockbuster: { shadow: [0, 0.2, 0.4], highlight: [1, 0.8, 0.5], contrast: 1.2, saturation: 0.9, fade: 0 },
  noir: { shadow: [0.1, 0.1, 0.15], highlight: [0.9, 0.9, 0.85], contrast: 1.3, saturation: 0, fade: 0 },
  vintage: { shadow: [0.3, 0.2, 0.1], highlight: [1, 0.95, 0.8], contrast: 0.9, saturation: 0.7, fade: 0.1 },
  cold_blue: { shadow: [0.1, 0.15, 0.3], highlight: [0.7, 0.8, 1], contrast: 1.05, saturation: 0.85, fade: 0 },
  warm_sunset: { shadow: [0.3, 0.1, 0], highlight: [1, 0.7, 0.3], contrast: 1.05, saturation: 1.2, fade: 0 },
  matrix: { shadow: [0, 0.15, 0], highlight: [0.5, 1, 0.5], contrast: 1.15, saturation: 0.6, fade: 0 },
  bleach_bypass: { shadow: [0.2, 0.2, 0.2], highlight: [0.9, 0.9, 0.9], contrast: 1.4, saturation: 0.4, fade: 0 },
  cross_process: { shadow: [0.1, 0.3, 0], highlight: [1, 0.8, 0.2], contrast: 1.1, saturation: 1.3, fade: 0 },
  faded_film: { shadow: [0.2, 0.15, 0.1], highlight: [0.95, 0.9, 0.85], contrast: 0.85, saturation: 0.75, fade: 0.15 },
};

function choice(params: Params, name: string, fallback: string, allowed: readonly string[]): string {
  const v = String(params[name] ?? fallback).toLowerCase();
  if (!allowed.includes(v)) throw new KernelInputError(`${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(params[name])}`);
  return v;
}

export function grade(r: Raster, kind: (typeof GRADING_KINDS)[number], p: Params): Raster {
  switch (kind) {
    case "exposure": {
      const mul = 2 ** num(p, "exposure", 0, -5, 5);
      const [contrast, highlights, shadows, whites, blacks] = ["contrast", "highlights", "shadows", "whites", "blacks"].map((n) => num(p, n, 0, -1, 1));
      return perPixel(r, (px) => {
        const scaled = px.map((v) => v * mul) as Pixel;
        const l = luminance(...scaled);
        const hl = clamp((l - 0.5) * 2, 0, 1);
        const sh = clamp((0.5 - l) * 2, 0, 1);
        return scaled.map((v) => {
          let c = v - hl * highlights * 0.5 + sh * shadows * 0.5;
          c += whites * 0.2 * c;
          c += blacks * 0.2 * (1 - c);
          return 0.5 + (c - 0.5) * (1 + contrast);
        }) as Pixel;
      });
    }
    case "saturation_vibrance": {
      const saturation = num(p, "saturation", 0, -1, 1);
      const vibrance = num(p, "vibrance", 0, -1, 1);
      return perPixel(r, (px) => {
        const sat = scaleSat(px, 1 + saturation);
        if (vibrance === 0) return sat;
        const max = Math.max(...sat);
        const current = (max - Math.min(...sat)) / (max + 0.001);
        return scaleSat(sat, 1 + vibrance * (1 - current));
      });
    }
    case "color_balance": {
      const temp = num(p, "temperature", 0, -1, 1) * 0.3;
      const tint = num(p, "tint", 0, -1, 1) * 0.3;
      return perPixel(r, ([red, g, b]) => [red + temp + tint * 0.5, g - tint, b - temp + tint * 0.5]);
    }
    case "cdl": {
      const slope = ["slope_r", "slope_g", "slope_b"].map((n) => num(p, n, 1, 0, 4));
      const offset = ["offset_r", "offset_g", "offset_b"].map((n) => num(p, n, 0, -1, 1));
      const power = ["power_r", "power_g", "power_b"].map((n) => num(p, n, 1, 0.1, 4));
      const saturation = num(p, "saturation", 1, 0, 4);
      return perPixel(r, (px) => scaleSat(px.map((v, k) => clamp(v * slope[k] + offset[k], 0, 1) ** power[k]) as Pixel, saturation));
    }
    case "lift_gamma_gain": {
      const lift = ["lift_r", "lift_g", "lift_b"].map((n) => num(p, n, 0, -1, 1) + num(p, "lift_master", 0, -1, 1));
      const gamma = ["gamma_r", "gamma_g", "gamma_b"].map((n) => 1 / Math.max(0.01, num(p, n, 1, 0.01, 10) * num(p, "gamma_master", 1, 0.01, 10)));
      const gain = ["gain_r", "gain_g", "gain_b"].map((n) => num(p, n, 1, 0, 10) * num(p, "gain_master", 1, 0, 10));
      return perPixel(r, (px) => px.map((v, k) => {
        const c = v * gain[k] + lift[k];
        return c > 0 ? c ** gamma[k] : 0;
      }) as Pixel);
    }
    case "curves": {
      const black = num(p, "black_point", 0, 0, 1);
      const range = Math.max(0.001, num(p, "white_point", 1, 0, 1) - black);
      const shadows = num(p, "shadows", 0, -1, 1);
      const highlights = num(p, "highlights", 0, -1, 1);
      const gammaAll = 1 / Math.max(0.01, 1 + num(p, "midtones", 0, -1, 1));
      const gammas = ["red_midtones", "green_midtones", "blue_midtones"].map((n) => 1 / Math.max(0.01, 1 + num(p, n, 0, -1, 1)));
      return perPixel(r, (px) => px.map((v, k) => {
        let c = clamp((v - black) / range, 0, 1);
        c += shadows * (1 - c) * c;
        c = Math.max(0, c) ** gammaAll;
        c += highlights * c * (1 - c);
        return Math.max(0, c) ** gammas[k];
      }) as Pixel);
    }
    case "split_toning": {
      const shadowTint = hsvToRgb(num(p, "shadow_hue", 200, -3600, 3600) / 360, 1, 1);
      const highlightTint = hsvToRgb(num(p, "highlight_hue", 40, -3600, 3600) / 360, 1, 1);
      const shadowSat = num(p, "shadow_saturation", 0.3, 0, 1);
      const highlightSat = num(p, "highlight_saturation", 0.3, 0, 1);
      const offset = num(p, "balance", 0, -1, 1) * 0.25;
      return perPixel(r, (px) => {
        const l = luminance(...px);
        const sh = clamp((0.5 + offset - l) * 2, 0, 1);
        const hl = clamp((l - 0.5 + offset) * 2, 0, 1);
        return px.map((v, k) => v + sh * (shadowTint[k] - 0.5) * shadowSat + hl * (highlightTint[k] - 0.5) * highlightSat) as Pixel;
      });
    }
    case "vignette": {
      const amount = num(p, "amount", 0.5, -1, 1);
      const midpoint = num(p, "midpoint", 0.5, 0, 1);
      const roundness = num(p, "roundness", 0, -1, 1);
      const feather = Math.max(0.01, num(p, "feather", 0.5, 0, 1));
      const halfW = r.width / 2;
      const halfH = r.height / 2;
      return perPixel(r, (px, x, y) => {
        const nx = (x - halfW) / halfW;
        const ny = (y - halfH) / halfH;
        const round = Math.sqrt(nx * nx + ny * ny);
        const dist = roundness < 0 ? round * (1 - Math.abs(roundness)) + Math.max(Math.abs(nx), Math.abs(ny)) * Math.abs(roundness) : round;
        const v = clamp((dist - midpoint) / feather, 0, 1);
        const factor = amount > 0 ? 1 - v * amount : 1 + v * -amount;
        return px.map((c) => c * factor) as Pixel;
      });
    }
    case "hsl_adjust": {
      const range = choice(p, "color_range", "all", ["all", ...Object.keys(HUE_RANGES)]);
      const hueShift = num(p, "hue_shift", 0, -1, 1);
      const satAdj = num(p, "saturation", 0, -1, 1);
      const lumAdj = num(p, "luminance", 0, -1, 1);
      return perPixel(r, (px) => {
        let [h, s, v] = rgbToHsv(...px);
        let weight = 1;
        if (range !== "all") {
          const [lo, hi] = HUE_RANGES[range];
          if (s < 0.1) weight = 0;
          else if (lo > hi) {
            const half = (1 - lo + hi) / 2;
            let dist = Math.abs(h - ((lo + half) % 1));
            if (dist > 0.5) dist = 1 - dist;
            weight = h >= lo || h <= hi ? clamp(1 - dist / half, 0, 1) : 0;
          } else weight = clamp(1 - Math.abs(h - (lo + hi) / 2) / ((hi - lo) / 2), 0, 1);
        }
        if (weight > 0) {
          h = (h + hueShift * 0.5 * weight + 1) % 1;
          s = clamp(s * (1 + satAdj * weight), 0, 1);
          v = clamp(v * (1 + lumAdj * weight), 0, 1);
        }
        return hsvToRgb(h, s, v);
      });
    }
    case "film_look": {
      const preset = FILM_PRESETS[choice(p, "preset", "teal_orange", Object.keys(FILM_PRESETS))];
      const intensity = num(p, "intensity", 1, 0, 2);
      return perPixel(r, (px) => {
        const l = luminance(...px);
        const sh = clamp(1 - l * 2, 0, 1);
        const hl = clamp(l * 2 - 1, 0, 1);
        let c = px.map((v, k) => v + sh * (preset.shadow[k] - 0.5) * 0.3 + hl * (preset.highlight[k] - 0.5) * 0.3) as Pixel;
        c = scaleSat(c.map((v) => (v - 0.5) * preset.contrast + 0.5) as Pixel, preset.saturation);
        if (preset.fade > 0) c = c.map((v) => v * (1 - preset.fade) + preset.fade * 0.15) as Pixel;
        return px.map((v, k) => v + (c[k] - v) * intensity) as Pixel;
      });
    }
  }
}
