import { readFileSync } from "node:fs";
import { paddleOcrDictionaryPath } from "../builtin-models";

let cached: readonly string[] | null = null;

/**
 * The recogniser's CTC classes, as PaddleOCR's CTCLabelDecode builds them: class 0 is the CTC blank, classes
 * 1..n are the lines of ppocr_keys_v1.txt, and a space is appended last (`use_space_char`), giving the 6625
 * classes of the model's softmax. Read once per worker thread.
 */
export function ctcCharacters(): readonly string[] {
  if (cached) return cached;
  const lines = readFileSync(paddleOcrDictionaryPath(), "utf8").split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  cached = ["", ...lines, " "];
  return cached;
}
