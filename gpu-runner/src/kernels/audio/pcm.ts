/**
 * 16-bit PCM as NodeTool's audio nodes handle it: pydub AudioSegments (nodetool-base
 * src/nodetool/nodes/nodetool/audio.py). Positions are milliseconds turned into frames by truncation, gains go
 * through audioop (scaled, floored and clipped to the 16-bit range), and overlays add with saturation.
 */
export interface Pcm {
  sampleRate: number;
  channels: number;
  /** Interleaved frames. */
  data: Int16Array;
}

export const frameCount = (p: Pcm) => p.data.length / p.channels;
/** pydub len(): milliseconds, rounded. */
export const lengthMs = (p: Pcm) => Math.round((1000 * frameCount(p)) / p.sampleRate);

/** audioop's fbound for 16-bit samples: clip, then floor. */
const bound = (v: number) => (v > 32767 ? 32767 : v < -32767 ? -32768 : Math.floor(v));

/** pydub frame_count(ms=...): ms * rate / 1000, truncated. */
const msToFrame = (p: Pcm, ms: number) => Math.trunc(ms * (p.sampleRate / 1000));

/** pydub `segment[start_ms:end_ms]`: negatives count from the end; both are clipped to the length. */
export function slice(p: Pcm, startMs: number, endMs: number): Pcm {
  const len = lengthMs(p);
  const position = (ms: number) => {
    const clipped = Math.min(ms, len);
    return msToFrame(p, clipped < 0 ? len - Math.abs(clipped) : clipped);
  };
  const total = frameCount(p);
  const a = Math.max(0, Math.min(total, position(startMs)));
  const b = Math.max(a, Math.min(total, position(endMs)));
  return { ...p, data: p.data.slice(a * p.channels, b * p.channels) };
}

export function applyGain(p: Pcm, db: number): Pcm {
  const factor = 10 ** (db / 20);
  const out = new Int16Array(p.data.length);
  for (let i = 0; i < out.length; i++) out[i] = bound(p.data[i] * factor);
  return { ...p, data: out };
}

/**
 * pydub AudioSegment.fade: the gain ramps linearly (in amplitude) from `from` to `to`; fades longer than 100 ms
 * step once per millisecond, shorter ones once per frame. Outside the fade, the `from` gain applies before it.
 */
export function fade(p: Pcm, fromDb: number, toDb: number, startMs: number, durationMs: number): Pcm {
  const len = lengthMs(p);
  const start = Math.max(0, Math.min(startMs, len));
  const end = Math.min(start + durationMs, len);
  const duration = end - start;
  const fromPower = 10 ** (fromDb / 20);
  const delta = 10 ** (toDb / 20) - fromPower;
  const out = new Int16Array(p.data);
  const scaleFrames = (a: number, b: number, factor: number) => {
    for (let i = a * p.channels; i < b * p.channels; i++) out[i] = bound(p.data[i] * factor);
  };
  if (fromDb !== 0) scaleFrames(0, msToFrame(p, start), fromPower);
  if (duration > 100) {
    const step = delta / duration;
    for (let i = 0; i < duration; i++) scaleFrames(msToFrame(p, start + i), msToFrame(p, start + i + 1), fromPower + step * i);
  } else {
    const a = msToFrame(p, start);
    const frames = msToFrame(p, end) - a;
    const step = delta / frames;
    for (let i = 0; i < frames; i++) scaleFrames(a + i, a + i + 1, fromPower + step * i);
  }
  if (toDb !== 0) scaleFrames(msToFrame(p, end), frameCount(p), 10 ** (toDb / 20));
  return { ...p, data: out };
}

/** pydub fade_in(duration): from -120 dB at the start to unity. */
export const fadeIn = (p: Pcm, durationMs: number) => fade(p, -120, 0, 0, durationMs);
/** pydub fade_out(duration): from unity to -120 dB at the end, which stays there (nothing follows). */
export const fadeOut = (p: Pcm, durationMs: number) => fade(p, 0, -120, Math.max(0, lengthMs(p) - durationMs), durationMs);

export function reverse(p: Pcm): Pcm {
  const frames = frameCount(p);
  const out = new Int16Array(p.data.length);
  for (let f = 0; f < frames; f++) out.set(p.data.subarray(f * p.channels, (f + 1) * p.channels), (frames - 1 - f) * p.channels);
  return { ...p, data: out };
}

export function concat(parts: Pcm[]): Pcm {
  const total = parts.reduce((n, q) => n + q.data.length, 0);
  const out = new Int16Array(total);
  let at = 0;
  for (const q of parts) {
    out.set(q.data, at);
    at += q.data.length;
  }
  return { sampleRate: parts[0].sampleRate, channels: parts[0].channels, data: out };
}

/** audioop.tomono(l, r) with factors, or one channel of split_to_mono(). Multi-channel audio keeps channel 0/1. */
export function toMono(p: Pcm, method: "average" | "left" | "right"): Pcm {
  if (p.channels === 1) return p;
  const frames = frameCount(p);
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    const l = p.data[f * p.channels];
    const r = p.data[f * p.channels + 1];
    out[f] = method === "left" ? l : method === "right" ? r : bound(l * 0.5 + r * 0.5);
  }
  return { sampleRate: p.sampleRate, channels: 1, data: out };
}

/** set_channels(2) of mono audio: both channels carry the sample. */
export function toStereo(p: Pcm): Pcm {
  if (p.channels !== 1) return p;
  const out = new Int16Array(p.data.length * 2);
  for (let f = 0; f < p.data.length; f++) out[2 * f] = out[2 * f + 1] = p.data[f];
  return { sampleRate: p.sampleRate, channels: 2, data: out };
}

/** pydub overlay(other, position=0): `other` added on top, clipped; the result keeps `base`'s length. */
export function overlay(base: Pcm, other: Pcm): Pcm {
  const out = new Int16Array(base.data);
  const n = Math.min(out.length, other.data.length);
  for (let i = 0; i < n; i++) {
    const s = base.data[i] + other.data[i];
    out[i] = s > 32767 ? 32767 : Math.max(s , -32768);
  }
  return { ...base, data: out };
}

/** Peak normalisation: the loudest sample reaches full scale (silence stays silent). */
export function normalize(p: Pcm): Pcm {
  let peak = 0;
  for (const s of p.data) peak = Math.max(peak, Math.abs(s));
  if (peak === 0) return p;
  const gain = 32767 / peak;
  const out = new Int16Array(p.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(p.data[i] * gain)));
  return { ...p, data: out };
}

export function silence(durationMs: number, sampleRate = 11025): Pcm {
  return { sampleRate, channels: 1, data: new Int16Array(Math.trunc(durationMs * (sampleRate / 1000))) };
}

/** A canonical 44-byte-header PCM WAV, in an ArrayBuffer of its own. */
export function encodeWav(p: Pcm): Uint8Array {
  const bytes = p.data.length * 2;
  const buf = new ArrayBuffer(44 + bytes);
  const v = new DataView(buf);
  const ascii = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  v.setUint32(4, 36 + bytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, p.channels, true);
  v.setUint32(24, p.sampleRate, true);
  v.setUint32(28, p.sampleRate * p.channels * 2, true);
  v.setUint16(32, p.channels * 2, true);
  v.setUint16(34, 16, true);
  ascii(36, "data");
  v.setUint32(40, bytes, true);
  new Int16Array(buf, 44).set(p.data);
  return new Uint8Array(buf);
}
