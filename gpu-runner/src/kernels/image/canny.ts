import { newRaster, type Raster } from "./raster";

/**
 * lib.pillow.filter.Canny: NodeTool runs cv2.Canny(rgb, low, high) (aperture 3, L1 gradient) and stacks the edge
 * map into three channels (nodetool-base src/nodetool/nodes/lib/pillow/enhance.py canny_edge_detection). This
 * follows OpenCV's algorithm (imgproc/src/canny.cpp): 3x3 Sobel with replicated borders per channel, the
 * channel of largest |dx| + |dy| per pixel, non-maximum suppression along the gradient's sector (tan 22.5 in
 * Q15 fixed point), then hysteresis: pixels above `high` seed edges that grow through 8-connected pixels above
 * `low`.
 */

const SHIFT = 15;
/** OpenCV's TG22: tan(22.5 degrees) in Q15, rounded. */
const TG22 = Math.trunc(Math.tan(Math.PI / 8) * (1 << SHIFT) + 0.5);

export function canny(image: Raster, lowThreshold: number, highThreshold: number): Raster {
  let [low, high] = [lowThreshold, highThreshold];
  if (low > high) [low, high] = [high, low];
  low = Math.floor(low);
  high = Math.floor(high);
  const { width: w, height: h, channels: cn } = image;
  const px = (x: number, y: number, c: number) => image.data[(Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))) * cn + c];

  // Magnitudes in a frame one pixel wider on every side, left at zero (OpenCV's zeroed border rows and columns).
  const stride = w + 2;
  const mag = new Int32Array(stride * (h + 2));
  const dxs = new Int32Array(w * h);
  const dys = new Int32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let best = -1;
      for (let c = 0; c < cn; c++) {
        const dx = px(x + 1, y - 1, c) - px(x - 1, y - 1, c) + 2 * (px(x + 1, y, c) - px(x - 1, y, c)) + px(x + 1, y + 1, c) - px(x - 1, y + 1, c);
        const dy = px(x - 1, y + 1, c) - px(x - 1, y - 1, c) + 2 * (px(x, y + 1, c) - px(x, y - 1, c)) + px(x + 1, y + 1, c) - px(x + 1, y - 1, c);
        const m = Math.abs(dx) + Math.abs(dy);
        // The first channel wins ties, as OpenCV compares with a strict `>`.
        if (m > best) {
          best = m;
          dxs[y * w + x] = dx;
          dys[y * w + x] = dy;
        }
      }
      mag[(y + 1) * stride + x + 1] = best;
    }
  }

  // 0: not an edge, 1: candidate (above low, a local maximum), 2: edge.
  const map = new Uint8Array(w * h);
  const stack: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const at = (y + 1) * stride + x + 1;
      const m = mag[at];
      if (m <= low) continue;
      const xs = dxs[y * w + x];
      const ys = dys[y * w + x];
      const ax = Math.abs(xs);
      const ay = Math.abs(ys) * (1 << SHIFT);
      const tg22x = ax * TG22;
      let peak: boolean;
      if (ay < tg22x) peak = m > mag[at - 1] && m >= mag[at + 1];
      else if (ay > tg22x + ax * (1 << (SHIFT + 1))) peak = m > mag[at - stride] && m >= mag[at + stride];
      else {
        const s = (xs < 0) !== (ys < 0) ? -1 : 1;
        peak = m > mag[at - stride - s] && m > mag[at + stride + s];
      }
      if (!peak) continue;
      map[y * w + x] = 1;
      if (m > high) {
        map[y * w + x] = 2;
        stack.push(y * w + x);
      }
    }
  }
  while (stack.length > 0) {
    const i = stack.pop()!;
    const x = i % w;
    const y = (i - x) / w;
    for (let ny = Math.max(0, y - 1); ny <= Math.min(h - 1, y + 1); ny++) {
      for (let nx = Math.max(0, x - 1); nx <= Math.min(w - 1, x + 1); nx++) {
        const j = ny * w + nx;
        if (map[j] === 1) {
          map[j] = 2;
          stack.push(j);
        }
      }
    }
  }

  const out = newRaster(w, h, 3);
  for (let i = 0; i < w * h; i++) if (map[i] === 2) out.data.fill(255, i * 3, i * 3 + 3);
  return out;
}
