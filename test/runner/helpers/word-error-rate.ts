import { readFileSync } from "node:fs";

/**
 * test/fixtures/speech-sentence.wav: espeak-ng (`espeak-ng -v en-us -s 150 -w`) speaking SPOKEN_SENTENCE,
 * resampled by ffmpeg to 16 kHz mono 16-bit PCM (3.69 s). Made once; tests need neither espeak-ng nor ffmpeg for it.
 */
export const SPOKEN_SENTENCE = "Please remember to buy milk and bread on the way home.";
export const SPOKEN_SENTENCE_WAV = new Uint8Array(readFileSync(new URL("../../fixtures/speech-sentence.wav", import.meta.url)));

/** Lower-case words without punctuation. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}' ]+/gu, " ")
    .split(/\s+/)
    .filter((w) => w !== "");
}

/** Word error rate: (substitutions + deletions + insertions) / reference words, by word-level edit distance. */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const ref = words(reference);
  const hyp = words(hypothesis);
  if (ref.length === 0) return hyp.length === 0 ? 0 : 1;
  let previous = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const row = [i];
    for (let j = 1; j <= hyp.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[hyp.length] / ref.length;
}
