import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { KernelInputError } from "../kernels/types";

/** An 8-bit RGB image, row-major, 3 bytes per pixel (alpha already composited away). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Largest image accepted, in pixels. Checked before the pixels are inflated, so a tiny PNG or JPEG that claims
 * enormous dimensions (a decompression bomb) is refused instead of exhausting the worker's memory.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

export type ImageFormat = "png" | "jpeg";

/** Sniffs the container from its magic bytes: the request carries no reliable content type. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | null {
  const startsWith = (magic: number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  if (startsWith(PNG_MAGIC)) return "png";
  if (startsWith(JPEG_MAGIC)) return "jpeg";
  return null;
}

/** Decodes PNG or JPEG bytes to RGB; anything else, or a corrupt file, is the caller's fault (KernelInputError). */
export function decodeImage(bytes: Uint8Array): RgbImage {
  const format = detectImageFormat(bytes);
  if (format === "png") return decodePng(bytes);
  if (format === "jpeg") return decodeJpeg(bytes);
  throw new KernelInputError("unsupported image format: expected PNG or JPEG bytes");
}

function decodePng(bytes: Uint8Array): RgbImage {
  // IHDR is always the first chunk: width and height sit at bytes 16..23, big-endian.
  if (bytes.length >= 24) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    checkDimensions(view.getUint32(16), view.getUint32(20));
  }
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new KernelInputError(`corrupt PNG: ${(err as Error).message}`);
  }
  // pngjs always hands back 8-bit RGBA, whatever the colour type and bit depth of the file.
  return rgbaToRgbOnWhite(png.width, png.height, png.data);
}

function decodeJpeg(bytes: Uint8Array): RgbImage {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1_000_000,
      maxMemoryUsageInMB: 1024,
    });
  } catch (err) {
    throw new KernelInputError(`corrupt or unsupported JPEG: ${(err as Error).message}`);
  }
  checkDimensions(decoded.width, decoded.height);
  if (decoded.data.length !== decoded.width * decoded.height * 3) {
    throw new KernelInputError("corrupt JPEG: pixel data does not match its dimensions");
  }
  return { width: decoded.width, height: decoded.height, data: decoded.data };
}

function checkDimensions(width: number, height: number): void {
  if (width <= 0 || height <= 0) throw new KernelInputError(`image has no pixels (${width}x${height})`);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new KernelInputError(`image too large: ${width}x${height} exceeds ${MAX_IMAGE_PIXELS} pixels`);
  }
}

/**
 * Transparent areas become white rather than black: screenshots and logos with dark text on a transparent
 * background would otherwise turn into dark text on black, which no detector reads.
 */
function rgbaToRgbOnWhite(width: number, height: number, rgba: Uint8Array): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
    const alpha = rgba[p + 3];
    if (alpha === 255) {
      rgb[q] = rgba[p];
      rgb[q + 1] = rgba[p + 1];
      rgb[q + 2] = rgba[p + 2];
    } else {
      const background = 255 * (255 - alpha);
      rgb[q] = Math.round((rgba[p] * alpha + background) / 255);
      rgb[q + 1] = Math.round((rgba[p + 1] * alpha + background) / 255);
      rgb[q + 2] = Math.round((rgba[p + 2] * alpha + background) / 255);
    }
  }
  return { width, height, data: rgb };
}
