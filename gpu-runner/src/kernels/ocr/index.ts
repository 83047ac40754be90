import * as ort from "onnxruntime-node";
import type { InferRequest, InferResult, OcrLine } from "../../../../schema/runner";
import { cropRotatedRect, rotateCounterClockwise } from "../../media/crop";
import { decodeImage, type RgbImage } from "../../media/image";
import type { Kernel } from "../types";
import { boxesFromProbabilityMap, DB_DEFAULTS, type DetectedBox } from "./detection";
import { ctcCharacters } from "./dictionary";
import type { Point, Quad } from "./geometry";
import { prepareDetectorInput } from "./preprocess";
import { readingOrder } from "./reading-order";
import { recognizeCrops } from "./recognition";

export type OcrRequest = Extract<InferRequest, { kernel: "ocr" }>;
export type OcrResult = Extract<InferResult, { kernel: "ocr" }>;

export const OCR_DETECTOR = "paddleocr/det";
export const OCR_RECOGNIZER = "paddleocr/rec";

/**
 * Crops at least this much taller than wide may hold vertical text. PaddleOCR always turns them a quarter; we
 * read them both ways and keep the more confident reading, so a lone narrow glyph ("1", "I") still reads upright.
 */
const TALL_CROP_RATIO = 1.5;

/**
 * Crops for the recogniser extend past the detected box by this fraction of the box height on every side. DB
 * boxes hug the glyphs; with no background above and below, the recogniser drops word gaps ("HelloWorld2026"
 * for "Hello World 2026" in our tests) and misreads clipped ascenders. Over rendered test pages (4 fonts, 18-56
 * px, straight and skewed, tight and loose line spacing) 0.2 read the most lines exactly: 0.1 and 0.3 lost
 * more spaces and letters. The reported box stays the detected one.
 */
const CROP_MARGIN = 0.2;

/**
 * PaddleOCR PP-OCRv4 (mobile): DB text detection, then SVTR/CTC recognition of each detected line. Progress: one
 * step for detection, then one per recognised crop. The `language` option is accepted but has no effect: the
 * bundled models read Chinese and Latin script.
 */
export const ocrKernel: Kernel<OcrRequest, OcrResult> = {
  name: "ocr",
  models: [OCR_DETECTOR, OCR_RECOGNIZER],
  async run(request, ctx) {
    ctx.checkCancelled();
    const image = decodeImage(request.image);
    const { width, height } = image;
    const options = request.options;

    const boxes = await detectText(await ctx.session(OCR_DETECTOR), image, options.max_side, options.box_threshold);
    ctx.checkCancelled();

    // Each box gets one crop, and a tall box a second, turned one; `owner` maps a crop back to its box.
    const crops: RgbImage[] = [];
    const owner: number[] = [];
    boxes.forEach((box, index) => {
      const [topLeft, topRight, bottomLeft] = withMargin(box.quad, CROP_MARGIN);
      const crop = cropRotatedRect(image, topLeft, topRight, bottomLeft);
      crops.push(crop);
      owner.push(index);
      if (crop.height >= TALL_CROP_RATIO * crop.width) {
        crops.push(rotateCounterClockwise(crop));
        owner.push(index);
      }
    });
    const total = 1 + crops.length;
    ctx.progress(1, total);
    if (crops.length === 0) return { kernel: "ocr", width, height, lines: [] };

    const readings = await recognizeCrops(await ctx.session(OCR_RECOGNIZER), crops, ctcCharacters(), {
      checkCancelled: () => ctx.checkCancelled(),
      onProgress: (done) => ctx.progress(1 + done, total),
    });

    const best = new Map<number, { text: string; score: number }>();
    readings.forEach((reading, i) => {
      const current = best.get(owner[i]);
      if (!current || reading.score > current.score) best.set(owner[i], reading);
    });
    const lines: OcrLine[] = [];
    for (const [index, reading] of best) {
      const text = reading.text.trim();
      if (text === "" || reading.score < options.min_score) continue;
      lines.push({ text, score: reading.score, box: roundQuad(boxes[index].quad) });
    }
    return { kernel: "ocr", width, height, lines: readingOrder(lines) };
  },
};

async function detectText(
  session: ort.InferenceSession,
  image: RgbImage,
  maxSide: number,
  threshold: number,
): Promise<DetectedBox[]> {
  const input = prepareDetectorInput(image, maxSide);
  const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", input.data, [1, 3, input.height, input.width]) };
  const output = (await session.run(feeds))[session.outputNames[0]];
  const [, , mapHeight, mapWidth] = output.dims as number[];
  return boxesFromProbabilityMap(output.data as Float32Array, mapWidth, mapHeight, image.width, image.height, {
    ...DB_DEFAULTS,
    threshold,
  });
}

/** The top-left, top-right and bottom-left corners of `quad` grown outwards by `margin` x its height. */
function withMargin(quad: Quad, margin: number): [Point, Point, Point] {
  const [topLeft, topRight, , bottomLeft] = quad;
  const along = unit(topLeft, topRight);
  const down = unit(topLeft, bottomLeft);
  const m = margin * Math.hypot(bottomLeft[0] - topLeft[0], bottomLeft[1] - topLeft[1]);
  const shift = (p: Point, a: number, b: number): Point => [
    p[0] + m * (a * along[0] + b * down[0]),
    p[1] + m * (a * along[1] + b * down[1]),
  ];
  return [shift(topLeft, -1, -1), shift(topRight, 1, -1), shift(bottomLeft, -1, 1)];
}

function unit(from: Point, to: Point): Point {
  const length = Math.hypot(to[0] - from[0], to[1] - from[1]);
  return length > 0 ? [(to[0] - from[0]) / length, (to[1] - from[1]) / length] : [0, 0];
}

/** Tenths of a pixel are plenty, and keep the msgpack/JSON small. */
function roundQuad(quad: Quad): Quad {
  const r = (v: number) => Math.round(v * 10) / 10;
  return quad.map(([x, y]) => [r(x), r(y)]) as Quad;
}

