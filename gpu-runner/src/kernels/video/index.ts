import { open, readdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { MAX_FRAMES, type VideoInfo, type VideoOp } from "../../../../schema/media-av";
import type { InferRequest, InferResult } from "../../../../schema/runner";
import { probe, readOutput, runFfmpeg, SIZE_LIMIT_ARGS, withWorkdir, writeInput, type ProbedStream } from "../audio/ffmpeg";
import { KernelInputError, type Kernel, type KernelContext } from "../types";
import { EVEN, H264 } from "./encode";
import { FILTER_OPS, type FilterOp, runFilter } from "./filters";
import { MAX_OVERLAYS, renderSubtitle, subtitleSpans } from "./subtitles";

export type VideoRequest = Extract<InferRequest, { kernel: "video" }>;
export type VideoResult = Extract<InferResult, { kernel: "video" }>;
type Output = VideoResult["outputs"][number];


interface Job {
  dir: string;
  ctx: KernelContext;
  inputs: string[];
  input(index: number): string;
}

const mp4 = async (_job: Job, file: string, what: string): Promise<Output> => ({ content_type: "video/mp4", data: await readOutput(file, what) });

/** The exact number of video frames, by decoding them (the binary has no ffprobe and MP4s may lack counts). */
async function countFrames(job: Job, file: string): Promise<number> {
  const { stderr } = await runFfmpeg(["-i", file, "-map", "0:v:0", "-f", "null", "-"], job.ctx, { cwd: job.dir, what: "counting frames" });
  const all = [...stderr.matchAll(/frame=\s*(\d+)/g)];
  return all.length ? Number(all[all.length - 1][1]) : 0;
}

function imageExtension(bytes: Uint8Array, index: number): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return "png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return "jpg";
  if (bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[8] === 0x57) return "webp";
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return "bmp";
  throw new KernelInputError(`frame ${index} is not a PNG, JPEG, WebP or BMP image`);
}

async function run(op: VideoOp, job: Job): Promise<Omit<VideoResult, "kernel">> {
  const { dir, ctx } = job;
  const out = (name: string) => path.join(dir, name);
  switch (op.op) {
    case "info": {
      const p = await probe(job.input(0), ctx, dir);
      if (!p.hasVideo) throw new KernelInputError("the input has no video stream");
      const info: VideoInfo = { duration: p.duration, width: p.width, height: p.height, fps: p.fps, frame_count: await countFrames(job, job.input(0)), codec: p.codec, has_audio: p.hasAudio };
      return { outputs: [], info, fps: p.fps };
    }
    case "frames": {
      const p = await probe(job.input(0), ctx, dir);
      if (!p.hasVideo) throw new KernelInputError("the input has no video stream");
      // NodeTool: packages/base-nodes/src/nodes/video.ts ForEachFrame: frames start..end inclusive (end -1: all).
      const select = op.end >= 0 ? `select='between(n\\,${op.start}\\,${op.end})'` : `select='gte(n\\,${op.start})'`;
      const wanted = op.end >= 0 ? Math.max(0, op.end - op.start + 1) : Infinity;
      if (Number.isFinite(wanted) && wanted > MAX_FRAMES) throw new KernelInputError(`frames ${op.start} to ${op.end} are more than the ${MAX_FRAMES} frames one request may extract`);
      const limit = Math.min(wanted, MAX_FRAMES + 1);
      await runFfmpeg(["-i", job.input(0), "-map", "0:v:0", "-vf", select, "-vsync", "vfr", "-frames:v", String(limit), out("frame_%06d.png")], ctx, { cwd: dir, what: "extracting frames" });
      const files = (await readdir(dir)).filter((f) => /^frame_\d+\.png$/.test(f)).sort();
      if (files.length > MAX_FRAMES) throw new KernelInputError(`the video has more than ${MAX_FRAMES} frames from frame ${op.start}: set end to extract fewer`);
      const outputs: Output[] = [];
      for (const f of files) {
        outputs.push({ content_type: "image/png", data: await readOutput(out(f), "a frame"), width: p.width, height: p.height });
        ctx.checkCancelled();
      }
      return { outputs, fps: p.fps || 24 };
    }
    case "from_frames": {
      if (job.inputs.length === 0) throw new KernelInputError("no frames to combine");
      const ext = imageExtension(await readHead(job, 0), 0);
      for (let i = 0; i < job.inputs.length; i++) {
        if (imageExtension(await readHead(job, i), i) !== ext) throw new KernelInputError(`frame ${i} is not a ${ext} image like frame 0: frames must share one format`);
      }
      const list = job.inputs.map((f, i) => ({ from: f, to: out(`f_${String(i).padStart(6, "0")}.${ext}`) }));
      for (const { from, to } of list) await rename(from, to);
      await runFfmpeg(["-framerate", String(op.fps), "-i", out(`f_%06d.${ext}`), "-vf", EVEN, ...H264, ...SIZE_LIMIT_ARGS, out("out.mp4")], ctx, { cwd: dir, what: "encoding frames" });
      return { outputs: [await mp4(job, out("out.mp4"), "FrameToVideo")] };
    }
    case "add_audio": {
      const video = await probe(job.input(0), ctx, dir);
      const audio = await probe(job.input(1), ctx, dir);
      if (!video.hasVideo) throw new KernelInputError("the video input has no video stream");
      if (!audio.hasAudio) throw new KernelInputError("the audio input has no audio stream");
      // NodeTool: video.ts AddAudio: mix: amix of the old and the (volume-scaled) new audio over the video's length; else replace.
      const args = ["-i", job.input(0), "-i", job.input(1)];
      if (op.mix && video.hasAudio) args.push("-filter_complex", `[1:a]volume=${op.volume}[newaud];[0:a][newaud]amix=inputs=2:duration=first[aout]`, "-map", "0:v:0", "-map", "[aout]");
      else if (op.volume !== 1) args.push("-filter_complex", `[1:a]volume=${op.volume}[aout]`, "-map", "0:v:0", "-map", "[aout]");
      else args.push("-map", "0:v:0", "-map", "1:a:0");
      args.push("-c:v", "copy", "-c:a", "aac", ...SIZE_LIMIT_ARGS, out("out.mp4"));
      await runFfmpeg(args, ctx, { cwd: dir, what: "adding audio" });
      return { outputs: [await mp4(job, out("out.mp4"), "AddAudio")] };
    }
    case "extract_audio": {
      const p = await probe(job.input(0), ctx, dir);
      if (!p.hasAudio) throw new KernelInputError("the video has no audio track to extract");
      await runFfmpeg(["-i", job.input(0), "-vn", "-map", "0:a:0", "-acodec", "pcm_s16le", ...SIZE_LIMIT_ARGS, out("out.wav")], ctx, { cwd: dir, what: "extracting audio" });
      return { outputs: [{ content_type: "audio/wav", data: await readOutput(out("out.wav"), "ExtractAudio"), sample_rate: p.sampleRate, channels: p.channels }] };
    }
    case "extract_frame": {
      await runFfmpeg(["-ss", String(op.time), "-i", job.input(0), "-frames:v", "1", "-f", "image2", out("frame.png")], ctx, { cwd: dir, what: "extracting a frame" });
      return { outputs: [{ content_type: "image/png", data: await readOutput(out("frame.png"), `the frame at ${op.time} s (is it past the end?)`) }] };
    }
    case "trim": {
      // NodeTool: video.ts Trim with `accurate`: output-side -ss/-to and a re-encode, so cuts land on the
      // requested frames (stream copy snaps to keyframes and can leave a short clip with no frames at all).
      const args = ["-i", job.input(0), "-ss", String(op.start)];
      if (op.end >= 0) args.push("-to", String(op.end));
      args.push(...H264, "-c:a", "aac", ...SIZE_LIMIT_ARGS, out("out.mp4"));
      await runFfmpeg(args, ctx, { cwd: dir, what: "trimming" });
      return { outputs: [await mp4(job, out("out.mp4"), "Trim")] };
    }
    case "resize": {
      if (op.width === 0 || op.height === 0) throw new KernelInputError("width and height must be positive or -1");
      await runFfmpeg(["-i", job.input(0), "-vf", `scale=${op.width}:${op.height}`, ...H264, "-c:a", "copy", ...SIZE_LIMIT_ARGS, out("out.mp4")], ctx, { cwd: dir, what: "resizing" });
      return { outputs: [await mp4(job, out("out.mp4"), "Resize")] };
    }
    case "reverse": {
      const p = await probe(job.input(0), ctx, dir);
      const args = ["-i", job.input(0), "-vf", "reverse", ...(p.hasAudio ? ["-af", "areverse"] : []), ...H264, ...SIZE_LIMIT_ARGS, out("out.mp4")];
      await runFfmpeg(args, ctx, { cwd: dir, what: "reversing" });
      return { outputs: [await mp4(job, out("out.mp4"), "Reverse")] };
    }
    case "concat":
      return { outputs: [await concat(job)] };
    case "subtitles":
      return { outputs: [await subtitles(op, job)] };
    default:
      if (FILTER_OPS.has(op.op)) return { outputs: [await runFilter(op as FilterOp, job)] };
      throw new KernelInputError(`unknown video operation '${(op as { op: string }).op}'`);
  }
}

async function readHead(job: Job, index: number): Promise<Uint8Array> {
  const handle = await open(job.input(index), "r");
  try {
    const head = new Uint8Array(16);
    await handle.read(head, 0, 16, 0);
    return head;
  } finally {
    await handle.close();
  }
}

/**
 * NodeTool's Concat: every input re-encoded to the first one's size and frame rate (scaled to fit, padded
 * black), with silent stereo audio where an input has none, then joined end to end.
 */
async function concat(job: Job): Promise<Output> {
  const { dir, ctx } = job;
  if (job.inputs.length === 1) return mp4(job, job.input(0), "Concat");
  const probes: ProbedStream[] = [];
  for (const f of job.inputs) probes.push(await probe(f, ctx, dir));
  const first = probes[0];
  const width = (first.width || 1920) + ((first.width || 1920) % 2);
  const height = (first.height || 1080) + ((first.height || 1080) % 2);
  const fps = first.fps || 30;
  const segments: string[] = [];
  for (const [i, f] of job.inputs.entries()) {
    if (!probes[i].hasVideo) throw new KernelInputError(`video ${i} has no video stream`);
    const seg = path.join(dir, `seg_${i}.mp4`);
    const filter = `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black,fps=${fps},format=yuv420p`;
    const silent = probes[i].hasAudio ? [] : ["-f", "lavfi", "-i", "anullsrc=channel_layout=stereo:sample_rate=48000"];
    await runFfmpeg(
      ["-i", f, ...silent, "-filter_complex", `[0:v]${filter}[v]`, "-map", "[v]", "-map", probes[i].hasAudio ? "0:a:0" : "1:a", ...H264, "-c:a", "aac", "-ar", "48000", "-ac", "2", "-shortest", ...SIZE_LIMIT_ARGS, seg],
      ctx,
      { cwd: dir, what: `preparing video ${i}` },
    );
    segments.push(seg);
  }
  const list = path.join(dir, "list.txt");
  await writeFile(list, `${segments.map((s) => `file '${path.basename(s)}'`).join("\n")}\n`);
  await runFfmpeg(["-f", "concat", "-safe", "0", "-i", list, "-c", "copy", ...SIZE_LIMIT_ARGS, path.join(dir, "out.mp4")], ctx, { cwd: dir, what: "joining videos" });
  return mp4(job, path.join(dir, "out.mp4"), "Concat");
}

async function subtitles(op: Extract<VideoOp, { op: "subtitles" }>, job: Job): Promise<Output> {
  const { dir, ctx } = job;
  const p = await probe(job.input(0), ctx, dir);
  if (!p.hasVideo || !p.fps) throw new KernelInputError("the input has no video stream with a known frame rate");
  const frames = await countFrames(job, job.input(0));
  const spans = subtitleSpans(op.chunks, p.fps, frames);
  if (spans.length === 0) return mp4(job, job.input(0), "AddSubtitles");
  const used = [...new Set(spans.map((s) => s.chunk))];
  if (used.length > MAX_OVERLAYS) throw new KernelInputError(`${used.length} subtitle chunks are shown: at most ${MAX_OVERLAYS} can be drawn on one video`);
  const args = ["-i", job.input(0)];
  for (const [i, chunk] of used.entries()) {
    const file = path.join(dir, `sub_${i}.png`);
    await writeFile(file, await renderSubtitle(op.chunks[chunk].text, op, p.width, p.height));
    args.push("-i", file);
    ctx.checkCancelled();
  }
  const graph: string[] = [];
  let last = "0:v";
  for (const [i, chunk] of used.entries()) {
    const enable = spans
      .filter((s) => s.chunk === chunk)
      .map((s) => `between(n\\,${s.first}\\,${s.last})`)
      .join("+");
    graph.push(`[${last}][${i + 1}:v]overlay=0:0:enable='${enable}'[v${i}]`);
    last = `v${i}`;
  }
  args.push("-filter_complex", graph.join(";"), "-map", `[${last}]`, ...(p.hasAudio ? ["-map", "0:a:0", "-c:a", "copy"] : []), ...H264, ...SIZE_LIMIT_ARGS, path.join(dir, "out.mp4"));
  await runFfmpeg(args, ctx, { cwd: dir, what: "drawing subtitles" });
  return mp4(job, path.join(dir, "out.mp4"), "AddSubtitles");
}

/**
 * The video kernel: NodeTool's ffmpeg-based video nodes (packages/base-nodes/src/nodes/video.ts), one operation
 * per request on the inputs it names, run by the ffmpeg binary shipped in @ffmpeg-installer. Inputs are written
 * to a private temporary folder; outputs come back as bytes (MP4, PNG frames, WAV).
 */
export const videoKernel: Kernel<VideoRequest, VideoResult> = {
  name: "video",
  models: [],
  async run(request, ctx) {
    return withWorkdir(async (dir) => {
      ctx.checkCancelled();
      const inputs: string[] = [];
      for (const [i, bytes] of request.media.entries()) inputs.push(await writeInput(dir, `input${i}`, bytes));
      ctx.progress(1, 2);
      const job: Job = {
        dir,
        ctx,
        inputs,
        input(index) {
          const found = inputs[index];
          if (!found) throw new KernelInputError(`the operation needs input ${index}, but the request has ${inputs.length}`);
          return found;
        },
      };
      const result = await run(request.op, job);
      ctx.progress(2, 2);
      return { kernel: "video", ...result };
    });
  },
};
