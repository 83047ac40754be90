import path from "node:path";
import { MAX_MEDIA_SECONDS, VIDEO_FILTER_OPS, type VideoOp } from "../../../../schema/media-av";
import type { InferResult } from "../../../../schema/runner";
import { probe, type ProbedStream, readOutput, runFfmpeg, SIZE_LIMIT_ARGS } from "../audio/ffmpeg";
import { KernelInputError, type KernelContext } from "../types";
import { EVEN, H264 } from "./encode";

/**
 * NodeTool's one-filter video nodes (nodetool-base src/nodetool/nodes/nodetool/video.py: Blur, ColorBalance,
 * Denoise, Rotate, Saturation, Sharpness, ChromaKey, SetSpeed, Overlay): the same ffmpeg filter with the same
 * parameter mapping, the audio kept as NodeTool keeps it, the result as H.264 MP4. Stabilize is the exception:
 * NodeTool's `deshake=smooth=...` graph fails (deshake has no such option), so it runs libvidstab's two passes
 * with `smoothing` as vidstabtransform's smoothing window, which is what the node's properties describe.
 */

export type FilterOp = Extract<VideoOp, { op: (typeof VIDEO_FILTER_OPS)[number]["shape"]["op"]["value"] }>;
export const FILTER_OPS: ReadonlySet<string> = new Set(VIDEO_FILTER_OPS.map((o) => o.shape.op.value));

type Output = Extract<InferResult, { kernel: "video" }>["outputs"][number];

export interface FilterJob {
  dir: string;
  ctx: KernelContext;
  input(index: number): string;
}

/** The filter of a single-input op, in NodeTool's parameter mapping. */
function singleFilter(op: Exclude<FilterOp, { op: "set_speed" | "overlay" | "stabilize" }>): string {
  switch (op.op) {
    case "blur":
      // ffmpeg casts the radius to an int; the chroma radius defaults to the luma one.
      return `boxblur=luma_radius=${op.strength}`;
    case "color_balance":
      // NodeTool: factors 0..2 with 1 neutral become colorbalance's shadow adjustments -1..1.
      return `colorbalance=rs=${op.red - 1}:gs=${op.green - 1}:bs=${op.blue - 1}`;
    case "denoise":
      return `nlmeans=s=${op.strength}`;
    case "rotate":
      // NodeTool passes angle=np.radians(angle) and no output size: the frame keeps its size.
      return `rotate=angle=${(op.angle * Math.PI) / 180}`;
    case "saturation":
      return `eq=saturation=${op.saturation}`;
    case "sharpness":
      return `unsharp=luma_msize_x=5:luma_msize_y=5:luma_amount=${op.luma}:chroma_msize_x=5:chroma_msize_y=5:chroma_amount=${op.chroma}`;
    case "chroma_key":
      return `chromakey=color=${op.color}:similarity=${op.similarity}:blend=${op.blend}`;
  }
}

/** NodeTool's SetSpeed chain: atempo takes 0.5..2, so larger changes are steps of 2 (or 0.5) and a remainder. */
export function atempoChain(speed: number): string[] {
  const steps: string[] = [];
  let remaining = speed;
  while (remaining > 2) {
    steps.push("atempo=2.0");
    remaining /= 2;
  }
  while (remaining < 0.5) {
    steps.push("atempo=0.5");
    remaining *= 2;
  }
  if (remaining !== 1) steps.push(`atempo=${remaining}`);
  return steps;
}

async function videoProbe(file: string, job: FilterJob, name: string): Promise<ProbedStream> {
  const p = await probe(file, job.ctx, job.dir);
  if (!p.hasVideo) throw new KernelInputError(`${name} has no video stream`);
  return p;
}

export async function runFilter(op: FilterOp, job: FilterJob): Promise<Output> {
  const { dir, ctx } = job;
  const outFile = path.join(dir, "out.mp4");
  const args = ["-i", job.input(0)];
  if (op.op === "set_speed") {
    const p = await videoProbe(job.input(0), job, "the video");
    if (p.duration / op.speed > MAX_MEDIA_SECONDS) throw new KernelInputError(`at speed ${op.speed} the video would last longer than ${MAX_MEDIA_SECONDS} s`);
    const graph = [`[0:v:0]setpts=${1 / op.speed}*PTS,${EVEN}[v]`];
    if (p.hasAudio) graph.push(`[0:a:0]${atempoChain(op.speed).join(",") || "anull"}[a]`);
    args.push("-filter_complex", graph.join(";"), "-map", "[v]", ...(p.hasAudio ? ["-map", "[a]", "-c:a", "aac"] : []));
  } else if (op.op === "overlay") {
    const main = await videoProbe(job.input(0), job, "the main video");
    const over = await videoProbe(job.input(1), job, "the overlay video");
    args.push("-i", job.input(1));
    const graph = [`[1:v:0]scale=iw*${op.scale}:ih*${op.scale}[ov]`, `[0:v:0][ov]overlay=x=${op.x}:y=${op.y},${EVEN}[v]`];
    const audio: string[] = [];
    // NodeTool: both tracks mixed (the overlay's at its volume) for the longer one's length; else whichever exists.
    if (main.hasAudio && over.hasAudio) graph.push(`[1:a:0]volume=${op.volume}[oa]`, "[0:a:0][oa]amix=inputs=2:duration=longest[a]");
    else if (over.hasAudio) graph.push(`[1:a:0]volume=${op.volume}[a]`);
    if (over.hasAudio) audio.push("-map", "[a]", "-c:a", "aac");
    else if (main.hasAudio) audio.push("-map", "0:a:0", "-c:a", "copy");
    args.push("-filter_complex", graph.join(";"), "-map", "[v]", ...audio);
  } else if (op.op === "stabilize") {
    const p = await videoProbe(job.input(0), job, "the video");
    // Pass 1 writes the frame-to-frame motion to transforms.trf in the private folder (ffmpeg runs there).
    await runFfmpeg(["-i", job.input(0), "-map", "0:v:0", "-vf", "vidstabdetect=result=transforms.trf", "-f", "null", "-"], ctx, { cwd: dir, what: "measuring camera motion" });
    const transform = `vidstabtransform=input=transforms.trf:smoothing=${op.smoothing}:crop=black:optzoom=${op.crop_black ? 1 : 0}`;
    args.push("-map", "0:v:0", "-vf", `${transform},${EVEN}`, ...(p.hasAudio ? ["-map", "0:a:0", "-c:a", "copy"] : []));
  } else {
    const p = await videoProbe(job.input(0), job, "the video");
    args.push("-map", "0:v:0", "-vf", `${singleFilter(op)},${EVEN}`);
    // NodeTool's ChromaKey writes the keyed stream alone; the others keep the audio unchanged.
    if (p.hasAudio && op.op !== "chroma_key") args.push("-map", "0:a:0", "-c:a", "copy");
  }
  args.push(...H264, ...SIZE_LIMIT_ARGS, outFile);
  await runFfmpeg(args, ctx, { cwd: dir, what: op.op.replace("_", " ") });
  return { content_type: "video/mp4", data: await readOutput(outFile, op.op) };
}
