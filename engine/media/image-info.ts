/**
 * Image dimensions and colour mode from the file header alone (no pixel decoding), named as Pillow names them
 * so `nodetool.image.GetMetadata` answers like NodeTool: format PNG/JPEG/GIF/WEBP/BMP, mode L/RGB/RGBA/P/...
 */
export interface ImageInfo {
  format: string;
  mode: string;
  width: number;
  height: number;
  channels: number;
}

const CHANNELS: Record<string, number> = { "1": 1, L: 1, P: 1, "I;16": 1, I: 1, F: 1, LA: 2, PA: 2, RGB: 3, YCbCr: 3, RGBA: 4, CMYK: 4 };

function info(format: string, mode: string, width: number, height: number): ImageInfo {
  return { format, mode, width, height, channels: CHANNELS[mode] ?? 3 };
}

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

function png(b: Uint8Array, v: DataView): ImageInfo | null {
  if (b.length < 26 || ascii(b, 12, 4) !== "IHDR") return null;
  const depth = b[24];
  const colour = b[25];
  const mode =
    colour === 0 ? (depth === 1 ? "1" : depth === 16 ? "I;16" : "L") : colour === 2 ? "RGB" : colour === 3 ? "P" : colour === 4 ? "LA" : colour === 6 ? "RGBA" : "";
  if (!mode) return null;
  return info("PNG", mode, v.getUint32(16), v.getUint32(20));
}

function jpeg(b: Uint8Array, v: DataView): ImageInfo | null {
  let i = 2;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    // Markers without a length: TEM, RSTn, SOI, EOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      i += 2;
      continue;
    }
    const length = v.getUint16(i + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (i + 9 >= b.length) return null;
      const height = v.getUint16(i + 5);
      const width = v.getUint16(i + 7);
      const components = b[i + 9];
      const mode = components === 1 ? "L" : components === 4 ? "CMYK" : "RGB";
      return info("JPEG", mode, width, height);
    }
    i += 2 + length;
  }
  return null;
}

function webp(b: Uint8Array, v: DataView): ImageInfo | null {
  const chunk = ascii(b, 12, 4);
  if (chunk === "VP8 " && b.length >= 30) return info("WEBP", "RGB", v.getUint16(26, true) & 0x3fff, v.getUint16(28, true) & 0x3fff);
  if (chunk === "VP8L" && b.length >= 25) {
    const [b0, b1, b2, b3] = [b[21], b[22], b[23], b[24]];
    const width = 1 + (b0 | ((b1 & 0x3f) << 8));
    const height = 1 + ((b1 >> 6) | (b2 << 2) | ((b3 & 0x0f) << 10));
    return info("WEBP", (b3 >> 4) & 1 ? "RGBA" : "RGB", width, height);
  }
  if (chunk === "VP8X" && b.length >= 30) {
    const width = 1 + (b[24] | (b[25] << 8) | (b[26] << 16));
    const height = 1 + (b[27] | (b[28] << 8) | (b[29] << 16));
    return info("WEBP", b[20] & 0x10 ? "RGBA" : "RGB", width, height);
  }
  return null;
}

function bmp(b: Uint8Array, v: DataView): ImageInfo | null {
  if (b.length < 30) return null;
  const bpp = v.getUint16(28, true);
  const mode = bpp === 1 ? "1" : bpp <= 8 ? "P" : bpp === 32 ? "RGBA" : "RGB";
  return info("BMP", mode, v.getInt32(18, true), Math.abs(v.getInt32(22, true)));
}

/** The header facts of a PNG, JPEG, GIF, WebP or BMP image; null for anything else or a truncated header. */
export function imageInfo(bytes: Uint8Array): ImageInfo | null {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(bytes, 1, 3) === "PNG") return png(bytes, v);
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpeg(bytes, v);
  if (bytes.length >= 10 && (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a")) {
    return info("GIF", "P", v.getUint16(6, true), v.getUint16(8, true));
  }
  if (bytes.length >= 16 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") return webp(bytes, v);
  if (bytes.length >= 2 && ascii(bytes, 0, 2) === "BM") return bmp(bytes, v);
  return null;
}
