export interface DecodedText {
  text: string;
  /** Mean of the winning class probabilities at the emitted characters; 0 when nothing was emitted. */
  score: number;
}

/**
 * Greedy CTC decoding of one sequence: take the most likely class at each time step, merge repeats, drop blanks
 * (class 0). `probs` holds `steps` x `classes` softmax outputs starting at `offset`.
 */
export function ctcGreedyDecode(
  probs: Float32Array,
  offset: number,
  steps: number,
  classes: number,
  characters: readonly string[],
): DecodedText {
  let text = "";
  let scoreSum = 0;
  let emitted = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const row = offset + t * classes;
    let best = 0;
    let bestProb = probs[row];
    for (let c = 1; c < classes; c++) {
      if (probs[row + c] > bestProb) {
        bestProb = probs[row + c];
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += characters[best] ?? "";
      scoreSum += bestProb;
      emitted++;
    }
    previous = best;
  }
  return { text, score: emitted > 0 ? scoreSum / emitted : 0 };
}
