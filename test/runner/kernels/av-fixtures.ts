import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PNG } from "pngjs";
import { ffmpegPath } from "../../../gpu-runner/src/kernels/audio/ffmpeg";

/** Test media made here: 16-bit PCM WAVs written byte by byte, PNGs by pngjs, other containers by ffmpeg itself. */

export interface Wav {
  sampleRate: number;
  channels: number;
  /** Interleaved. */
  samples: Int16Array;
}

export function wav(sampleRate: number, channels: number, frames: number, sample: (frame: number, channel: number) => number): Uint8Array {
  const b = Buffer.alloc(44 + frames * channels * 2);
  b.write("RIFF", 0);
  b.writeUInt32LE(36 + frames * channels * 2, 4);
  b.write("WAVEfmt ", 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * channels * 2, 28);
  b.writeUInt16LE(channels * 2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36);
  b.writeUInt32LE(frames * channels * 2, 40);
  for (let f = 0; f < frames; f++) for (let c = 0; c < channels; c++) b.writeInt16LE(sample(f, c), 44 + (f * channels + c) * 2);
  return new Uint8Array(b);
}

/** Reads a PCM WAV by walking its chunks (ffmpeg's own WAVs carry a LIST chunk before `data`). */
export function readWav(bytes: Uint8Array): Wav {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.toString("ascii", 0, 4) !== "RIFF" || b.toString("ascii", 8, 12) !== "WAVE") throw new Error("not a WAV");
  let at = 12;
  let channels = 0;
  let sampleRate = 0;
  while (at + 8 <= b.length) {
    const id = b.toString("ascii", at, at + 4);
    const size = b.readUInt32LE(at + 4);
    if (id === "fmt ") {
      channels = b.readUInt16LE(at + 10);
      sampleRate = b.readUInt32LE(at + 12);
      if (b.readUInt16LE(at + 22) !== 16) throw new Error("not 16-bit");
    } else if (id === "data") {
      const samples = new Int16Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = b.readInt16LE(at + 8 + 2 * i);
      return { sampleRate, channels, samples };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error("no data chunk");
}

export const tone = (sampleRate: number, seconds: number, hz: number, amplitude: number) =>
  wav(sampleRate, 1, Math.round(sampleRate * seconds), (f) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * f) / sampleRate)));

export function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Uint8Array {
  const img = new PNG({ width, height });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) img.data.set([...pixel(x, y), 255], (y * width + x) * 4);
  return new Uint8Array(PNG.sync.write(img));
}

export function readPng(bytes: Uint8Array) {
  const img = PNG.sync.read(Buffer.from(bytes));
  return { width: img.width, height: img.height, rgb: (x: number, y: number) => [...img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3)] };
}

/** Runs the packaged ffmpeg on `input` (written with `inExt`) and returns what it wrote to `out.<outExt>`. */
export function ffmpegConvert(input: Uint8Array, inExt: string, outExt: string, args: string[]): Uint8Array {
  const dir = mkdtempSync(path.join(tmpdir(), "av-test-"));
  try {
    writeFileSync(path.join(dir, `in.${inExt}`), input);
    execFileSync(ffmpegPath(), ["-hide_banner", "-loglevel", "error", "-y", "-i", path.join(dir, `in.${inExt}`), ...args, path.join(dir, `out.${outExt}`)]);
    return new Uint8Array(readFileSync(path.join(dir, `out.${outExt}`)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
