import type { ImageOp } from "../../../../schema/image-ops";
import { KernelInputError } from "../types";
import { blend } from "./pil";
import { asRgb, checkSize, fromRaster, luma, newRaster, type Raster, toRaster } from "./raster";

/**
 * Sizes and placement, as NodeTool's nodetool.image and lib.pillow nodes do them with Pillow: resampling is
 * libvips' Lanczos-3 (Pillow's LANCZOS is Lanczos-3 too); pasting, cropping and grids copy pixels exactly.
 */

export async function resize(r: Raster, width: number, height: number): Promise<Raster> {
  checkSize(width, height);
  if (width === r.width && height === r.height) return r;
  return toRaster(fromRaster(r).resize(width, height, { fit: "fill", kernel: "lanczos3" }));
}

/** ImageOps.fit: scale to cover (width, height), centred, and crop the overflow. */
export async function fit(r: Raster, width: number, height: number): Promise<Raster> {
  checkSize(width, height);
  if (width === r.width && height === r.height) return r;
  return toRaster(fromRaster(r).resize(width, height, { fit: "cover", position: "centre", kernel: "lanczos3" }));
}

/** image.crop(box): the box may reach outside the image, which reads as black (zero). */
export function crop(r: Raster, left: number, top: number, right: number, bottom: number): Raster {
  if (right < left || bottom < top) throw new KernelInputError(`crop box (${left}, ${top}, ${right}, ${bottom}) has right < left or bottom < top`);
  const out = newRaster(right - left, bottom - top, r.channels);
  pasteInto(out, r, -left, -top);
  return out;
}

/** Copies `src` into `dst` with its top left at (x, y), clipped to `dst` (Pillow's paste without a mask). */
export function pasteInto(dst: Raster, src: Raster, x: number, y: number): void {
  const s = src.channels === dst.channels ? src : dst.channels === 3 ? asRgb(src) : withChannels(src, dst.channels);
  const c = dst.channels;
  const x0 = Math.max(0, x);
  const x1 = Math.min(dst.width, x + s.width);
  if (x1 <= x0) return;
  for (let row = Math.max(0, y); row < Math.min(dst.height, y + s.height); row++) {
    const from = ((row - y) * s.width + (x0 - x)) * c;
    dst.data.set(s.data.subarray(from, from + (x1 - x0) * c), (row * dst.width + x0) * c);
  }
}

/** L or RGB to RGBA (alpha 255), or anything to L (luma): what Pillow's convert does for these modes. */
function withChannels(r: Raster, channels: 1 | 3 | 4): Raster {
  if (r.channels === channels) return r;
  const rgb = asRgb(r);
  const out = newRaster(r.width, r.height, channels);
  const n = r.width * r.height;
  for (let p = 0; p < n; p++) {
    if (channels === 1) out.data[p] = luma(rgb.data[3 * p], rgb.data[3 * p + 1], rgb.data[3 * p + 2]);
    else {
      for (let k = 0; k < 3; k++) out.data[p * channels + k] = rgb.data[3 * p + k];
      if (channels === 4) out.data[4 * p + 3] = 255;
    }
  }
  return out;
}

/**
 * Image.composite(image1, image2, mask): image1 where the mask is white, image2 where black, blended in
 * between with Paste.c's rounding ((a * m + b * (255 - m) + 128) / 255). The mask is read as its luma; image2
 * and the mask are first fitted to image1's size. The result is RGBA, as NodeTool converts both to RGBA.
 */
export async function composite(image1: Raster, image2: Raster, mask: Raster): Promise<Raster> {
  const a = withChannels(image1, 4);
  const b = withChannels(await fit(asRgb(image2), a.width, a.height), 4);
  const m = withChannels(await fit(asRgb(mask), a.width, a.height), 1);
  const out = newRaster(a.width, a.height, 4);
  for (let i = 0; i < out.data.length; i++) {
    const k = m.data[i >> 2];
    const t = a.data[i] * k + b.data[i] * (255 - k) + 128;
    out.data[i] = ((t >> 8) + t) >> 8;
  }
  return out;
}

/** SliceImageGrid: tiles of width // columns by height // rows, stepped over the whole image as NodeTool does. */
export function sliceGrid(r: Raster, columns: number, rows: number): Raster[] {
  let cols = columns;
  let rws = rows;
  if (cols <= 0 && rws <= 0) cols = rws = 3;
  else if (cols <= 0) cols = Math.ceil((r.width / r.height) * rws);
  else if (rws <= 0) rws = Math.ceil((r.height / r.width) * cols);
  const tileW = Math.floor(r.width / cols);
  const tileH = Math.floor(r.height / rws);
  if (tileW < 1 || tileH < 1) throw new KernelInputError(`cannot cut a ${r.width}x${r.height} image into ${cols} columns and ${rws} rows`);
  const count = Math.ceil(r.width / tileW) * Math.ceil(r.height / tileH);
  if (count > 4096) throw new KernelInputError(`slicing would make ${count} tiles (at most 4096)`);
  const tiles: Raster[] = [];
  for (let y = 0; y < r.height; y += tileH) {
    for (let x = 0; x < r.width; x += tileW) tiles.push(crop(r, x, y, Math.min(x + tileW, r.width), Math.min(y + tileH, r.height)));
  }
  return tiles;
}

/** CombineImageGrid: tiles as RGBA on a transparent canvas, each in a cell the size of the largest tile. */
export function combineGrid(tiles: Raster[], columns: number): Raster {
  if (tiles.length === 0) throw new KernelInputError("No tiles provided for combining.");
  const cols = columns > 0 ? columns : Math.max(1, Math.floor(Math.sqrt(tiles.length)));
  const rows = Math.ceil(tiles.length / cols);
  const cellW = Math.max(...tiles.map((t) => t.width));
  const cellH = Math.max(...tiles.map((t) => t.height));
  const out = newRaster(cellW * cols, cellH * rows, 4);
  tiles.forEach((tile, i) => pasteInto(out, withChannels(tile, 4), (i % cols) * cellW, Math.floor(i / cols) * cellH));
  return out;
}

type GeometryOp = Extract<ImageOp, { op: "resize" | "scale" | "fit" | "crop" | "paste" | "blend" | "composite" }>;
export const GEOMETRY_OPS = new Set<string>(["resize", "scale", "fit", "crop", "paste", "blend", "composite"]);

export async function applyGeometryOp(r: Raster, op: GeometryOp, input: (index: number) => Raster): Promise<Raster> {
  switch (op.op) {
    case "resize":
      return resize(r, op.width, op.height);
    case "scale":
      return resize(r, Math.trunc(r.width * op.scale), Math.trunc(r.height * op.scale));
    case "fit":
      return fit(r, op.width, op.height);
    case "crop":
      return crop(r, op.left, op.top, op.right, op.bottom);
    case "paste": {
      const out: Raster = { ...r, data: r.data.slice() };
      pasteInto(out, input(op.input), op.left, op.top);
      return out;
    }
    case "blend": {
      const base = asRgb(r);
      const other = await fit(asRgb(input(op.input)), base.width, base.height);
      return blend(base, other, op.alpha);
    }
    case "composite":
      return composite(r, input(op.input), input(op.mask));
  }
}
