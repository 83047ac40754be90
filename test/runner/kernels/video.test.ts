import { describe, expect, it } from "vitest";
import { CancelledError } from "../../../gpu-runner/src/kernels/types";
import { videoKernel } from "../../../gpu-runner/src/kernels/video";
import { subtitleSpans } from "../../../gpu-runner/src/kernels/video/subtitles";
import type { VideoOp } from "../../../schema/media-av";
import { InferRequestSchema } from "../../../schema/runner";
import { png, readPng, readWav, tone } from "./av-fixtures";
import { testContext } from "./context";

/**
 * The video kernel on clips it encodes from PNG frames made here. Frame counts, sizes and durations are known
 * from how the clips were made; colours are checked with a tolerance for H.264's yuv420p rounding.
 */

async function run(media: Uint8Array[], op: VideoOp, ctx = testContext()) {
  const parsed = InferRequestSchema.parse({ kernel: "video", media, op });
  if (parsed.kernel !== "video") throw new Error("not a video request");
  return videoKernel.run(parsed, ctx);
}

const COLORS: Array<[number, number, number]> = [
  [200, 30, 30],
  [30, 200, 30],
  [30, 30, 200],
  [220, 220, 40],
  [40, 220, 220],
  [128, 128, 128],
];
const FRAMES = COLORS.map((c) => png(32, 24, () => c));
const near = (a: number[], b: number[], tolerance = 12) => a.every((v, i) => Math.abs(v - b[i]) <= tolerance);

let clip: Uint8Array | undefined;
async function sixFrameClip() {
  clip ??= (await run(FRAMES, { op: "from_frames", fps: 6 })).outputs[0].data;
  return clip;
}

describe("video kernel", () => {
  it("encodes frames as H.264 MP4 at the given fps, with the frame count and size kept", async () => {
    const result = await run(FRAMES, { op: "from_frames", fps: 6 });
    expect(result.outputs[0].content_type).toBe("video/mp4");
    const { info } = await run([result.outputs[0].data], { op: "info" });
    expect(info).toMatchObject({ width: 32, height: 24, fps: 6, frame_count: 6, codec: "h264", has_audio: false });
    expect(info!.duration).toBeCloseTo(1, 1);
  });

  it("extracts frames start..end inclusive, in order, with the stream's fps", async () => {
    const result = await run([await sixFrameClip()], { op: "frames", start: 1, end: 3 });
    expect(result.fps).toBe(6);
    expect(result.outputs).toHaveLength(3);
    result.outputs.forEach((frame, i) => {
      const img = readPng(frame.data);
      expect([img.width, img.height]).toEqual([32, 24]);
      expect(near(img.rgb(16, 12), COLORS[1 + i])).toBe(true);
    });
    const all = await run([await sixFrameClip()], { op: "frames", start: 4, end: -1 });
    expect(all.outputs).toHaveLength(2);
  });

  it("extracts the frame shown at a time", async () => {
    const result = await run([await sixFrameClip()], { op: "extract_frame", time: 0.5 });
    expect(near(readPng(result.outputs[0].data).rgb(5, 5), COLORS[3])).toBe(true);
  });

  it("adds an audio track, and extracts it again as WAV", async () => {
    const withAudio = await run([await sixFrameClip(), tone(16000, 1, 440, 8000)], { op: "add_audio", volume: 1, mix: false });
    const { info } = await run([withAudio.outputs[0].data], { op: "info" });
    expect(info!.has_audio).toBe(true);
    expect(info!.frame_count).toBe(6);
    const audio = await run([withAudio.outputs[0].data], { op: "extract_audio" });
    const wav = readWav(audio.outputs[0].data);
    expect(wav.sampleRate).toBe(16000);
    // AAC adds encoder padding: about one second.
    expect(wav.samples.length / wav.channels / wav.sampleRate).toBeGreaterThan(0.95);
    expect(wav.samples.length / wav.channels / wav.sampleRate).toBeLessThan(1.2);
    const peak = Math.max(...wav.samples.slice(4000, 12000).map(Math.abs));
    expect(peak).toBeGreaterThan(6000);
    expect(peak).toBeLessThan(10000);
    await expect(run([await sixFrameClip()], { op: "extract_audio" })).rejects.toThrow(/no audio track/);
  });

  it("trims, resizes, reverses and concatenates", async () => {
    const reversed = await run([await sixFrameClip()], { op: "reverse" });
    const first = await run([reversed.outputs[0].data], { op: "frames", start: 0, end: 0 });
    expect(near(readPng(first.outputs[0].data).rgb(8, 8), COLORS[5])).toBe(true);
    const resized = await run([await sixFrameClip()], { op: "resize", width: 64, height: -1 });
    expect((await run([resized.outputs[0].data], { op: "info" })).info).toMatchObject({ width: 64, height: 48 });
    const joined = await run([await sixFrameClip(), await sixFrameClip()], { op: "concat" });
    expect((await run([joined.outputs[0].data], { op: "info" })).info!.frame_count).toBe(12);
    // 12 frames at 6 fps: 0.5 s to 1.5 s holds frames 3..8, i.e. the second clip's frame 0 at index 6.
    const trimmed = await run([joined.outputs[0].data], { op: "trim", start: 0.5, end: 1.5 });
    expect((await run([trimmed.outputs[0].data], { op: "info" })).info!.frame_count).toBe(6);
    const third = await run([trimmed.outputs[0].data], { op: "frames", start: 3, end: 3 });
    expect(near(readPng(third.outputs[0].data).rgb(8, 8), COLORS[0])).toBe(true);
  });

  it("picks, per frame, the first chunk whose [start, end] holds the frame's time", () => {
    const chunks = [
      { text: "a", start: 0, end: 0.5 },
      { text: "b", start: 0.5, end: 1 },
      { text: "c", start: 0.2, end: 2 },
    ];
    // 4 fps: times 0, .25, .5, .75, 1, 1.25
    expect(subtitleSpans(chunks, 4, 6)).toEqual([
      { chunk: 0, first: 0, last: 2 },
      { chunk: 1, first: 3, last: 4 },
      { chunk: 2, first: 5, last: 5 },
    ]);
  });

  it("burns subtitles into the frames their chunk covers only", async () => {
    const black = Array.from({ length: 8 }, () => png(160, 96, () => [0, 0, 0]));
    const base = (await run(black, { op: "from_frames", fps: 8 })).outputs[0].data;
    const op: VideoOp = { op: "subtitles", chunks: [{ text: "HELLO", start: 0, end: 0.45 }], font: "DejaVuSans", font_size: 24, color: "#FFFFFF", align: "center" };
    const subtitled = await run([base], op);
    const frames = await run([subtitled.outputs[0].data], { op: "frames", start: 0, end: -1 });
    expect(frames.outputs).toHaveLength(8);
    const bright = frames.outputs.map((f) => {
      const img = readPng(f.data);
      let n = 0;
      for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) if (img.rgb(x, y)[0] > 160) n++;
      return n;
    });
    // Frames 0..3 are at t <= 0.375 s; frame 4 (0.5 s) is past the chunk.
    for (const i of [0, 1, 2, 3]) expect(bright[i]).toBeGreaterThan(40);
    for (const i of [4, 5, 6, 7]) expect(bright[i]).toBe(0);
  });

  it("fails clearly on what is not a video, and stops when cancelled", async () => {
    await expect(run([new TextEncoder().encode("not a video at all")], { op: "info" })).rejects.toThrow(/not a media file/);
    await expect(run([png(4, 4, () => [1, 2, 3]), new Uint8Array([1, 2, 3, 4])], { op: "from_frames", fps: 2 })).rejects.toThrow(/frame 1 is not a PNG/);
    await expect(run([await sixFrameClip()], { op: "reverse" }, testContext({ cancelAfterChecks: 0 }))).rejects.toBeInstanceOf(CancelledError);
  });
});
