import * as ort from "onnxruntime-node";
import type { RgbImage } from "../../media/image";
import { resizeRgb } from "../../media/resize";
import { ctcGreedyDecode, type DecodedText } from "./ctc";
import { writeRecognizerSlot } from "./preprocess";

/** The recogniser's input height, fixed by the model. */
export const REC_HEIGHT = 48;
/** The narrowest input PaddleOCR feeds (rec_image_shape 3,48,320); shorter lines are right-padded to it. */
const REC_MIN_WIDTH = 320;
/** PaddleOCR's rec_batch_num: lines are sorted by aspect ratio first, so a batch pads little. */
const REC_BATCH_SIZE = 6;

export interface RecognitionHooks {
  checkCancelled(): void;
  /** Called after each batch with the number of crops recognised so far. */
  onProgress(done: number): void;
}

/** Reads the text of each crop (one text line per crop) with the PP-OCR recogniser and greedy CTC decoding. */
export async function recognizeCrops(
  session: ort.InferenceSession,
  crops: RgbImage[],
  characters: readonly string[],
  hooks: RecognitionHooks,
): Promise<DecodedText[]> {
  const results: DecodedText[] = new Array(crops.length);
  const aspect = (i: number) => crops[i].width / crops[i].height;
  const order = crops.map((_, i) => i).sort((a, b) => aspect(a) - aspect(b));
  let done = 0;
  for (let start = 0; start < order.length; start += REC_BATCH_SIZE) {
    hooks.checkCancelled();
    const batch = order.slice(start, start + REC_BATCH_SIZE);
    const widest = Math.max(REC_MIN_WIDTH / REC_HEIGHT, ...batch.map(aspect));
    const inputWidth = Math.floor(REC_HEIGHT * widest);
    const data = new Float32Array(batch.length * 3 * REC_HEIGHT * inputWidth);
    batch.forEach((cropIndex, slot) => {
      const width = Math.min(inputWidth, Math.max(1, Math.ceil(REC_HEIGHT * aspect(cropIndex))));
      writeRecognizerSlot(data, slot, resizeRgb(crops[cropIndex], width, REC_HEIGHT), inputWidth);
    });
    const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", data, [batch.length, 3, REC_HEIGHT, inputWidth]) };
    const output = (await session.run(feeds))[session.outputNames[0]];
    const [, steps, classes] = output.dims as number[];
    const probs = output.data as Float32Array;
    batch.forEach((cropIndex, slot) => {
      results[cropIndex] = ctcGreedyDecode(probs, slot * steps * classes, steps, classes, characters);
    });
    done += batch.length;
    hooks.onProgress(done);
  }
  return results;
}
