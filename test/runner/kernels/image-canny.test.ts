import { describe, expect, it } from "vitest";
import { imageKernel } from "../../../gpu-runner/src/kernels/image";
import { InferRequestSchema } from "../../../schema/runner";
import { png, readPng } from "./av-fixtures";
import { testContext } from "./context";

/**
 * lib.pillow.filter.Canny on the image kernel, against edge maps worked out here from OpenCV's rules: 3x3 Sobel
 * magnitudes |dx| + |dy|, suppression that keeps a pixel strictly above its left/upper neighbour and at least
 * its right/lower one, and hysteresis from `high` through 8-connected pixels above `low`.
 */

async function canny(image: Uint8Array, low: number, high: number) {
  const parsed = InferRequestSchema.parse({ kernel: "image", images: [image], ops: [{ op: "canny", low, high }] });
  if (parsed.kernel !== "image") throw new Error("not an image request");
  const result = await imageKernel.run(parsed, testContext());
  return readPng(result.images[0].data);
}

const edgeMap = (img: ReturnType<typeof readPng>) =>
  Array.from({ length: img.height }, (_, y) => Array.from({ length: img.width }, (_, x) => img.rgb(x, y)));

describe("Canny", () => {
  it("outlines a square on the dark side of its left and top edges and the bright side of its right and bottom ones", async () => {
    const square = png(32, 32, (x, y) => (x >= 8 && x < 24 && y >= 8 && y < 24 ? [255, 255, 255] : [0, 0, 0]));
    const out = await canny(square, 100, 200);
    // Both pixels across an edge have |dx| = 4 x 255; the tie goes to the one whose left/upper neighbour is lower.
    for (let i = 10; i <= 21; i++) {
      expect(out.rgb(7, i), `left edge at y=${i}`).toEqual([255, 255, 255]);
      expect(out.rgb(8, i)).toEqual([0, 0, 0]);
      expect(out.rgb(23, i), `right edge at y=${i}`).toEqual([255, 255, 255]);
      expect(out.rgb(24, i)).toEqual([0, 0, 0]);
      expect(out.rgb(i, 7), `top edge at x=${i}`).toEqual([255, 255, 255]);
      expect(out.rgb(i, 8)).toEqual([0, 0, 0]);
      expect(out.rgb(i, 23), `bottom edge at x=${i}`).toEqual([255, 255, 255]);
      expect(out.rgb(i, 24)).toEqual([0, 0, 0]);
    }
    // Nothing away from the outline.
    for (const [x, y] of [[2, 2], [15, 15], [29, 12], [12, 29]]) expect(out.rgb(x, y)).toEqual([0, 0, 0]);
  });

  it("keeps a weak edge only where it connects to a strong one", async () => {
    // A vertical step at x = 16: 0 -> 255 in the top half, 0 -> 40 (|dx| = 160: between 100 and 200) below.
    const joined = png(32, 32, (x, y) => (x < 16 ? [0, 0, 0] : y < 16 ? [255, 255, 255] : [40, 40, 40]));
    const weakOnly = png(32, 32, (x) => (x < 16 ? [0, 0, 0] : [40, 40, 40]));
    const a = await canny(joined, 100, 200);
    // The strong half and the weak half both (at the corner the gradient turns and the line steps to x = 16).
    for (const y of [2, 6, 12, 18, 22, 26, 29]) expect(a.rgb(15, y), `y=${y}`).toEqual([255, 255, 255]);
    expect([a.rgb(15, 15)[0], a.rgb(16, 15)[0]]).toContain(255);
    const b = edgeMap(await canny(weakOnly, 100, 200));
    expect(b.flat().every((p) => p[0] === 0)).toBe(true);
    // With low and high under 160, the lone weak step is an edge all along.
    const c = await canny(weakOnly, 50, 150);
    for (let y = 0; y < 32; y++) expect(c.rgb(15, y)).toEqual([255, 255, 255]);
  });

  it("takes each pixel's gradient from its strongest channel, and swaps thresholds given the wrong way round", async () => {
    // Only blue changes: 0 -> 60 (|dx| = 240), with red constant.
    const blueStep = png(16, 16, (x) => (x < 8 ? [90, 0, 0] : [90, 0, 60]));
    const out = await canny(blueStep, 200, 100);
    for (let y = 0; y < 16; y++) expect(out.rgb(7, y)).toEqual([255, 255, 255]);
    expect(out.rgb(8, 5)).toEqual([0, 0, 0]);
  });
});
