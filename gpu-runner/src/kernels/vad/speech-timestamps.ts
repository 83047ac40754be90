export interface SpeechTimestampOptions {
  /** Speech starts when a window's probability reaches this. */
  threshold: number;
  /** Segments shorter than this are dropped. */
  min_speech_duration_ms: number;
  /** Speech ends only after the probability stays below threshold - 0.15 this long. */
  min_silence_duration_ms: number;
  /** Added on both sides of each segment (split evenly when two segments are closer than twice this). */
  speech_pad_ms: number;
}

/** A speech segment in samples: [start, end). */
export interface SampleSegment {
  start: number;
  end: number;
}

/**
 * Silero's get_speech_timestamps, from per-window speech probabilities: hysteresis between `threshold` (start)
 * and `threshold - 0.15` (end), a minimum silence before a segment closes, a minimum segment length, then
 * padding. Differences from the Python original: no max_speech_duration splitting (the request has no such
 * option, so segments are never cut), which also makes its prev_end/next_start bookkeeping unnecessary.
 */
export function speechSegments(
  probabilities: ArrayLike<number>,
  windowSize: number,
  totalSamples: number,
  sampleRate: number,
  options: SpeechTimestampOptions,
): SampleSegment[] {
  const minSpeechSamples = (sampleRate * options.min_speech_duration_ms) / 1000;
  const minSilenceSamples = (sampleRate * options.min_silence_duration_ms) / 1000;
  const padSamples = Math.floor((sampleRate * options.speech_pad_ms) / 1000);
  const negThreshold = Math.max(options.threshold - 0.15, 0.01);

  const segments: SampleSegment[] = [];
  let triggered = false;
  let start = 0;
  // Where the current stretch of silence began, or 0 when none is pending (as in the original).
  let tempEnd = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    const position = i * windowSize;
    if (p >= options.threshold && tempEnd) tempEnd = 0;
    if (p >= options.threshold && !triggered) {
      triggered = true;
      start = position;
      continue;
    }
    if (p < negThreshold && triggered) {
      if (!tempEnd) tempEnd = position;
      if (position - tempEnd < minSilenceSamples) continue;
      if (tempEnd - start > minSpeechSamples) segments.push({ start, end: tempEnd });
      triggered = false;
      tempEnd = 0;
    }
  }
  if (triggered && totalSamples - start > minSpeechSamples) segments.push({ start, end: totalSamples });

  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (i === 0) segment.start = Math.max(0, segment.start - padSamples);
    if (i < segments.length - 1) {
      const next = segments[i + 1];
      const gap = next.start - segment.end;
      if (gap < 2 * padSamples) {
        segment.end += Math.floor(gap / 2);
        next.start = Math.max(0, next.start - Math.floor(gap / 2));
      } else {
        segment.end = Math.min(totalSamples, segment.end + padSamples);
        next.start = Math.max(0, next.start - padSamples);
      }
    } else {
      segment.end = Math.min(totalSamples, segment.end + padSamples);
    }
  }
  return segments;
}
