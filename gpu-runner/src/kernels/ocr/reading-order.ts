import type { Point, Quad } from "./geometry";

/**
 * Sorts boxes into reading order: top to bottom, and left to right within a row, measured along the page's text
 * direction (the mean direction of the boxes' top edges), so a skewed scan or photo still reads row by row
 * instead of mixing the tail of one sloping line with the head of the next. Boxes share a row when their bands
 * across the text direction overlap by at least half the thinner box, so words of one line that the detector
 * split apart stay together.
 */
export function readingOrder<T extends { box: Quad }>(items: T[]): T[] {
  const [ux, uy] = textDirection(items.map((item) => item.box));
  const placed = items.map((item) => {
    const along = item.box.map(([x, y]) => x * ux + y * uy);
    const across = item.box.map(([x, y]) => -x * uy + y * ux);
    return { item, start: Math.min(...along), top: Math.min(...across), bottom: Math.max(...across) };
  });
  placed.sort((a, b) => a.top - b.top || a.start - b.start);

  const rows: { top: number; bottom: number; members: typeof placed }[] = [];
  for (const entry of placed) {
    const row = rows.find((r) => {
      const overlap = Math.min(r.bottom, entry.bottom) - Math.max(r.top, entry.top);
      return overlap >= 0.5 * Math.min(r.bottom - r.top, entry.bottom - entry.top);
    });
    if (row) {
      row.members.push(entry);
      row.top = Math.min(row.top, entry.top);
      row.bottom = Math.max(row.bottom, entry.bottom);
    } else {
      rows.push({ top: entry.top, bottom: entry.bottom, members: [entry] });
    }
  }
  rows.sort((a, b) => a.top - b.top);
  return rows.flatMap((row) => row.members.sort((a, b) => a.start - b.start).map((m) => m.item));
}

/** Unit vector of the length-weighted mean top edge (top-left to top-right); +x when there are no boxes. */
function textDirection(boxes: Quad[]): Point {
  let x = 0;
  let y = 0;
  for (const [topLeft, topRight] of boxes) {
    x += topRight[0] - topLeft[0];
    y += topRight[1] - topLeft[1];
  }
  const length = Math.hypot(x, y);
  return length > 0 ? [x / length, y / length] : [1, 0];
}
