import { convexHull, expandRect, minAreaRect, orderCorners, rectCorners, type Point, type Quad } from "./geometry";

export interface DetectedBox {
  /** Corners in original image pixels, clockwise from the top left. */
  quad: Quad;
  /** Mean detector probability over the text region. */
  score: number;
}

export interface DbPostprocessOptions {
  /** Probability above which a map pixel counts as text (the request's box_threshold). */
  threshold: number;
  /** Regions whose mean probability is lower are dropped (PaddleOCR det_db_box_thresh). */
  boxScoreThreshold: number;
  /** How far the shrunk text kernel is grown back (PaddleOCR det_db_unclip_ratio). */
  unclipRatio: number;
  /** Shortest side, in map pixels, a region must have before growing (PaddleOCR min_size). */
  minSize: number;
  maxCandidates: number;
}

export const DB_DEFAULTS: Omit<DbPostprocessOptions, "threshold"> = {
  boxScoreThreshold: 0.6,
  unclipRatio: 1.5,
  minSize: 3,
  maxCandidates: 1000,
};

/**
 * DB (differentiable binarisation) post-processing, after PaddleOCR's DBPostProcess: binarise the probability
 * map, take each 8-connected region, fit its minimum-area (possibly rotated) rectangle, grow it by
 * area * unclipRatio / perimeter (the detector was trained on text regions shrunk by that offset), and scale it
 * to the original image.
 *
 * Limits: a region becomes a rectangle, not a polygon, so strongly curved text gets a loose box; the region's
 * score is the mean over its own pixels rather than over the fitted box.
 */
export function boxesFromProbabilityMap(
  prob: Float32Array,
  mapWidth: number,
  mapHeight: number,
  imageWidth: number,
  imageHeight: number,
  options: DbPostprocessOptions,
): DetectedBox[] {
  const scaleX = imageWidth / mapWidth;
  const scaleY = imageHeight / mapHeight;
  const boxes: DetectedBox[] = [];
  for (const region of textRegions(prob, mapWidth, mapHeight, options.threshold)) {
    if (boxes.length >= options.maxCandidates) break;
    const rect = minAreaRect(convexHull(region.outline));
    if (Math.min(rect.length, rect.breadth) < options.minSize) continue;
    if (region.meanProbability < options.boxScoreThreshold) continue;
    const perimeter = 2 * (rect.length + rect.breadth);
    const grown = expandRect(rect, (rect.length * rect.breadth * options.unclipRatio) / perimeter);
    if (Math.min(grown.length, grown.breadth) < options.minSize + 2) continue;
    const corners = rectCorners(grown).map(([x, y]): Point => [
      clamp(x * scaleX, 0, imageWidth),
      clamp(y * scaleY, 0, imageHeight),
    ]);
    boxes.push({ quad: orderCorners(corners), score: region.meanProbability });
  }
  return boxes;
}

interface TextRegion {
  /** Outer corners of the leftmost and rightmost pixel of every row: enough for the region's convex hull. */
  outline: Point[];
  meanProbability: number;
}

/** Yields the 8-connected regions of pixels with probability above `threshold`, in scan order. */
function* textRegions(prob: Float32Array, width: number, height: number, threshold: number): Generator<TextRegion> {
  const visited = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  const members = new Int32Array(width * height);
  for (let start = 0; start < prob.length; start++) {
    if (visited[start] || !(prob[start] > threshold)) continue;
    visited[start] = 1;
    let stackSize = 0;
    let count = 0;
    stack[stackSize++] = start;
    let sum = 0;
    let minY = height;
    let maxY = -1;
    while (stackSize > 0) {
      const p = stack[--stackSize];
      members[count++] = p;
      sum += prob[p];
      const x = p % width;
      const y = (p - x) / width;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (!visited[q] && prob[q] > threshold) {
            visited[q] = 1;
            stack[stackSize++] = q;
          }
        }
      }
    }
    const rows = maxY - minY + 1;
    const rowMin = new Int32Array(rows).fill(width);
    const rowMax = new Int32Array(rows).fill(-1);
    for (let i = 0; i < count; i++) {
      const x = members[i] % width;
      const r = (members[i] - x) / width - minY;
      if (x < rowMin[r]) rowMin[r] = x;
      if (x > rowMax[r]) rowMax[r] = x;
    }
    const outline: Point[] = [];
    for (let r = 0; r < rows; r++) {
      const y = minY + r;
      outline.push([rowMin[r], y], [rowMin[r], y + 1], [rowMax[r] + 1, y], [rowMax[r] + 1, y + 1]);
    }
    yield { outline, meanProbability: sum / count };
  }
}

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : Math.min(value , max);
}
