import { resampleMono } from "./resample";
import { decodeWav, mixToMono } from "./wav";

/** WAV bytes -> mono float samples at `sampleRate`, whatever rate, depth and channel count the file has. */
export function decodeWavToMono(bytes: Uint8Array, sampleRate: number): Float32Array {
  const decoded = decodeWav(bytes);
  return resampleMono(mixToMono(decoded.channels), decoded.sampleRate, sampleRate);
}
