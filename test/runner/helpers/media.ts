import { PNG } from "pngjs";

/** A mono 16-bit PCM WAV file of `samples` (in [-1, 1]) at `sampleRate`. */
export function wavPcm16(samples: Float32Array, sampleRate: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((ch, i) => view.setUint8(offset + i, ch.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => view.setInt16(44 + i * 2, Math.max(-1, Math.min(1, s)) * 32767, true));
  return bytes;
}

/** `seconds` of a quiet 220 Hz tone at 16 kHz: valid audio for plumbing tests (not meant to hold speech). */
export function toneWav(seconds: number, sampleRate = 16000): Uint8Array<ArrayBuffer> {
  const samples = new Float32Array(Math.round(seconds * sampleRate)).map((_, i) => 0.1 * Math.sin((2 * Math.PI * 220 * i) / sampleRate));
  return wavPcm16(samples, sampleRate);
}

/** A plain white PNG: an image the OCR kernel reads no text from. */
export function whitePng(width: number, height: number): Uint8Array<ArrayBuffer> {
  const png = new PNG({ width, height });
  png.data.fill(255);
  return new Uint8Array(PNG.sync.write(png));
}
