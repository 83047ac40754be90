import { describe, expect, it } from "vitest";
import { ctcGreedyDecode } from "../../../gpu-runner/src/kernels/ocr/ctc";
import { boxesFromProbabilityMap, DB_DEFAULTS } from "../../../gpu-runner/src/kernels/ocr/detection";
import { ctcCharacters } from "../../../gpu-runner/src/kernels/ocr/dictionary";
import type { Quad } from "../../../gpu-runner/src/kernels/ocr/geometry";
import { detectorSize } from "../../../gpu-runner/src/kernels/ocr/preprocess";
import { readingOrder } from "../../../gpu-runner/src/kernels/ocr/reading-order";

const DB = { ...DB_DEFAULTS, threshold: 0.3 };

/** A probability map with `inside` pixels at 0.9 and the rest at 0.05. */
function probabilityMap(width: number, height: number, inside: (x: number, y: number) => boolean): Float32Array {
  const map = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) map[y * width + x] = inside(x + 0.5, y + 0.5) ? 0.9 : 0.05;
  return map;
}

describe("detector sizing", () => {
  it("never enlarges, caps the longer side and rounds both sides to multiples of 32", () => {
    expect(detectorSize(640, 200, 960)).toEqual({ width: 640, height: 192 });
    expect(detectorSize(1600, 500, 800)).toEqual({ width: 800, height: 256 });
    expect(detectorSize(10, 10, 960)).toEqual({ width: 32, height: 32 });
  });
});

describe("DB post-processing", () => {
  it("grows a text kernel by area * 1.5 / perimeter and scales it to the image", () => {
    // A 40x10 kernel at (20, 30) on a 100x60 map of a 200x120 image: offset = 400 * 1.5 / 100 = 6 map pixels.
    const map = probabilityMap(100, 60, (x, y) => x >= 20 && x < 60 && y >= 30 && y < 40);
    const boxes = boxesFromProbabilityMap(map, 100, 60, 200, 120, DB);
    expect(boxes).toHaveLength(1);
    expect(boxes[0].score).toBeCloseTo(0.9, 5);
    const expected: Quad = [[28, 48], [132, 48], [132, 92], [28, 92]];
    boxes[0].quad.forEach((p, i) => {
      expect(p[0]).toBeCloseTo(expected[i][0], 5);
      expect(p[1]).toBeCloseTo(expected[i][1], 5);
    });
  });

  it("fits a rotated rectangle to a slanted kernel, corners clockwise from the top left", () => {
    const angle = (15 * Math.PI) / 180;
    const [cx, cy] = [100, 60];
    const inside = (x: number, y: number) => {
      const u = (x - cx) * Math.cos(angle) + (y - cy) * Math.sin(angle);
      const v = -(x - cx) * Math.sin(angle) + (y - cy) * Math.cos(angle);
      return Math.abs(u) < 60 && Math.abs(v) < 8;
    };
    const [box] = boxesFromProbabilityMap(probabilityMap(200, 120, inside), 200, 120, 200, 120, DB);
    const [tl, tr, br, bl] = box.quad;
    // The top edge follows the slant.
    expect(Math.atan2(tr[1] - tl[1], tr[0] - tl[0])).toBeCloseTo(angle, 1);
    expect(tl[0]).toBeLessThan(tr[0]);
    expect(tl[1]).toBeLessThan(bl[1]);
    expect(br[0]).toBeGreaterThan(bl[0]);
    // Centred on the kernel.
    expect((tl[0] + br[0]) / 2).toBeCloseTo(cx, 0);
    expect((tl[1] + br[1]) / 2).toBeCloseTo(cy, 0);
  });

  it("drops specks, faint regions, and keeps separate regions apart", () => {
    const map = probabilityMap(100, 60, (x, y) => (x >= 10 && x < 12 && y >= 10 && y < 12) || (y >= 30 && y < 40 && ((x >= 10 && x < 40) || (x >= 50 && x < 90))));
    expect(boxesFromProbabilityMap(map, 100, 60, 100, 60, DB)).toHaveLength(2);
    const faint = new Float32Array(100 * 60).fill(0.4);
    expect(boxesFromProbabilityMap(faint, 100, 60, 100, 60, DB)).toHaveLength(0);
  });
});

describe("CTC decoding", () => {
  const characters = ctcCharacters();

  it("uses PaddleOCR's class layout: blank, the 6623 dictionary lines, then a space", () => {
    expect(characters).toHaveLength(6625);
    expect(characters[0]).toBe("");
    expect(characters[6624]).toBe(" ");
  });

  it("merges repeats, drops blanks, and scores the emitted characters", () => {
    const a = characters.indexOf("a");
    const b = characters.indexOf("b");
    const classes = characters.length;
    // a a blank a b b  ->  "aab"
    const path: Array<[number, number]> = [[a, 0.9], [a, 0.7], [0, 0.99], [a, 0.8], [b, 0.6], [b, 0.95]];
    const probs = new Float32Array(path.length * classes);
    path.forEach(([cls, p], t) => {
      probs.fill((1 - p) / (classes - 1), t * classes, (t + 1) * classes);
      probs[t * classes + cls] = p;
    });
    const decoded = ctcGreedyDecode(probs, 0, path.length, classes, characters);
    expect(decoded.text).toBe("aab");
    expect(decoded.score).toBeCloseTo((0.9 + 0.8 + 0.6) / 3, 5);
    expect(ctcGreedyDecode(new Float32Array(classes).fill(0).fill(1, 0, 1), 0, 1, classes, characters)).toEqual({ text: "", score: 0 });
  });
});

describe("reading order", () => {
  const box = (left: number, top: number, right: number, bottom: number): Quad => [[left, top], [right, top], [right, bottom], [left, bottom]];

  it("reads rows top to bottom and words left to right, tolerating uneven tops", () => {
    const items = [
      { id: "row2-right", box: box(200, 102, 300, 130) },
      { id: "row1-right", box: box(200, 48, 300, 80) },
      { id: "row2-left", box: box(10, 100, 150, 128) },
      { id: "row1-left", box: box(10, 52, 150, 78) },
    ];
    expect(readingOrder(items).map((i) => i.id)).toEqual(["row1-left", "row1-right", "row2-left", "row2-right"]);
  });

  it("follows the slant of a skewed page", () => {
    // Two long lines sloping down by 10 degrees: the first line's right end is lower than the second line's left.
    const slope = Math.tan((10 * Math.PI) / 180);
    const line = (y: number): Quad => [[0, y], [600, y + 600 * slope], [600, y + 600 * slope + 30], [0, y + 30]];
    const items = [{ id: "second", box: line(60) }, { id: "first", box: line(0) }];
    expect(readingOrder(items).map((i) => i.id)).toEqual(["first", "second"]);
  });
});
