import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ffmpegPath } from "../../../gpu-runner/src/kernels/audio/ffmpeg";
import { videoKernel } from "../../../gpu-runner/src/kernels/video";
import { atempoChain } from "../../../gpu-runner/src/kernels/video/filters";
import type { VideoOp } from "../../../schema/media-av";
import { InferRequestSchema } from "../../../schema/runner";
import { png, readWav } from "./av-fixtures";
import { testContext } from "./context";

/**
 * NodeTool's one-filter video nodes on the video kernel. Clips are made here by ffmpeg from PNGs and lavfi
 * sources; results are decoded here to raw RGB and checked against values computed in the test from each
 * filter's definition, with a tolerance for H.264's yuv420p rounding.
 */

const dir = mkdtempSync(path.join(tmpdir(), "video-filters-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function run(media: Uint8Array[], op: VideoOp) {
  const parsed = InferRequestSchema.parse({ kernel: "video", media, op });
  if (parsed.kernel !== "video") throw new Error("not a video request");
  const result = await videoKernel.run(parsed, testContext());
  expect(result.outputs[0].content_type).toBe("video/mp4");
  return result.outputs[0].data;
}

function ffmpeg(args: string[]): void {
  execFileSync(ffmpegPath(), ["-hide_banner", "-loglevel", "error", "-y", ...args]);
}

/** An H.264 clip of one still image, `seconds` long at 10 fps, with a 440 Hz tone when `audio`. */
function still(image: Uint8Array, seconds: number, audio = false): Uint8Array {
  const file = path.join(dir, `in${n++}.png`);
  const outFile = path.join(dir, `clip${n++}.mp4`);
  writeFileSync(file, image);
  const sound = audio ? ["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=16000:duration=${seconds}`] : [];
  ffmpeg(["-loop", "1", "-framerate", "10", "-i", file, ...sound, "-t", String(seconds), "-c:v", "libx264", "-pix_fmt", "yuv420p", ...(audio ? ["-c:a", "aac"] : []), outFile]);
  return new Uint8Array(readFileSync(outFile));
}

/** A clip from a lavfi source graph. */
function lavfi(graph: string): Uint8Array {
  const outFile = path.join(dir, `lavfi${n++}.mp4`);
  ffmpeg(["-f", "lavfi", "-i", graph, "-c:v", "libx264", "-pix_fmt", "yuv420p", outFile]);
  return new Uint8Array(readFileSync(outFile));
}

/** What `ffmpeg -i` reports (the stand-in for ffprobe): duration, size, streams. */
function probe(mp4: Uint8Array) {
  const file = path.join(dir, `probe${n++}.mp4`);
  writeFileSync(file, mp4);
  const stderr = spawnSync(ffmpegPath(), ["-hide_banner", "-i", file], { encoding: "utf8" }).stderr;
  const d = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(stderr)!;
  const size = /Video: .*?, (\d+)x(\d+)/.exec(stderr)!;
  return { duration: Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]), width: Number(size[1]), height: Number(size[2]), hasAudio: /Audio: /.test(stderr) };
}

/** Every frame decoded to RGB: frames[i](x, y) is [r, g, b]. */
function frames(mp4: Uint8Array) {
  const { width, height } = probe(mp4);
  const file = path.join(dir, `dec${n++}.mp4`);
  writeFileSync(file, mp4);
  const raw = execFileSync(ffmpegPath(), ["-hide_banner", "-loglevel", "error", "-i", file, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], { maxBuffer: 256 * 1024 ** 2 });
  const size = width * height * 3;
  return Array.from({ length: raw.length / size }, (_, i) => (x: number, y: number) => [...raw.subarray(i * size + (y * width + x) * 3, i * size + (y * width + x) * 3 + 3)]);
}

function audioSeconds(mp4: Uint8Array): number {
  const file = path.join(dir, `aud${n++}.mp4`);
  const wavFile = path.join(dir, `aud${n++}.wav`);
  writeFileSync(file, mp4);
  ffmpeg(["-i", file, "-vn", "-acodec", "pcm_s16le", wavFile]);
  const wav = readWav(new Uint8Array(readFileSync(wavFile)));
  return wav.samples.length / wav.channels / wav.sampleRate;
}

const close = (actual: number[], expected: number[], tolerance: number) => {
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]), `channel ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance));
};
const clamp = (v: number) => Math.min(255, Math.max(0, v));

describe("video filter ops", () => {
  it("blur: boxblur with radius = strength, applied twice (luma_power 2), on a vertical edge", async () => {
    const edge = still(png(64, 32, (x) => (x < 32 ? [0, 0, 0] : [255, 255, 255])), 0.5);
    const out = frames(await run([edge], { op: "blur", strength: 4 }));
    expect(out.length).toBe(5);
    // Reference: a 9-wide box mean run twice along the row (columns are uniform, so vertical passes change nothing).
    const row = Array.from({ length: 64 }, (_, x) => (x < 32 ? 0 : 255));
    const box = (r: number[]) => r.map((_, x) => (x < 4 || x > 59 ? r[x] : r.slice(x - 4, x + 5).reduce((a, b) => a + b) / 9));
    const expected = box(box(row));
    for (const x of [26, 29, 31, 32, 34, 37]) close([out[2](x, 16)[1]], [expected[x]], 10);
    expect(out[2](31, 16)[1]).toBeGreaterThan(80);
    expect(out[2](31, 16)[1]).toBeLessThan(175);
  });

  it("color balance: red_adjust 2 lifts a dark red channel by colorbalance's shadow weight, the others stay", async () => {
    const dark = still(png(32, 32, () => [51, 51, 51]), 0.3);
    const out = frames(await run([dark], { op: "color_balance", red: 2, green: 1, blue: 1 }));
    // colorbalance: v + s * clip((0.333 - v) * 4 + 0.5, 0, 1) * 0.7 for a value v (0..1) in the shadows.
    const v = 51 / 255;
    const red = (v + 1 * Math.min(1, Math.max(0, (0.333 - v) * 4 + 0.5)) * 0.7) * 255;
    close(out[1](16, 16), [clamp(red), 51, 51], 10);
  });

  it("denoise: nlmeans flattens per-frame noise around the same mean", async () => {
    const noisy = lavfi("color=c=0x808080:s=64x64:d=0.3:r=10,noise=alls=40:allf=t");
    const stats = (f: (x: number, y: number) => number[]) => {
      const v: number[] = [];
      for (let y = 8; y < 56; y++) for (let x = 8; x < 56; x++) v.push(f(x, y)[1]);
      const mean = v.reduce((a, b) => a + b) / v.length;
      return { mean, sd: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
    };
    const before = stats(frames(noisy)[1]);
    const after = stats(frames(await run([noisy], { op: "denoise", strength: 10 }))[1]);
    expect(before.sd).toBeGreaterThan(8);
    expect(after.sd).toBeLessThan(before.sd / 2);
    expect(Math.abs(after.mean - before.mean)).toBeLessThan(6);
  });

  it("rotate: clockwise by the angle in degrees, same frame size, corners black", async () => {
    const topWhite = still(png(64, 64, (_x, y) => (y < 32 ? [255, 255, 255] : [0, 0, 0])), 0.3);
    const quarter = await run([topWhite], { op: "rotate", angle: 90 });
    expect(probe(quarter)).toMatchObject({ width: 64, height: 64 });
    const f = frames(quarter)[1];
    // Clockwise: the top half turns into the right half.
    close(f(52, 32), [255, 255, 255], 12);
    close(f(12, 32), [0, 0, 0], 12);
    const white = still(png(64, 64, () => [255, 255, 255]), 0.3);
    const tilted = frames(await run([white], { op: "rotate", angle: 45 }))[1];
    close(tilted(32, 32), [255, 255, 255], 12);
    close(tilted(32, 3), [255, 255, 255], 12);
    close(tilted(2, 2), [0, 0, 0], 12);
  });

  it("saturation: eq scales the chroma around neutral (0 greys, 2 doubles)", async () => {
    const rgb = [200, 60, 60];
    const clip = still(png(32, 32, () => rgb as [number, number, number]), 0.3);
    // BT.601 luma and colour differences, chroma scaled, back to RGB.
    const [r, g, b] = rgb;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    const u = -0.168736 * r - 0.331264 * g + 0.5 * b;
    const v = 0.5 * r - 0.418688 * g - 0.081312 * b;
    const back = (s: number) => [clamp(y + 1.402 * v * s), clamp(y - 0.344136 * u * s - 0.714136 * v * s), clamp(y + 1.772 * u * s)];
    close(frames(await run([clip], { op: "saturation", saturation: 0 }))[1](16, 16), back(0), 8);
    close(frames(await run([clip], { op: "saturation", saturation: 2 }))[1](16, 16), back(2), 10);
  });

  it("sharpness: unsharp adds amount x (pixel - 5x5 binomial blur) across an edge", async () => {
    const edge = still(png(64, 32, (x) => (x < 32 ? [100, 100, 100] : [150, 150, 150])), 0.3);
    const f = frames(await run([edge], { op: "sharpness", luma: 2, chroma: 0.5 }))[1];
    // ffmpeg's 5-tap unsharp matrix is four passes of [1 1] along each axis: binomial weights 1 4 6 4 1 (/16).
    // out = in + amount * (in - blurred), per pixel of the row (columns are uniform).
    const row = Array.from({ length: 64 }, (_, x) => (x < 32 ? 100 : 150));
    const weights = [1, 4, 6, 4, 1];
    const sharpened = (x: number) => row[x] + 2 * (row[x] - weights.reduce((sum, w, k) => sum + w * row[x + k - 2], 0) / 16);
    for (const x of [29, 30, 31, 32, 33, 34]) close(f(x, 16), [sharpened(x), sharpened(x), sharpened(x)].map(clamp), 8);
    expect(f(31, 16)[0]).toBeLessThan(80);
    expect(f(32, 16)[0]).toBeGreaterThan(170);
    close(f(10, 16), [100, 100, 100], 6);
    const flat = frames(await run([edge], { op: "sharpness", luma: 0, chroma: 0 }))[1];
    close(flat(32, 16), [150, 150, 150], 6);
  });

  it("chroma key: NodeTool's keyed H.264 keeps no alpha plane and drops the audio track", async () => {
    const green = still(png(32, 32, () => [0, 255, 0]), 0.5, true);
    expect(probe(green).hasAudio).toBe(true);
    const keyed = await run([green], { op: "chroma_key", color: "#00FF00", similarity: 0.3, blend: 0.1 });
    expect(probe(keyed).hasAudio).toBe(false);
    const f = frames(keyed);
    expect(f.length).toBe(5);
    close(f[2](16, 16), [0, 255, 0], 12);
  });

  it("set speed: timestamps divided by the factor, audio through atempo steps of at most 2", async () => {
    expect(atempoChain(1)).toEqual([]);
    expect(atempoChain(5)).toEqual(["atempo=2.0", "atempo=2.0", "atempo=1.25"]);
    expect(atempoChain(0.2)).toEqual(["atempo=0.5", "atempo=0.5", "atempo=0.8"]);
    // One second red, then one second blue, with a tone throughout.
    const redBlue = path.join(dir, "rb.mp4");
    ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=32x32:r=10:d=1", "-f", "lavfi", "-i", "color=c=blue:s=32x32:r=10:d=1", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000:duration=2",
      "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]", "-map", "[v]", "-map", "2:a", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", redBlue]);
    const clip = new Uint8Array(readFileSync(redBlue));
    // About 2 s (the AAC track adds a few ms of encoder padding).
    expect(probe(clip).duration).toBeGreaterThan(1.95);
    expect(probe(clip).duration).toBeLessThan(2.15);
    const fast = await run([clip], { op: "set_speed", speed: 2 });
    // Half of 2 s; the MP4 muxer keeps the input's 10 fps, so ffmpeg may keep a frame or two past 1 s.
    expect(probe(fast).duration).toBeGreaterThan(0.95);
    expect(probe(fast).duration).toBeLessThan(1.25);
    expect(audioSeconds(fast)).toBeGreaterThan(0.95);
    expect(audioSeconds(fast)).toBeLessThan(1.15);
    const f = frames(fast);
    close(f[1](16, 16), [255, 0, 0], 40);
    close(f[f.length - 2](16, 16), [0, 0, 255], 40);
    const slow = await run([clip], { op: "set_speed", speed: 0.5 });
    expect(probe(slow).duration).toBeGreaterThan(3.8);
    expect(audioSeconds(slow)).toBeGreaterThan(3.9);
    expect(audioSeconds(slow)).toBeLessThan(4.2);
  });

  it("overlay: the second video scaled and drawn at (x, y), both tracks mixed", async () => {
    const main = still(png(64, 64, () => [0, 0, 0]), 0.5, true);
    const top = still(png(32, 32, () => [255, 255, 255]), 0.5, true);
    const out = await run([main, top], { op: "overlay", x: 10, y: 20, scale: 0.5, volume: 0.5 });
    expect(probe(out)).toMatchObject({ width: 64, height: 64, hasAudio: true });
    const f = frames(out)[2];
    // 32 x 0.5 = a 16 x 16 square over x 10..25, y 20..35.
    close(f(17, 27), [255, 255, 255], 12);
    close(f(5, 5), [0, 0, 0], 12);
    close(f(31, 27), [0, 0, 0], 12);
    close(f(17, 40), [0, 0, 0], 12);
  });

  it("stabilize: two-pass vidstab takes out a shaky camera's jumps between frames", async () => {
    // A textured scene filmed by a camera that jumps by up to 6 px between frames (a fixed pseudo-random walk).
    const texture = (x: number, y: number) => 128 + 60 * Math.sin(x / 5) * Math.cos(y / 7) + 50 * Math.sin((x + 2 * y) / 11);
    const shakes = [0, 5, -4, 6, -2, 4, -6, 3, -3, 5, -5, 2, -4, 6, 0, -3, 4, -6, 2, -2];
    const shots = shakes.map((dx, i) => png(96, 96, (x, y) => {
      const v = clamp(Math.round(texture(x + 20 + dx, y + 20 + shakes[(i + 7) % shakes.length])));
      return [v, v, v];
    }));
    const files = shots.map((img, i) => {
      const file = path.join(dir, `shake_${String(i).padStart(3, "0")}.png`);
      writeFileSync(file, img);
      return file;
    });
    const shaky = path.join(dir, "shaky.mp4");
    ffmpeg(["-framerate", "10", "-i", path.join(dir, "shake_%03d.png"), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "12", shaky]);
    expect(files).toHaveLength(20);
    const input = new Uint8Array(readFileSync(shaky));
    // Mean absolute change between consecutive frames over the centre, where no border can reach.
    const jitter = (clip: Uint8Array) => {
      const f = frames(clip);
      let total = 0;
      let count = 0;
      for (let i = 1; i < f.length; i++) for (let y = 30; y < 66; y += 2) for (let x = 30; x < 66; x += 2) {
        total += Math.abs(f[i](x, y)[1] - f[i - 1](x, y)[1]);
        count++;
      }
      return total / count;
    };
    const steady = await run([input], { op: "stabilize", smoothing: 30, crop_black: true });
    expect(probe(steady)).toMatchObject({ width: 96, height: 96 });
    expect(frames(steady)).toHaveLength(20);
    expect(jitter(steady)).toBeLessThan(jitter(input) / 2);
    // Still the scene, not a flat frame: the texture's contrast survives.
    const mid = frames(steady)[10];
    const values: number[] = [];
    for (let y = 30; y < 66; y++) for (let x = 30; x < 66; x++) values.push(mid(x, y)[1]);
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(100);
  });

  it("fails clearly on a missing stream or input", async () => {
    await expect(run([new TextEncoder().encode("not a video")], { op: "blur", strength: 2 })).rejects.toThrow(/not a media file/);
    await expect(run([still(png(16, 16, () => [0, 0, 0]), 0.2)], { op: "overlay", x: 0, y: 0, scale: 1, volume: 0.5 })).rejects.toThrow(/needs input 1/);
    expect(() => InferRequestSchema.parse({ kernel: "video", media: [], op: { op: "denoise", strength: 0 } })).toThrow();
  });
});
