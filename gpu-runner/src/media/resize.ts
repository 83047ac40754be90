import type { RgbImage } from "./image";

/**
 * Resizes an RGB image with a separable triangle (bilinear) filter whose footprint widens when shrinking. Plain
 * bilinear sampling skips pixels when scaling down by more than 2x, which breaks thin glyph strokes apart; the
 * widened footprint averages them instead (what PIL calls an antialiased bilinear resize).
 */
export function resizeRgb(image: RgbImage, width: number, height: number): RgbImage {
  if (width <= 0 || height <= 0) throw new RangeError(`cannot resize to ${width}x${height}`);
  if (width === image.width && height === image.height) return image;
  const columns = filterTaps(image.width, width);
  const rows = filterTaps(image.height, height);

  // Horizontal pass into floats, so rounding happens once, after the vertical pass.
  const horizontal = new Float32Array(image.height * width * 3);
  for (let y = 0; y < image.height; y++) {
    const srcRow = y * image.width * 3;
    const dstRow = y * width * 3;
    for (let x = 0; x < width; x++) {
      const { first, weights } = columns[x];
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < weights.length; k++) {
        const s = srcRow + (first + k) * 3;
        const w = weights[k];
        r += image.data[s] * w;
        g += image.data[s + 1] * w;
        b += image.data[s + 2] * w;
      }
      horizontal[dstRow + x * 3] = r;
      horizontal[dstRow + x * 3 + 1] = g;
      horizontal[dstRow + x * 3 + 2] = b;
    }
  }

  const out = new Uint8Array(width * height * 3);
  const stride = width * 3;
  for (let y = 0; y < height; y++) {
    const { first, weights } = rows[y];
    const dstRow = y * stride;
    for (let i = 0; i < stride; i++) {
      let v = 0;
      for (let k = 0; k < weights.length; k++) v += horizontal[(first + k) * stride + i] * weights[k];
      out[dstRow + i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return { width, height, data: out };
}

interface Taps {
  /** Index of the first source sample. */
  first: number;
  /** Normalised weights of consecutive source samples starting at `first`. */
  weights: Float32Array;
}

function filterTaps(srcSize: number, dstSize: number): Taps[] {
  const scale = srcSize / dstSize;
  const radius = Math.max(1, scale);
  const taps: Taps[] = [];
  for (let i = 0; i < dstSize; i++) {
    // Pixel centres line up (the "half pixel" convention of OpenCV and PIL).
    const centre = (i + 0.5) * scale - 0.5;
    const first = Math.max(0, Math.ceil(centre - radius));
    const last = Math.min(srcSize - 1, Math.floor(centre + radius));
    const weights: number[] = [];
    let sum = 0;
    for (let j = first; j <= last; j++) {
      const w = Math.max(0, 1 - Math.abs(j - centre) / radius);
      weights.push(w);
      sum += w;
    }
    if (sum === 0) {
      // Only at the very edge when the centre falls outside the image: take the nearest sample.
      const nearest = Math.min(srcSize - 1, Math.max(0, Math.round(centre)));
      taps.push({ first: nearest, weights: Float32Array.of(1) });
    } else {
      taps.push({ first, weights: Float32Array.from(weights, (w) => w / sum) });
    }
  }
  return taps;
}

/** Scales `width` x `height` so the longer side is at most `maxSide`, never enlarging. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const ratio = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * ratio)), height: Math.max(1, Math.round(height * ratio)) };
}
