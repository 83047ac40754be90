import jpeg from "jpeg-js";
import type { Browser } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OcrOptionsSchema, type OcrLine } from "../../../schema/runner";
import { ocrKernel, type OcrRequest } from "../../../gpu-runner/src/kernels/ocr/index";
import { CancelledError, KernelInputError } from "../../../gpu-runner/src/kernels/types";
import { testContext } from "./context";
import { launchChromium, renderTextLines, type RenderedText } from "./render-text";

const LINES = ["Hello World 2026", "nodetool edge OCR"];

function ocrRequest(image: Uint8Array, options: Partial<OcrRequest["options"]> = {}): OcrRequest {
  return { kernel: "ocr", image: new Uint8Array(image), options: OcrOptionsSchema.parse(options) };
}

/** The box's axis-aligned extent: [left, top, right, bottom]. */
function extent(line: OcrLine): [number, number, number, number] {
  const xs = line.box.map((p) => p[0]);
  const ys = line.box.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Each box hugs the glyphs Chromium laid out for its line: edges within `slack` pixels of the span's box. */
function expectBoxesAroundText(lines: OcrLine[], rects: RenderedText["lineRects"], slack: number): void {
  lines.forEach((line, i) => {
    const [left, top, right, bottom] = extent(line);
    const [spanLeft, spanTop, spanRight, spanBottom] = rects[i];
    expect(Math.abs(left - spanLeft)).toBeLessThanOrEqual(slack);
    expect(Math.abs(right - spanRight)).toBeLessThanOrEqual(slack);
    // The span's box is the font's full line box (ascent + descent); the glyphs sit inside it.
    expect(top).toBeGreaterThanOrEqual(spanTop - slack);
    expect(bottom).toBeLessThanOrEqual(spanBottom + slack);
    expect(bottom - top).toBeGreaterThan((spanBottom - spanTop) / 2);
    // Clockwise from the top left.
    const [tl, tr, br, bl] = line.box;
    expect(tl[0]).toBeLessThan(tr[0]);
    expect(bl[0]).toBeLessThan(br[0]);
    expect(tl[1]).toBeLessThan(bl[1]);
    expect(tr[1]).toBeLessThan(br[1]);
  });
}

function expectScoresInRange(lines: OcrLine[]): void {
  for (const line of lines) {
    expect(line.score).toBeGreaterThan(0);
    expect(line.score).toBeLessThanOrEqual(1);
  }
}

describe("OCR kernel (PaddleOCR PP-OCRv4 on CPU)", () => {
  let browser: Browser;
  let rendered: RenderedText;

  beforeAll(async () => {
    browser = await launchChromium();
    rendered = await renderTextLines(browser, LINES);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("reads two rendered lines of a PNG, top to bottom, with boxes around them", async () => {
    const ctx = testContext();
    const result = await ocrKernel.run(ocrRequest(rendered.png), ctx);

    expect(result.kernel).toBe("ocr");
    expect([result.width, result.height]).toEqual([rendered.width, rendered.height]);
    expect(result.lines.map((l) => l.text)).toEqual(LINES);
    expectScoresInRange(result.lines);
    expectBoxesAroundText(result.lines, rendered.lineRects, 6);

    // One step for detection, then one per recognised crop, ending at the total.
    const total = ctx.progressReports[0][1];
    expect(ctx.progressReports[0]).toEqual([1, total]);
    expect(ctx.progressReports.at(-1)).toEqual([total, total]);
    expect(total).toBeGreaterThanOrEqual(1 + LINES.length);
    expect(ctx.cancellationChecks).toBeGreaterThanOrEqual(3);
    expect(new Set(ctx.sessionsRequested)).toEqual(new Set(ocrKernel.models));
  });

  it("reads the same page as a JPEG", async () => {
    const png = PNG.sync.read(Buffer.from(rendered.png));
    const encoded = jpeg.encode({ data: png.data, width: png.width, height: png.height }, 85);
    const result = await ocrKernel.run(ocrRequest(encoded.data), testContext());

    expect(result.lines.map((l) => l.text)).toEqual(LINES);
    expectScoresInRange(result.lines);
    expectBoxesAroundText(result.lines, rendered.lineRects, 6);
  });

  it("scales a large page down to max_side and reports boxes in the original pixels", async () => {
    const large = await renderTextLines(browser, LINES, { width: 1600, height: 500 }, 72);
    const result = await ocrKernel.run(ocrRequest(large.png, { max_side: 800 }), testContext());

    expect([result.width, result.height]).toEqual([1600, 500]);
    expect(result.lines.map((l) => l.text)).toEqual(LINES);
    expectBoxesAroundText(result.lines, large.lineRects, 12);
  });

  it("finds no text on a blank page", async () => {
    const blank = new PNG({ width: 320, height: 120 });
    blank.data.fill(255);
    const ctx = testContext();
    const result = await ocrKernel.run(ocrRequest(PNG.sync.write(blank)), ctx);

    expect(result).toEqual({ kernel: "ocr", width: 320, height: 120, lines: [] });
    expect(ctx.progressReports).toEqual([[1, 1]]);
  });

  it("refuses bytes that are not an image, and a corrupt PNG, with KernelInputError", async () => {
    await expect(ocrKernel.run(ocrRequest(new TextEncoder().encode("definitely not an image")), testContext())).rejects.toBeInstanceOf(
      KernelInputError,
    );
    const truncated = rendered.png.subarray(0, 100);
    await expect(ocrKernel.run(ocrRequest(truncated), testContext())).rejects.toBeInstanceOf(KernelInputError);
  });

  it("stops with CancelledError when cancelled after the first step", async () => {
    const ctx = testContext({ cancelAfterChecks: 1 });
    await expect(ocrKernel.run(ocrRequest(rendered.png), ctx)).rejects.toBeInstanceOf(CancelledError);
    // Cancelled right after detection: no recognition progress was reported.
    expect(ctx.progressReports).toEqual([]);
    expect(ctx.sessionsRequested).toEqual(["paddleocr/det"]);
  });
});
