/**
 * Sample media made on the spot for trying workflow files whose media inputs are left empty (a user would pick
 * a file): a PNG gradient (sharp), a spoken-word-free tone WAV, and a short H.264 MP4 (the packaged ffmpeg).
 * Used by scripts/check-examples.ts and scripts/loopback-providers.ts; a development aid, not the product.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";

export interface SampleMedia {
  image: Uint8Array;
  audio: Uint8Array;
  video: Uint8Array;
}

/** Mono 16-bit PCM samples as a WAV file. */
export function monoWav(samples: Int16Array, rate: number): Buffer {
  const frames = samples.length;
  const b = Buffer.alloc(44 + frames * 2);
  b.write("RIFF", 0);
  b.writeUInt32LE(36 + frames * 2, 4);
  b.write("WAVEfmt ", 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36);
  b.writeUInt32LE(frames * 2, 40);
  for (let f = 0; f < frames; f++) b.writeInt16LE(samples[f], 44 + f * 2);
  return b;
}

/** A 1 s, 440 Hz tone at 16 kHz mono. */
function toneWav(seconds = 1, rate = 16_000): Uint8Array {
  const samples = Int16Array.from({ length: Math.trunc(seconds * rate) }, (_, f) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * f) / rate)));
  return monoWav(samples, rate);
}

/** A 1 s, 10 fps, 64x48 test pattern with a silent-free video track only. */
function testVideo(): Uint8Array {
  const ffmpeg = (createRequire(import.meta.url)("@ffmpeg-installer/ffmpeg") as { path: string }).path;
  const dir = mkdtempSync(path.join(tmpdir(), "sample-media-"));
  try {
    const out = path.join(dir, "sample.mp4");
    execFileSync(ffmpeg, ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-t", "1", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-movflags", "+faststart", out]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function makeSampleMedia(): Promise<SampleMedia> {
  const width = 256;
  const height = 192;
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set([x, y, 255 - x], (y * width + x) * 3);
  }
  const image = await sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return { image, audio: toneWav(), video: testVideo() };
}

/** A media ref NodeTool accepts as an input value: the bytes inline as a data URI. */
export function dataRef(type: "image" | "audio" | "video", bytes: Uint8Array): { type: string; uri: string } {
  const mime = type === "image" ? "image/png" : type === "audio" ? "audio/wav" : "video/mp4";
  return { type, uri: `data:${mime};base64,${Buffer.from(bytes).toString("base64")}` };
}
