import sharp from "sharp";
import { MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE } from "../../../../schema/image-ops";
import { KernelInputError } from "../types";

/** 8-bit pixels, row-major, interleaved: 1 (L), 3 (RGB) or 4 (RGBA) channels. */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

export function newRaster(width: number, height: number, channels: 1 | 3 | 4): Raster {
  checkSize(width, height);
  return { width, height, channels, data: new Uint8Array(width * height * channels) };
}

export function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new KernelInputError(`the image would have no pixels (${width}x${height})`);
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS) {
    throw new KernelInputError(`image too large: ${width}x${height} (at most ${MAX_IMAGE_SIDE} px a side and ${MAX_IMAGE_PIXELS} pixels)`);
  }
}

/** A sharp pipeline over raw pixels. */
export function fromRaster(r: Raster): sharp.Sharp {
  return sharp(r.data, { raw: { width: r.width, height: r.height, channels: r.channels }, limitInputPixels: MAX_IMAGE_PIXELS });
}

/** The raw pixels a sharp pipeline ends in. */
export async function toRaster(pipeline: sharp.Sharp): Promise<Raster> {
  const { data, info } = await pipeline.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 1 && info.channels !== 3 && info.channels !== 4) throw new Error(`unexpected channel count ${info.channels}`);
  return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * Decodes an image as NodeTool does (`PIL.Image.open(...).convert("RGB")`): 8-bit RGB, alpha dropped rather
 * than composited, greyscale and palette images expanded, no EXIF rotation. Anything libvips cannot read,
 * or an image over the size limits, is the caller's fault.
 */
export async function decodeRgb(bytes: Uint8Array, what = "image"): Promise<Raster> {
  try {
    const pipeline = sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: "error" });
    const meta = await pipeline.metadata();
    checkSize(meta.width ?? 0, meta.height ?? 0);
    return await toRaster(pipeline.toColourspace("srgb").removeAlpha());
  } catch (err) {
    if (err instanceof KernelInputError) throw new KernelInputError(`${what}: ${err.message}`);
    throw new KernelInputError(`${what} is not a readable image (${err instanceof Error ? err.message : String(err)})`);
  }
}

export interface Encoded {
  data: Uint8Array<ArrayBuffer>;
  contentType: string;
}

/** Encodes pixels; the bytes are copied into an ArrayBuffer of their own so the worker can transfer them. */
export async function encodeRaster(r: Raster, format: "png" | "jpeg" | "webp", quality: number): Promise<Encoded> {
  let pipeline = fromRaster(r);
  if (format === "png") pipeline = pipeline.png();
  // JPEG has no alpha: NodeTool's PIL would refuse RGBA; flattening on black keeps what PIL's RGB shows.
  else if (format === "jpeg") pipeline = (r.channels === 4 ? pipeline.flatten({ background: "#000000" }) : pipeline).jpeg({ quality });
  else pipeline = pipeline.webp({ quality });
  const buffer = await pipeline.toBuffer();
  const data = new Uint8Array(new ArrayBuffer(buffer.byteLength));
  data.set(buffer);
  return { data, contentType: `image/${format}` };
}

/** `#rgb`, `#rrggbb`, `#rrggbbaa` to [r, g, b, a]. */
export function parseHex(color: string): [number, number, number, number] {
  let hex = color.slice(1);
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join("");
  const n = (i: number) => parseInt(hex.slice(i, i + 2), 16);
  return [n(0), n(2), n(4), hex.length === 8 ? n(6) : 255];
}

/** Any raster as RGB (L replicated, alpha dropped), as PIL's convert("RGB"). */
export function asRgb(r: Raster): Raster {
  if (r.channels === 3) return r;
  const out = newRaster(r.width, r.height, 3);
  const n = r.width * r.height;
  for (let p = 0; p < n; p++) {
    if (r.channels === 1) out.data[3 * p] = out.data[3 * p + 1] = out.data[3 * p + 2] = r.data[p];
    else {
      out.data[3 * p] = r.data[4 * p];
      out.data[3 * p + 1] = r.data[4 * p + 1];
      out.data[3 * p + 2] = r.data[4 * p + 2];
    }
  }
  return out;
}

/** PIL's RGB -> L: ITU-R 601-2 luma in 16-bit fixed point, rounded. */
export const luma = (r: number, g: number, b: number) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
