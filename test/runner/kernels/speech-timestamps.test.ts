import { describe, expect, it } from "vitest";
import { speechSegments } from "../../../gpu-runner/src/kernels/vad/speech-timestamps";

const OPTIONS = { threshold: 0.5, min_speech_duration_ms: 250, min_silence_duration_ms: 100, speech_pad_ms: 30 };
const WINDOW = 512;
const RATE = 16000;

/** Probabilities from a string, one character per 512-sample window: "#" speech (0.9), "." silence (0.05), "~" 0.4. */
function probs(pattern: string): number[] {
  return [...pattern].map((c) => (c === "#" ? 0.9 : c === "~" ? 0.4 : 0.05));
}

function segments(pattern: string, options = OPTIONS) {
  return speechSegments(probs(pattern), WINDOW, pattern.length * WINDOW, RATE, options);
}

const PAD = (RATE * 30) / 1000;

describe("get_speech_timestamps", () => {
  it("finds one padded segment", () => {
    // Speech in windows 10..29 (20 windows = 640 ms).
    const pattern = ".".repeat(10) + "#".repeat(20) + ".".repeat(20);
    expect(segments(pattern)).toEqual([{ start: 10 * WINDOW - PAD, end: 30 * WINDOW + PAD }]);
  });

  it("keeps speech going through dips above threshold - 0.15 and short pauses", () => {
    // A 192 ms dip to 0.4 stays above the 0.35 end threshold; a 2-window (64 ms) pause is shorter than the
    // 100 ms of silence that ends speech.
    const pattern = ".".repeat(5) + "#".repeat(10) + "~".repeat(6) + "#".repeat(5) + ".." + "#".repeat(10) + ".".repeat(20);
    expect(segments(pattern)).toHaveLength(1);
  });

  it("splits at long pauses and drops segments shorter than min_speech_duration_ms", () => {
    // 6 windows = 192 ms of speech is too short; the two 640 ms stretches, 20 windows apart, are separate.
    const pattern = ".".repeat(5) + "#".repeat(6) + ".".repeat(20) + "#".repeat(20) + ".".repeat(20) + "#".repeat(20) + ".".repeat(10);
    const found = segments(pattern);
    expect(found).toHaveLength(2);
    expect(found[0].start).toBe(31 * WINDOW - PAD);
    expect(found[1].end).toBe(91 * WINDOW + PAD);
  });

  it("splits the gap between close segments instead of overlapping their padding", () => {
    const options = { ...OPTIONS, min_silence_duration_ms: 30, speech_pad_ms: 100 };
    const pattern = "#".repeat(20) + "..." + "#".repeat(20) + "....";
    const [first, second] = segments(pattern, options);
    expect(first.start).toBe(0);
    expect(first.end).toBe(second.start);
  });

  it("closes speech that runs to the end of the audio, and finds nothing in silence", () => {
    const pattern = ".".repeat(10) + "#".repeat(20);
    expect(segments(pattern)).toEqual([{ start: 10 * WINDOW - PAD, end: 30 * WINDOW }]);
    expect(segments(".".repeat(50))).toEqual([]);
    expect(segments("")).toEqual([]);
  });
});
