import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import type { InferenceService } from "../../engine/inference/types";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import { RunnerPool } from "../../host/runners/pool";
import { graph, registry } from "../engine/helpers";
import { randomToken, startRunnerProcess, type ChildRunner } from "../runner/helpers/runner";
import { ffmpegConvert, png, readPng, readWav, wav } from "../runner/kernels/av-fixtures";

/**
 * NodeTool's one-filter video nodes, SVGToImage, ConvertToArray and RemoveSilence end to end: NodeTool-format graphs run by the
 * engine in Node, their media sent through the real runner pool to a real gpu-runner process (ffmpeg, sharp).
 */

const TOKEN = randomToken();
let runner: ChildRunner;
let pool: RunnerPool;

beforeAll(async () => {
  runner = await startRunnerProcess({ GPU_RUNNER_TOKEN: TOKEN, GPU_RUNNER_WORKERS: "1" });
  pool = new RunnerPool({ urls: [runner.url], token: TOKEN, idleTimeoutMs: 10_000 });
});
afterAll(async () => {
  await runner?.kill("SIGKILL");
});

const inference = (jobId: string): InferenceService => ({ infer: (request, options) => pool.infer({ ...request, job_id: jobId }, options) });
/** A still PNG held for `seconds` at 10 fps, as H.264. */
const stillClip = (image: Uint8Array, seconds: number) =>
  ffmpegConvert(image, "png", "mp4", ["-vf", `loop=loop=-1:size=1,trim=duration=${seconds}`, "-r", "10", "-c:v", "libx264", "-pix_fmt", "yuv420p"]);
const mediaBytes = async (blobs: MemoryBlobStore, ref: unknown) => {
  const { uri, data } = ref as { uri: string; data?: Uint8Array };
  return uri ? (await blobs.read(uri)).bytes : (data as Uint8Array);
};

describe("video filters, SVGToImage and RemoveSilence through a real gpu-runner", () => {
  it("VideoInput -> Saturation(0) -> Blur -> SetSpeed(2) -> ExtractFrame and GetVideoInfo", async () => {
    const blobs = new MemoryBlobStore();
    // 2 s at 10 fps of a red left half and a blue right half.
    const still = png(64, 48, (x) => (x < 32 ? [220, 30, 30] : [30, 30, 220]));
    const clip = stillClip(still, 2);
    const g = graph(
      [
        { id: "v", type: "nodetool.input.VideoInput", data: { name: "video" } },
        { id: "sat", type: "nodetool.video.Saturation", data: { saturation: 0 } },
        { id: "blur", type: "nodetool.video.Blur", data: { strength: 3 } },
        { id: "speed", type: "nodetool.video.SetSpeed", data: { speed_factor: 2 } },
        { id: "frame", type: "nodetool.video.ExtractFrame", data: { time: 0.2 } },
        { id: "info", type: "nodetool.video.GetVideoInfo", data: {} },
        { id: "info_in", type: "nodetool.video.GetVideoInfo", data: {} },
        { id: "image", type: "nodetool.output.Output", data: { name: "image" } },
        { id: "duration", type: "nodetool.output.Output", data: { name: "duration" } },
        { id: "duration_in", type: "nodetool.output.Output", data: { name: "duration_in" } },
      ],
      [
        ["v", "output", "sat", "video"],
        ["sat", "output", "blur", "video"],
        ["blur", "output", "speed", "video"],
        ["speed", "output", "frame", "video"],
        ["speed", "output", "info", "video"],
        ["frame", "output", "image", "value"],
        ["info", "duration", "duration", "value"],
        ["v", "output", "info_in", "video"],
        ["info_in", "duration", "duration_in", "value"],
      ],
    );
    const result = await runWorkflow(g, { video: { type: "video", uri: blobs.add(clip, "video/mp4") } }, { registry, emit: () => undefined, services: { blobs, inference: inference("job-vf-1") } });
    expect(result.status, result.error).toBe("completed");
    // Half the input's length, give or take the frame or two ffmpeg keeps at the input's frame rate.
    const before = result.outputs.duration_in.at(-1) as number;
    expect(before).toBeGreaterThan(1.9);
    expect(Math.abs((result.outputs.duration.at(-1) as number) - before / 2)).toBeLessThanOrEqual(0.25);
    const frame = readPng(await mediaBytes(blobs, result.outputs.image.at(-1)));
    expect([frame.width, frame.height]).toEqual([64, 48]);
    // Saturation 0: grey, red's and blue's BT.601 lumas (about 85 and 53) on each side, blurred across x = 32.
    const [left, mid, right] = [frame.rgb(8, 24), frame.rgb(32, 24), frame.rgb(56, 24)];
    for (const p of [left, mid, right]) expect(Math.max(...p) - Math.min(...p)).toBeLessThanOrEqual(6);
    expect(Math.abs(left[1] - 85)).toBeLessThanOrEqual(8);
    expect(Math.abs(right[1] - 53)).toBeLessThanOrEqual(8);
    expect(mid[1]).toBeLessThan(left[1] - 5);
    expect(mid[1]).toBeGreaterThan(right[1] + 5);
  });

  it("Overlay puts the scaled second video at (x, y); a missing input is refused before the run", async () => {
    const blobs = new MemoryBlobStore();
    const main = stillClip(png(64, 64, () => [0, 0, 0]), 0.5);
    const top = stillClip(png(20, 20, () => [255, 255, 255]), 0.5);
    const refs = { main_video: { type: "video", uri: blobs.add(main, "video/mp4") }, overlay_video: { type: "video", uri: blobs.add(top, "video/mp4") } };
    const g = graph(
      [
        { id: "ov", type: "nodetool.video.Overlay", data: { ...refs, x: 30, y: 4, scale: 1.5 } },
        { id: "frame", type: "nodetool.video.ExtractFrame", data: { time: 0.2 } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [
        ["ov", "output", "frame", "video"],
        ["frame", "output", "out", "value"],
      ],
    );
    const result = await runWorkflow(g, {}, { registry, emit: () => undefined, services: { blobs, inference: inference("job-vf-2") } });
    expect(result.status, result.error).toBe("completed");
    const frame = readPng(await mediaBytes(blobs, result.outputs.out.at(-1)));
    // 20 x 1.5 = 30: white over x 30..59, y 4..33.
    expect(frame.rgb(45, 20)[1]).toBeGreaterThan(240);
    expect(frame.rgb(20, 20)[1]).toBeLessThan(15);
    expect(frame.rgb(45, 45)[1]).toBeLessThan(15);
    const missing = graph([{ id: "ov", type: "nodetool.video.Overlay", data: { main_video: refs.main_video } }], []);
    expect(() => runWorkflow(missing, {}, { registry, emit: () => undefined, services: { blobs, inference: inference("job-vf-3") } })).toThrow(/overlay_video/);
  });

  it("lib.svg.Rect -> SVGToImage renders (width x scale) by (height x scale) RGBA", async () => {
    const g = graph(
      [
        { id: "rect", type: "lib.svg.Rect", data: { x: 10, y: 10, width: 20, height: 10, fill: { type: "color", value: "#ff0000" } } },
        { id: "img", type: "lib.svg.SVGToImage", data: { width: 64, height: 48, viewBox: "0 0 64 48", scale: 2 } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [
        ["rect", "output", "img", "content"],
        ["img", "output", "out", "value"],
      ],
    );
    const blobs = new MemoryBlobStore();
    const result = await runWorkflow(g, {}, { registry, emit: () => undefined, services: { blobs, inference: inference("job-vf-4") } });
    expect(result.status, result.error).toBe("completed");
    const image = PNG.sync.read(Buffer.from(await mediaBytes(blobs, result.outputs.out.at(-1))));
    expect([image.width, image.height]).toEqual([128, 96]);
    const at = (x: number, y: number) => [...image.data.subarray((y * 128 + x) * 4, (y * 128 + x) * 4 + 4)];
    // The rect covers 10..30 x 10..20 in user units: 20..60 x 20..40 pixels at scale 2; outside is transparent.
    expect(at(40, 30)).toEqual([255, 0, 0, 255]);
    expect(at(70, 30)[3]).toBe(0);
    expect(at(40, 45)[3]).toBe(0);
  });

  it("ConvertToArray decodes a non-WAV input on the runner: FLAC gives back its 16-bit samples", async () => {
    const samples = Array.from({ length: 800 }, (_, f) => Math.round(7000 * Math.sin(f / 9)));
    const flac = ffmpegConvert(wav(8000, 1, 800, (f) => samples[f]), "wav", "flac", []);
    const g = graph(
      [
        { id: "arr", type: "nodetool.audio.ConvertToArray", data: { audio: { type: "audio", uri: `data:audio/flac;base64,${Buffer.from(flac).toString("base64")}` } } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [["arr", "output", "out", "value"]],
    );
    const result = await runWorkflow(g, {}, { registry, emit: () => undefined, services: { inference: inference("job-vf-6") } });
    expect(result.status, result.error).toBe("completed");
    expect(result.outputs.out.at(-1)).toEqual({ type: "np_array", value: samples, dtype: "<i8", shape: [800] });
  });

  it("RemoveSilence shortens a long pause to min_silence_between_parts", async () => {
    const rate = 8000;
    // 250 ms of tone, 1 s of silence, 250 ms of tone.
    const sample = (f: number) => (f < 2000 || f >= 10000 ? Math.round(9000 * Math.sin((2 * Math.PI * 330 * f) / rate)) : 0);
    const audio = { type: "audio", uri: `data:audio/wav;base64,${Buffer.from(wav(rate, 1, 12000, sample)).toString("base64")}` };
    const g = graph(
      [
        { id: "rs", type: "nodetool.audio.RemoveSilence", data: { audio, crossfade: 0, min_silence_between_parts: 150 } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [["rs", "output", "out", "value"]],
    );
    const result = await runWorkflow(g, {}, { registry, emit: () => undefined, services: { inference: inference("job-vf-5") } });
    expect(result.status, result.error).toBe("completed");
    const out = readWav((result.outputs.out.at(-1) as { data: Uint8Array }).data);
    // 250 + 150 + 250 ms, the pieces joined without a crossfade.
    expect(out.samples.length).toBe(5200);
    expect(Array.from(out.samples.slice(2000, 3200))).toEqual(new Array(1200).fill(0));
    expect(out.samples[3200 + 7]).toBe(sample(10000 + 7));
  });
});
