import { lab8ToRgb, rgbToLab8, roundEven } from "./lab";
import { asRgb, newRaster, type Raster } from "./raster";

/**
 * lib.pillow.enhance.AdaptiveContrast: NodeTool (nodetool-base lib/pillow/enhance.py adaptive_contrast) hands
 * the RGB array to cv2.cvtColor(img, COLOR_BGR2Lab), runs cv2.createCLAHE(clip_limit, (grid, grid)).apply on
 * L, and converts back with COLOR_Lab2BGR. The array is RGB, so OpenCV reads red as blue and blue as red both
 * ways: the colours come back in place, but L is computed with the red and blue weights swapped. This does the
 * same: channel 2 goes in as red, channel 0 as blue.
 *
 * CLAHE follows OpenCV's algorithm (imgproc/src/clahe.cpp) on 8-bit L: per tile of a grid x grid split, a
 * 256-bin histogram clipped at max(trunc(clip * tileArea / 256), 1) with the excess spread evenly (the
 * remainder one count a bin at a regular step), its cumulative sum scaled to 0..255 as the tile's lookup table,
 * and every pixel the bilinear blend of the four nearest tiles' tables, in float32 as OpenCV computes it.
 */

const f32 = Math.fround;

/** BORDER_REFLECT_101 (dcb|abcd|cba), folding as often as needed when the border is wider than the row. */
function reflect101(p: number, len: number): number {
  if (len === 1) return 0;
  while (p < 0 || p >= len) p = p < 0 ? -p : 2 * len - 2 - p;
  return p;
}

/**
 * OpenCV's tile size. When the grid does not divide the image, OpenCV pads the bottom and right with
 * BORDER_REFLECT_101 by grid - (side % grid), on both sides even when one of them divides (adding a whole grid
 * of rows or columns there), and the tiles split the padded image.
 */
function tileSize(side: number, other: number, grid: number): number {
  const divides = side % grid === 0 && other % grid === 0;
  return divides ? side / grid : (side + grid - (side % grid)) / grid;
}

/** One tile's histogram turned into its 256-entry lookup table. */
function tileLut(hist: Int32Array, clip: number, lutScale: number, lut: Uint8Array): void {
  if (clip > 0) {
    let clipped = 0;
    for (let i = 0; i < 256; i++) {
      if (hist[i] > clip) {
        clipped += hist[i] - clip;
        hist[i] = clip;
      }
    }
    const batch = Math.trunc(clipped / 256);
    let residual = clipped - batch * 256;
    for (let i = 0; i < 256; i++) hist[i] += batch;
    // The remainder goes to bins 0, step, 2 step, ... one each (OpenCV's residualStep).
    if (residual !== 0) {
      const step = Math.max(Math.trunc(256 / residual), 1);
      for (let i = 0; i < 256 && residual > 0; i += step, residual--) hist[i]++;
    }
  }
  let sum = 0;
  for (let i = 0; i < 256; i++) {
    sum += hist[i];
    const v = roundEven(f32(sum * lutScale));
    lut[i] = Math.min(v, 255);
  }
}

/** Where a pixel sits between tile centres along one axis: the two tiles and the weight of the second. */
function axisWeights(n: number, size: number, tiles: number) {
  const first = new Int32Array(n);
  const second = new Int32Array(n);
  const weight = new Float32Array(n);
  const inv = f32(1 / size);
  for (let i = 0; i < n; i++) {
    const t = f32(f32(i * inv) - 0.5);
    const t1 = Math.floor(t);
    weight[i] = f32(t - t1);
    first[i] = Math.max(t1, 0);
    second[i] = Math.min(t1 + 1, tiles - 1);
  }
  return { first, second, weight };
}

/** cv2.createCLAHE(clipLimit, (grid, grid)).apply on one 8-bit plane. */
export function clahePlane(src: Uint8Array, width: number, height: number, clipLimit: number, grid: number): Uint8Array {
  const tw = tileSize(width, height, grid);
  const th = tileSize(height, width, grid);
  const area = tw * th;
  const clip = clipLimit > 0 ? Math.max(Math.trunc((clipLimit * area) / 256), 1) : 0;
  const lutScale = f32(255 / area);

  // Padded coordinates back to image ones; rows and columns under the image map to themselves.
  const colOf = Int32Array.from({ length: tw * grid }, (_, x) => reflect101(x, width));
  const rowOf = Int32Array.from({ length: th * grid }, (_, y) => reflect101(y, height));
  const luts = new Uint8Array(grid * grid * 256);
  const hist = new Int32Array(256);
  for (let ty = 0; ty < grid; ty++) {
    for (let tx = 0; tx < grid; tx++) {
      hist.fill(0);
      for (let y = ty * th; y < (ty + 1) * th; y++) {
        const row = rowOf[y] * width;
        for (let x = tx * tw; x < (tx + 1) * tw; x++) hist[src[row + colOf[x]]]++;
      }
      tileLut(hist, clip, lutScale, luts.subarray((ty * grid + tx) * 256, (ty * grid + tx + 1) * 256));
    }
  }

  const xs = axisWeights(width, tw, grid);
  const ys = axisWeights(height, th, grid);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const ya = ys.weight[y];
    const ya1 = f32(1 - ya);
    const plane1 = ys.first[y] * grid * 256;
    const plane2 = ys.second[y] * grid * 256;
    for (let x = 0; x < width; x++) {
      const v = src[y * width + x];
      const xa = xs.weight[x];
      const xa1 = f32(1 - xa);
      const i1 = xs.first[x] * 256 + v;
      const i2 = xs.second[x] * 256 + v;
      const top = f32(f32(luts[plane1 + i1] * xa1) + f32(luts[plane1 + i2] * xa));
      const bottom = f32(f32(luts[plane2 + i1] * xa1) + f32(luts[plane2 + i2] * xa));
      const res = roundEven(f32(f32(top * ya1) + f32(bottom * ya)));
      out[y * width + x] = Math.min(Math.max(res, 0), 255);
    }
  }
  return out;
}

/** AdaptiveContrast on any raster: RGB out (alpha dropped, grey expanded, as PIL's convert("RGB")). */
export function adaptiveContrast(image: Raster, clipLimit: number, grid: number): Raster {
  const rgb = asRgb(image);
  const { width: w, height: h } = rgb;
  const n = w * h;
  const lab = new Uint8Array(3 * n);
  // OpenCV's BGR reading of an RGB array: channel 2 is its red, channel 0 its blue.
  for (let p = 0; p < n; p++) rgbToLab8(rgb.data[3 * p + 2], rgb.data[3 * p + 1], rgb.data[3 * p], lab, 3 * p);
  const l = new Uint8Array(n);
  for (let p = 0; p < n; p++) l[p] = lab[3 * p];
  const enhanced = clahePlane(l, w, h, clipLimit, grid);

  const out = newRaster(w, h, 3);
  const px = new Uint8Array(3);
  for (let p = 0; p < n; p++) {
    lab8ToRgb(enhanced[p], lab[3 * p + 1], lab[3 * p + 2], px, 0);
    out.data[3 * p] = px[2];
    out.data[3 * p + 1] = px[1];
    out.data[3 * p + 2] = px[0];
  }
  return out;
}
