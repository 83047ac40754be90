import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunnerPool } from "../../host/runners/pool";
import { runWorkflow } from "../../engine/executor/run-workflow";
import type { InferenceService } from "../../engine/inference/types";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import { randomToken, startRunnerProcess, type ChildRunner } from "../runner/helpers/runner";
import { ffmpegConvert, png, readPng, readWav, tone } from "../runner/kernels/av-fixtures";
import { graph, registry } from "../engine/helpers";

/**
 * Audio and video nodes end to end: the engine (in Node) declares them and sends their samples and frames
 * through the edge's real runner pool to real gpu-runner processes, whose worker threads run ffmpeg. Media moves
 * by reference through a blob store; only the runner decodes it.
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

const inference = (p: RunnerPool, jobId: string): InferenceService => ({ infer: (request, options) => p.infer({ ...request, job_id: jobId }, options) });
const COLORS: Array<[number, number, number]> = [
  [220, 40, 40],
  [40, 220, 40],
  [40, 40, 220],
  [200, 200, 200],
];

describe("audio and video workflows through a real gpu-runner", () => {
  it("ForEachFrame -> Invert -> FrameToVideo (wired as NodeTool's Color Boost example), then AddAudio, GetVideoInfo, ExtractAudio -> Normalize", async () => {
    const blobs = new MemoryBlobStore();
    const frames = COLORS.map((c) => png(32, 32, () => c));
    // A 4-frame clip at 4 fps, encoded by ffmpeg from the PNGs.
    const video = blobs.add(await encodeFrames(frames, 4), "video/mp4");
    const audio = blobs.add(tone(8000, 1, 440, 6000), "audio/wav");
    const g = graph(
      [
        { id: "v", type: "nodetool.input.VideoInput", data: { name: "video" } },
        { id: "a", type: "nodetool.input.AudioInput", data: { name: "audio" } },
        { id: "each", type: "nodetool.video.ForEachFrame", data: { start: 0, end: 2 } },
        { id: "inv", type: "lib.pillow.filter.Invert", data: {} },
        { id: "join", type: "nodetool.video.FrameToVideo", data: {} },
        { id: "add", type: "nodetool.video.AddAudio", data: { volume: 1.0, mix: false } },
        { id: "info", type: "nodetool.video.GetVideoInfo", data: {} },
        { id: "extract", type: "nodetool.video.ExtractAudio", data: {} },
        { id: "norm", type: "nodetool.audio.Normalize", data: {} },
        { id: "first", type: "nodetool.video.ExtractFrame", data: { time: 0 } },
        { id: "count", type: "nodetool.output.Output", data: { name: "frame_count" } },
        { id: "has_audio", type: "nodetool.output.Output", data: { name: "has_audio" } },
        { id: "sound", type: "nodetool.output.Output", data: { name: "sound" } },
        { id: "frame", type: "nodetool.output.Output", data: { name: "frame" } },
      ],
      [
        ["v", "output", "each", "video"],
        ["each", "frame", "inv", "image"],
        ["inv", "output", "join", "frame"],
        ["each", "index", "join", "index"],
        ["each", "fps", "join", "fps"],
        ["each", "event", "join", "event"],
        ["join", "output", "add", "video"],
        ["a", "output", "add", "audio"],
        ["add", "output", "info", "video"],
        ["add", "output", "extract", "video"],
        ["extract", "output", "norm", "audio"],
        ["join", "output", "first", "video"],
        ["info", "frame_count", "count", "value"],
        ["info", "has_audio", "has_audio", "value"],
        ["norm", "output", "sound", "value"],
        ["first", "output", "frame", "value"],
      ],
    );
    const result = await runWorkflow(g, { video: { type: "video", uri: video }, audio: { type: "audio", uri: audio } }, { registry, emit: () => undefined, services: { blobs, inference: inference(pool, "job-av-1") } });
    expect(result.status, result.error).toBe("completed");
    expect(result.outputs.frame_count.at(-1)).toBe(3);
    expect(result.outputs.has_audio.at(-1)).toBe(true);
    const first = readPng((await blobs.read((result.outputs.frame.at(-1) as { uri: string }).uri)).bytes);
    const inverted = COLORS[0].map((v) => 255 - v);
    expect(first.rgb(16, 16).every((v, i) => Math.abs(v - inverted[i]) <= 12)).toBe(true);
    const sound = readWav((await blobs.read((result.outputs.sound.at(-1) as { uri: string }).uri)).bytes);
    expect(sound.sampleRate).toBe(8000);
    expect(Math.max(...sound.samples.map(Math.abs))).toBe(32767);
  });

  it("an audio chain (Concat -> Reverse) from inline WAVs keeps samples and length", async () => {
    const a = tone(8000, 0.5, 440, 5000);
    const b = tone(8000, 0.25, 880, 5000);
    const uri = (bytes: Uint8Array) => `data:audio/wav;base64,${Buffer.from(bytes).toString("base64")}`;
    const g = graph(
      [
        { id: "cat", type: "nodetool.audio.Concat", data: { a: { type: "audio", uri: uri(a) }, b: { type: "audio", uri: uri(b) } } },
        { id: "rev", type: "nodetool.audio.Reverse", data: {} },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [
        ["cat", "output", "rev", "audio"],
        ["rev", "output", "out", "value"],
      ],
    );
    const result = await runWorkflow(g, {}, { registry, emit: () => undefined, services: { inference: inference(pool, "job-av-2") } });
    expect(result.status, result.error).toBe("completed");
    const out = readWav((result.outputs.out.at(-1) as { data: Uint8Array }).data);
    expect(out.samples.length).toBe(6000);
    // Reversed: the first sample is b's last one.
    expect(out.samples[0]).toBe(Math.round(5000 * Math.sin((2 * Math.PI * 880 * 1999) / 8000)) + 0);
  });

  it("ChunkToAudio joins an encoded chunk (a WAV file) and a raw PCM chunk on the runner, samples in order", async () => {
    const wavFile = tone(8000, 0.5, 440, 5000);
    const pcmSamples = Array.from({ length: 2000 }, (_, i) => Math.round(3000 * Math.sin((2 * Math.PI * 660 * i) / 8000)) + 0); // + 0: no -0
    const pcm = Buffer.alloc(pcmSamples.length * 2);
    pcmSamples.forEach((s, i) => pcm.writeInt16LE(s, i * 2));
    const chunks = [
      { type: "chunk", content_type: "audio", content: Buffer.from(wavFile).toString("base64"), content_metadata: {} },
      { type: "chunk", content_type: "audio", content: pcm.toString("base64"), content_metadata: { format: "pcm16le", sample_rate: 8000, channels: 1 } },
    ];
    const g = graph(
      [
        { id: "each", type: "nodetool.control.ForEach", data: { input_list: chunks } },
        { id: "c2a", type: "nodetool.audio.ChunkToAudio", data: { batch_size: 50 } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [
        ["each", "output", "c2a", "chunk"],
        ["c2a", "audio", "out", "value"],
      ],
    );
    const result = await runWorkflow(g, {}, { registry, emit: () => undefined, services: { inference: inference(pool, "job-av-chunks") } });
    expect(result.status, result.error).toBe("completed");
    expect(result.outputs.out).toHaveLength(1);
    const out = readWav((result.outputs.out[0] as { data: Uint8Array }).data);
    expect([out.sampleRate, out.channels, out.samples.length]).toEqual([8000, 1, 6000]);
    expect(Array.from(out.samples.slice(0, 4000))).toEqual(Array.from(readWav(wavFile).samples));
    expect(Array.from(out.samples.slice(4000))).toEqual(pcmSamples);
  });

  it("every audio node type, one at a time, on inline WAVs", async () => {
    const wavUri = (bytes: Uint8Array) => ({ type: "audio", uri: `data:audio/wav;base64,${Buffer.from(bytes).toString("base64")}` });
    const A = wavUri(tone(8000, 1, 440, 8000));
    const B = wavUri(tone(8000, 0.5, 220, 8000));
    const stereo = wavUri(ffmpegConvert(tone(8000, 1, 440, 8000), "wav", "wav", ["-ac", "2"]));
    const cases: Array<[string, Record<string, unknown>, (w: ReturnType<typeof readWav>) => void]> = [
      ["nodetool.audio.ConcatList", { audio_files: [A, B, B] }, (w) => expect(w.samples.length).toBe(16000)],
      ["nodetool.audio.OverlayAudio", { a: B, b: A }, (w) => expect(w.samples.length).toBe(4000)],
      // Volume 2 is +1 dB in NodeTool (apply_gain(volume - 1)): the peak grows by 10^(1/20), not 2x.
      ["nodetool.audio.AudioMixer", { track1: A, volume1: 2 }, (w) => expect(Math.max(...w.samples)).toBe(Math.floor(8000 * 10 ** (1 / 20)))],
      ["nodetool.audio.CreateSilence", { duration: 2 }, (w) => expect([w.sampleRate, w.samples.length]).toEqual([11025, 22050])],
      ["nodetool.audio.SliceAudio", { audio: A, start: 0.5, end: 0.75 }, (w) => expect(w.samples.length).toBe(2000)],
      ["nodetool.audio.Trim", { audio: A, start: 0.25, end: 1 }, (w) => expect(w.samples.length).toBe(6000)],
      ["nodetool.audio.FadeIn", { audio: A, duration: 0.5 }, (w) => expect(Math.max(...w.samples.slice(0, 40))).toBeLessThan(200)],
      ["nodetool.audio.FadeOut", { audio: A, duration: 0.5 }, (w) => expect(Math.max(...w.samples.slice(7960))).toBeLessThan(200)],
      ["nodetool.audio.Repeat", { audio: B, loops: 3 }, (w) => expect(w.samples.length).toBe(12000)],
      ["nodetool.audio.MonoToStereo", { audio: A }, (w) => expect(w.channels).toBe(2)],
      ["nodetool.audio.StereoToMono", { audio: stereo, method: "left" }, (w) => expect([w.channels, w.samples.length]).toEqual([1, 8000])],
    ];
    for (const [type, data, check] of cases) {
      const g = graph([{ id: "n", type, data }, { id: "out", type: "nodetool.output.Output", data: { name: "out" } }], [["n", "output", "out", "value"]]);
      const result = await runWorkflow(g, {}, { registry, emit: () => undefined, services: { inference: inference(pool, `job-av-${type}`) } });
      expect(result.status, `${type}: ${result.error}`).toBe("completed");
      check(readWav((result.outputs.out.at(-1) as { data: Uint8Array }).data));
    }
    const bad = graph([{ id: "n", type: "nodetool.audio.StereoToMono", data: { audio: stereo, method: "middle" } }], []);
    const failed = await runWorkflow(bad, {}, { registry, emit: () => undefined, services: { inference: inference(pool, "job-av-bad") } });
    expect(failed.error).toMatch(/Invalid method/);
  });

  it("the video node types one at a time: FrameIterator, Fps, Trim, Resize, Reverse, Concat, AddSubtitles", async () => {
    const blobs = new MemoryBlobStore();
    const clip = { type: "video", uri: blobs.add(await encodeFrames(COLORS.map((c) => png(64, 48, () => c)), 4), "video/mp4") };
    const run = async (type: string, data: Record<string, unknown>, output = "output") => {
      const g = graph([{ id: "n", type, data }, { id: "out", type: "nodetool.output.Output", data: { name: "out" } }], [["n", output, "out", "value"]]);
      const result = await runWorkflow(g, {}, { registry, emit: () => undefined, services: { blobs, inference: inference(pool, `job-v-${type}`) } });
      expect(result.status, `${type}: ${result.error}`).toBe("completed");
      return result.outputs.out;
    };
    const info = async (video: unknown) => (await run("nodetool.video.GetVideoInfo", { video: { ...(video as object), data: undefined } }, "frame_count")).at(-1);
    expect(await run("nodetool.video.FrameIterator", { video: clip, start: 1, end: 2 }, "index")).toEqual([1, 2]);
    expect((await run("nodetool.video.Fps", { video: clip })).at(-1)).toBe(4);
    expect(await info((await run("nodetool.video.Concat", { video_a: clip, video_b: clip })).at(-1))).toBe(8);
    expect(await info((await run("nodetool.video.Reverse", { video: clip })).at(-1))).toBe(4);
    expect(await info((await run("nodetool.video.Resize", { video: clip, width: 32, height: -1 })).at(-1))).toBe(4);
    expect(await info((await run("nodetool.video.Trim", { video: clip, start_time: 0.25, end_time: 0.75 })).at(-1))).toBe(2);
    const chunks = [{ timestamp: [0, 0.3], text: "Hi" }];
    expect(await info((await run("nodetool.video.AddSubtitles", { video: clip, chunks, font: "DejaVuSans", font_size: 20 })).at(-1))).toBe(4);
  });

  it("a runner killed mid-job fails the node clearly", async () => {
    const victim = await startRunnerProcess({ GPU_RUNNER_TOKEN: TOKEN, GPU_RUNNER_WORKERS: "1" });
    const victimPool = new RunnerPool({ urls: [victim.url], token: TOKEN, idleTimeoutMs: 10_000 });
    try {
      // Minutes of 640x480 video to reverse: long enough to be killed while ffmpeg works on it.
      const long = ffmpegConvert(png(8, 8, () => [0, 0, 0]), "png", "mp4", ["-vf", "scale=640:480,loop=loop=-1:size=1,trim=duration=120", "-r", "30", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]);
      const blobs = new MemoryBlobStore();
      const uri = blobs.add(long, "video/mp4");
      const g = graph(
        [
          { id: "rev", type: "nodetool.video.Reverse", data: { video: { type: "video", uri } } },
          { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
        ],
        [["rev", "output", "out", "value"]],
      );
      const running = runWorkflow(g, {}, { registry, emit: () => undefined, services: { blobs, inference: inference(victimPool, "job-av-kill") } });
      const deadline = Date.now() + 30_000;
      for (;;) {
        const res = await fetch(`${victim.url}/health`, { headers: { Authorization: `Bearer ${TOKEN}` } });
        if (((await res.json()) as { busy_workers: number }).busy_workers > 0) break;
        if (Date.now() > deadline) throw new Error("the runner never started the job");
        await new Promise((r) => setTimeout(r, 50));
      }
      await victim.kill("SIGKILL");
      const result = await running;
      expect(result.status).toBe("failed");
      expect(result.error).toMatch(/gpu-runner/);
      expect(result.error).toMatch(/failed mid-inference|no gpu-runner available|unreachable|connection/i);
    } finally {
      await victim.kill("SIGKILL");
    }
  });
});

async function encodeFrames(frames: Uint8Array[], fps: number): Promise<Uint8Array> {
  const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import("node:fs");
  const { execFileSync } = await import("node:child_process");
  const { tmpdir } = await import("node:os");
  const path = await import("node:path");
  const { ffmpegPath } = await import("../../gpu-runner/src/kernels/audio/ffmpeg");
  const dir = mkdtempSync(path.join(tmpdir(), "av-e2e-"));
  try {
    frames.forEach((f, i) => writeFileSync(path.join(dir, `f${i}.png`), f));
    execFileSync(ffmpegPath(), ["-hide_banner", "-loglevel", "error", "-framerate", String(fps), "-i", path.join(dir, "f%d.png"), "-c:v", "libx264", "-pix_fmt", "yuv420p", path.join(dir, "out.mp4")]);
    return new Uint8Array(readFileSync(path.join(dir, "out.mp4")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
