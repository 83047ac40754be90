import type { RgbImage } from "./image";

export type Point = [number, number];

/**
 * Cuts a (possibly rotated) rectangle out of an image and straightens it: output pixel (u, v) is sampled
 * bilinearly at topLeft + u * (topRight - topLeft) / width + v * (bottomLeft - topLeft) / height. The output has
 * the rectangle's own side lengths, so no scaling happens here; resize afterwards with an antialiased filter.
 */
export function cropRotatedRect(image: RgbImage, topLeft: Point, topRight: Point, bottomLeft: Point): RgbImage {
  const width = Math.max(1, Math.round(Math.hypot(topRight[0] - topLeft[0], topRight[1] - topLeft[1])));
  const height = Math.max(1, Math.round(Math.hypot(bottomLeft[0] - topLeft[0], bottomLeft[1] - topLeft[1])));
  const ux = (topRight[0] - topLeft[0]) / width;
  const uy = (topRight[1] - topLeft[1]) / width;
  const vx = (bottomLeft[0] - topLeft[0]) / height;
  const vy = (bottomLeft[1] - topLeft[1]) / height;
  const out = new Uint8Array(width * height * 3);
  const maxX = image.width - 1;
  const maxY = image.height - 1;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      // Sample at the centre of the output pixel, in the source's pixel-centre coordinates.
      const sx = Math.min(maxX, Math.max(0, topLeft[0] + (u + 0.5) * ux + (v + 0.5) * vx - 0.5));
      const sy = Math.min(maxY, Math.max(0, topLeft[1] + (u + 0.5) * uy + (v + 0.5) * vy - 0.5));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(maxX, x0 + 1);
      const y1 = Math.min(maxY, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (v * width + u) * 3;
      for (let c = 0; c < 3; c++) {
        const top = image.data[(y0 * image.width + x0) * 3 + c] * (1 - fx) + image.data[(y0 * image.width + x1) * 3 + c] * fx;
        const bottom = image.data[(y1 * image.width + x0) * 3 + c] * (1 - fx) + image.data[(y1 * image.width + x1) * 3 + c] * fx;
        out[o + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width, height, data: out };
}

/** Turns an image a quarter counter-clockwise, so text running top-to-bottom reads left-to-right. */
export function rotateCounterClockwise(image: RgbImage): RgbImage {
  const { width, height } = image;
  const out = new Uint8Array(width * height * 3);
  // Source (x, y) lands at (y, width - 1 - x) in the rotated image, which is `height` wide.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      const d = ((width - 1 - x) * height + y) * 3;
      out[d] = image.data[s];
      out[d + 1] = image.data[s + 1];
      out[d + 2] = image.data[s + 2];
    }
  }
  return { width: height, height: width, data: out };
}
