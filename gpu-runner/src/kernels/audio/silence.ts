import { fade, frameCount, lengthMs, type Pcm, silence } from "./pcm";

/**
 * NodeTool's RemoveSilence (nodetool-core src/nodetool/media/audio/audio_helpers.py remove_silence) on pydub's
 * primitives: pydub.silence.detect_nonsilent (a min_length-ms window stepped by 1 ms, silent where its audioop
 * RMS is at most the threshold), the silent gaps cut to max(gap x (1 - reduction), min_silence_between_parts),
 * and the pieces joined pairwise (divide and conquer) by AudioSegment.append with a crossfade.
 */

export interface RemoveSilenceOptions {
  minLength: number;
  thresholdDb: number;
  reductionFactor: number;
  crossfade: number;
  minSilenceBetweenParts: number;
}

/** pydub frame_count(ms=...) as an index: ms * rate / 1000, truncated. */
const frameAt = (p: Pcm, ms: number) => Math.trunc(ms * (p.sampleRate / 1000));

/**
 * pydub `segment[start:end]` (ms; end undefined: to len()): positions clipped to len(), negatives from the end;
 * frames past the data (len() rounds up) are padded with silence, as pydub pads up to 2 ms.
 */
export function pySlice(p: Pcm, startMs: number, endMs?: number): Pcm {
  const len = lengthMs(p);
  const position = (ms: number) => {
    const clipped = Math.min(ms, len);
    return frameAt(p, clipped < 0 ? len - Math.abs(clipped) : clipped);
  };
  const a = position(startMs);
  const b = position(endMs ?? len);
  const out = new Int16Array(Math.max(0, b - a) * p.channels);
  const total = frameCount(p);
  if (a < total && b > a) out.set(p.data.subarray(a * p.channels, Math.min(b, total) * p.channels));
  return { ...p, data: out };
}

/** pydub.silence.detect_silence with seek_step 1: [start, end] ms ranges. */
export function detectSilence(p: Pcm, minSilenceLen: number, thresholdDb: number): Array<[number, number]> {
  const len = lengthMs(p);
  if (len < minSilenceLen) return [];
  const threshold = 10 ** (thresholdDb / 20) * 32768;
  const total = frameCount(p);
  const starts: number[] = [];
  // A running sum of squared samples over the window's frames: exact, since it stays far below 2^53.
  let sum = 0;
  let from = 0;
  let to = 0;
  const move = (a: number, b: number) => {
    for (; to < Math.min(b, total); to++) for (let c = 0; c < p.channels; c++) sum += p.data[to * p.channels + c] ** 2;
    for (; from < Math.min(a, to); from++) for (let c = 0; c < p.channels; c++) sum -= p.data[from * p.channels + c] ** 2;
  };
  for (let i = 0; i <= len - minSilenceLen; i++) {
    const a = frameAt(p, Math.min(i, len));
    const b = frameAt(p, Math.min(i + minSilenceLen, len));
    move(a, b);
    // audioop.rms: int(sqrt(sum / samples)); pydub's padding frames count as samples of value 0.
    const samples = Math.max(0, b - a) * p.channels;
    const rms = samples === 0 ? 0 : Math.trunc(Math.sqrt(sum / samples));
    if (rms <= threshold) starts.push(i);
  }
  if (starts.length === 0) return [];
  const ranges: Array<[number, number]> = [];
  let prev = starts[0];
  let rangeStart = prev;
  for (const s of starts.slice(1)) {
    if (s !== prev + 1 && s > prev + minSilenceLen) {
      ranges.push([rangeStart, prev + minSilenceLen]);
      rangeStart = s;
    }
    prev = s;
  }
  ranges.push([rangeStart, prev + minSilenceLen]);
  return ranges;
}

/** pydub.silence.detect_nonsilent: the gaps between silent ranges. */
export function detectNonsilent(p: Pcm, minSilenceLen: number, thresholdDb: number): Array<[number, number]> {
  const silent = detectSilence(p, minSilenceLen, thresholdDb);
  const len = lengthMs(p);
  if (silent.length === 0) return [[0, len]];
  if (silent[0][0] === 0 && silent[0][1] === len) return [];
  const ranges: Array<[number, number]> = [];
  let prevEnd = 0;
  for (const [start, end] of silent) {
    ranges.push([prevEnd, start]);
    prevEnd = end;
  }
  if (silent[silent.length - 1][1] !== len) ranges.push([prevEnd, len]);
  if (ranges[0][0] === 0 && ranges[0][1] === 0) ranges.shift();
  return ranges;
}

/** pydub `a.append(b, crossfade)`: a's tail faded out and b's head faded in, overlaid (b looped over a's tail). */
export function appendCrossfade(a: Pcm, b: Pcm, crossfade: number): Pcm {
  const parts: Pcm[] = [];
  if (crossfade === 0) parts.push(a, b);
  else {
    const tail = pySlice(a, -crossfade);
    const xf = fade(tail, 0, -120, 0, lengthMs(tail));
    const head = pySlice(b, 0, crossfade);
    const inFade = fade(head, -120, 0, 0, lengthMs(head));
    const mixed = new Int16Array(xf.data);
    if (inFade.data.length > 0) {
      for (let i = 0; i < mixed.length; i++) {
        const s = xf.data[i] + inFade.data[i % inFade.data.length];
        mixed[i] = Math.min(32767, Math.max(-32768, s));
      }
    }
    parts.push(pySlice(a, 0, -crossfade), { ...a, data: mixed }, pySlice(b, crossfade));
  }
  const out = new Int16Array(parts.reduce((n, q) => n + q.data.length, 0));
  let at = 0;
  for (const q of parts) {
    out.set(q.data, at);
    at += q.data.length;
  }
  return { ...a, data: out };
}

export function removeSilence(p: Pcm, o: RemoveSilenceOptions): Pcm {
  const ranges = detectNonsilent(p, o.minLength, o.thresholdDb);
  // NodeTool: all silent gives AudioSegment.silent(duration=0), pydub's 11025 Hz mono empty segment.
  if (ranges.length === 0) return silence(0);
  const len = lengthMs(p);
  const segments: Pcm[] = [];
  const gap = (from: number, duration: number) => {
    const kept = Math.max(duration * (1 - o.reductionFactor), o.minSilenceBetweenParts);
    segments.push(pySlice(p, from, from + Math.trunc(kept)));
  };
  let prevEnd = 0;
  for (const [start, end] of ranges) {
    if (start - prevEnd > 0) gap(prevEnd, start - prevEnd);
    segments.push(pySlice(p, start, end));
    prevEnd = end;
  }
  if (prevEnd < len) gap(prevEnd, len - prevEnd);
  const merge = (segs: Pcm[]): Pcm => {
    if (segs.length === 1) return segs[0];
    const mid = segs.length === 2 ? 1 : Math.trunc(segs.length / 2);
    const left = merge(segs.slice(0, mid));
    const right = merge(segs.slice(mid));
    return appendCrossfade(left, right, Math.min(o.crossfade, lengthMs(left), lengthMs(right)));
  };
  return merge(segments);
}
