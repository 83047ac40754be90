export type Point = [number, number];
/** Corners clockwise from the top left: top_left, top_right, bottom_right, bottom_left (schema OcrLine.box). */
export type Quad = [Point, Point, Point, Point];

/** Convex hull (Andrew's monotone chain), counter-clockwise in y-down image coordinates, without collinear points. */
export function convexHull(points: Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length <= 2) return sorted;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

export interface RotatedRect {
  center: Point;
  /** Unit vector along the first side. */
  axis: Point;
  /** Side length along `axis`. */
  length: number;
  /** Side length across `axis`. */
  breadth: number;
}

/**
 * Smallest-area enclosing rectangle of a convex polygon (what OpenCV's minAreaRect computes): one of its sides
 * lies on a hull edge, so trying every edge direction is enough.
 */
export function minAreaRect(hull: Point[]): RotatedRect {
  if (hull.length === 0) return { center: [0, 0], axis: [1, 0], length: 0, breadth: 0 };
  let best: RotatedRect | null = null;
  let bestArea = Infinity;
  const directions: Point[] = [[1, 0]];
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i];
    const b = hull[(i + 1) % hull.length];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len > 0) directions.push([(b[0] - a[0]) / len, (b[1] - a[1]) / len]);
  }
  for (const [ux, uy] of directions) {
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (const [x, y] of hull) {
      const u = x * ux + y * uy;
      const v = -x * uy + y * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    // Prefer the earlier (axis-aligned first) direction on ties, so upright text gets an upright box.
    if (area < bestArea - 1e-9) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = { center: [cu * ux - cv * uy, cu * uy + cv * ux], axis: [ux, uy], length: maxU - minU, breadth: maxV - minV };
    }
  }
  return best!;
}

/** Grows a rectangle by `distance` on every side. */
export function expandRect(rect: RotatedRect, distance: number): RotatedRect {
  return { ...rect, length: rect.length + 2 * distance, breadth: rect.breadth + 2 * distance };
}

export function rectCorners(rect: RotatedRect): Point[] {
  const [cx, cy] = rect.center;
  const [ux, uy] = rect.axis;
  const hu = rect.length / 2;
  const hv = rect.breadth / 2;
  // The perpendicular (-uy, ux) matches the projection used in minAreaRect.
  return [
    [cx - ux * hu + uy * hv, cy - uy * hu - ux * hv],
    [cx + ux * hu + uy * hv, cy + uy * hu - ux * hv],
    [cx + ux * hu - uy * hv, cy + uy * hu + ux * hv],
    [cx - ux * hu - uy * hv, cy - uy * hu + ux * hv],
  ];
}

/**
 * Orders four corners clockwise from the top left the way PaddleOCR's get_mini_boxes does: the two leftmost
 * points are the left side (upper one first), the two rightmost the right side. Exact for upright and moderately
 * rotated text; for boxes near 45 degrees "top left" is ambiguous and either neighbour may come first.
 */
export function orderCorners(corners: Point[]): Quad {
  const byX = [...corners].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const [leftA, leftB, rightA, rightB] = byX;
  const [topLeft, bottomLeft] = leftA[1] <= leftB[1] ? [leftA, leftB] : [leftB, leftA];
  const [topRight, bottomRight] = rightA[1] <= rightB[1] ? [rightA, rightB] : [rightB, rightA];
  return [topLeft, topRight, bottomRight, bottomLeft];
}

export function quadSides(quad: Quad): { width: number; height: number } {
  const dist = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  return {
    width: Math.max(dist(quad[0], quad[1]), dist(quad[3], quad[2])),
    height: Math.max(dist(quad[0], quad[3]), dist(quad[1], quad[2])),
  };
}
