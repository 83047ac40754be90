/**
 * `nodetool.video.*` ffmpeg nodes: declared here, run on the gpu-runner pool's `video` kernel
 * (engine/media/av-jobs.ts). Semantics are NodeTool's (packages/base-nodes/src/nodes/video.ts, and
 * nodetool-base src/nodetool/nodes/nodetool/video.py for AddSubtitles' layout).
 */
import { MAX_FRAMES, MAX_SUBTITLE_CHUNKS } from "../../schema/media-av";
import { type MediaInput, runVideoJob, runVideoToRef, storeOutput } from "../media/av-jobs";
import { colorValue, fontName, numberIn } from "../media/image-ops";
import { emptyMediaRef } from "../media/nodes";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { isRecord, toBool, toList, toText } from "../values/coerce";

const video = (name: string, description: string) => prop(name, "video", emptyMediaRef("video"), { description, required: true });
const vin = (value: unknown, name = "video"): MediaInput => ({ value, name, type: "video" });
const MAX_SECONDS = 3 * 3600;

/** ForEachFrame and its older name FrameIterator: the frames start..end (inclusive; -1: to the last) as images. */
function frameStream(type: string, withEvent: boolean): NodeDecl {
  return defineNode({
    type,
    description: "Extract frames from a video file with ffmpeg.\n    video, frames, extract, sequence",
    gpu: true,
    properties: [
      video("video", "The input video to extract frames from."),
      prop("start", "int", 0, { description: "The frame to start extracting from." }),
      prop("end", "int", -1, { description: "The frame to stop extracting from." }),
    ],
    // Older NodeTool files wire an `event` output into FrameToVideo; it carries nothing the stream does not.
    outputs: [out("frame", "image"), out("index", "int"), out("fps", "float"), ...(withEvent ? [out("event", "event")] : [])],
    gen: async function* (inputs, ctx) {
      const start = numberIn(inputs, "start", 0, 0, 10_000_000, true);
      const end = numberIn(inputs, "end", -1, -1, 10_000_000, true);
      const result = await runVideoJob(ctx, [vin(inputs.video)], { op: "frames", start, end });
      const fps = result.fps ?? 24;
      for (const [i, frame] of result.outputs.entries()) {
        yield { frame: await storeOutput(ctx, frame, "image"), index: start + i, fps };
      }
    },
  });
}

const frameToVideo = defineNode({
  type: "nodetool.video.FrameToVideo",
  description: "Combine a sequence of frames into a single video file.\n    video, frames, combine, sequence",
  gpu: true,
  properties: [
    prop("frame", "image", emptyMediaRef("image"), { description: "Collect input frames" }),
    prop("fps", "float", 30, { description: "The FPS of the output video." }),
    // Wired by older NodeTool files (ForEachFrame's index and event); frames are taken in arrival order.
    prop("index", "int", 0, { description: "The frame's index (accepted for older workflows; frames are used in arrival order)." }),
    prop("event", "event", null, { description: "Accepted for older workflows; the video is made when the frame stream ends." }),
  ],
  outputs: [out("output", "video")],
  run: async (inputs, outputs, ctx) => {
    const frames: unknown[] = [];
    let fps = Number(inputs.value("fps") ?? 30);
    if (inputs.connected("frame") || inputs.connected("fps")) {
      for await (const [handle, item] of inputs.any()) {
        if (handle === "frame") {
          if (frames.length >= MAX_FRAMES) throw new RangeError(`FrameToVideo: more than ${MAX_FRAMES} frames`);
          frames.push(item);
        } else if (handle === "fps") fps = Number(item ?? 30);
      }
    } else {
      // NodeTool's non-streaming fallback: a list of frames given as the property.
      frames.push(...toList(inputs.value("frame") ?? []).filter((f) => isRecord(f) && (f.uri || f.data)));
    }
    // NodeTool: Math.max(1, fps).
    fps = Number.isFinite(fps) ? Math.min(1000, Math.max(1, fps)) : 30;
    if (frames.length === 0) {
      outputs.emit("output", emptyMediaRef("video"));
      return;
    }
    const media = frames.map((value, i): MediaInput => ({ value, name: `frame ${i}`, type: "image" }));
    outputs.emit("output", await runVideoToRef(ctx, media, { op: "from_frames", fps }, "video"));
  },
});

const info = defineNode({
  type: "nodetool.video.GetVideoInfo",
  description: "Get metadata information about a video file.\n    Includes duration, resolution, frame rate, and codec.\n    video, info, metadata, duration, resolution, fps, codec, analysis",
  gpu: true,
  properties: [video("video", "The input video to analyze.")],
  outputs: [out("duration", "float"), out("width", "int"), out("height", "int"), out("fps", "float"), out("frame_count", "int"), out("codec", "str"), out("has_audio", "bool")],
  process: async (inputs, ctx) => {
    const result = await runVideoJob(ctx, [vin(inputs.video)], { op: "info" });
    if (!result.info) throw new Error("GetVideoInfo: the gpu-runner returned no video information");
    return { ...result.info };
  },
});

const fps = defineNode({
  type: "nodetool.video.Fps",
  description: "Get the frames per second (FPS) of a video file.\n    video, analysis, frames, fps",
  gpu: true,
  properties: [video("video", "The input video to analyze for FPS.")],
  outputs: [out("output", "float")],
  process: async (inputs, ctx) => ({ output: (await runVideoJob(ctx, [vin(inputs.video)], { op: "info" })).info?.fps ?? 0 }),
});

const addAudio = defineNode({
  type: "nodetool.video.AddAudio",
  description: "Add an audio track to a video, replacing or mixing with existing audio.\n    video, audio, soundtrack, merge",
  gpu: true,
  properties: [
    video("video", "The input video to add audio to."),
    prop("audio", "audio", emptyMediaRef("audio"), { description: "The audio file to add to the video.", required: true }),
    prop("volume", "float", 1.0, { min: 0, max: 2, description: "Volume adjustment for the added audio. 1.0 is original volume." }),
    prop("mix", "bool", false, { description: "If True, mix new audio with existing. If False, replace existing audio." }),
  ],
  outputs: [out("output", "video")],
  process: async (inputs, ctx) => {
    const op = { op: "add_audio" as const, volume: numberIn(inputs, "volume", 1, 0, 2), mix: toBool(inputs.mix ?? false) };
    return { output: await runVideoToRef(ctx, [vin(inputs.video), { value: inputs.audio, name: "audio", type: "audio" }], op, "video") };
  },
});

const extractAudio = defineNode({
  type: "nodetool.video.ExtractAudio",
  description: "Separate and extract audio track from a video file.\n    video, audio, extract, separate, split",
  gpu: true,
  properties: [video("video", "The input video to separate.")],
  outputs: [out("output", "audio")],
  process: async (inputs, ctx) => ({ output: await runVideoToRef(ctx, [vin(inputs.video)], { op: "extract_audio" }, "audio") }),
});

/** Whisper-style chunks ({timestamp: [start, end], text}) or {start, end, text}. */
function subtitleChunks(value: unknown) {
  const list = toList(value ?? []);
  if (list.length > MAX_SUBTITLE_CHUNKS) throw new RangeError(`at most ${MAX_SUBTITLE_CHUNKS} subtitle chunks, got ${list.length}`);
  return list.map((raw, i) => {
    if (!isRecord(raw)) throw new TypeError(`chunks[${i}] must be an audio chunk {timestamp: [start, end], text}`);
    const ts = Array.isArray(raw.timestamp) ? raw.timestamp : [raw.start, raw.end];
    const start = Number(ts[0] ?? 0);
    const end = ts[1] === null || ts[1] === undefined ? Infinity : Number(ts[1]);
    if (!Number.isFinite(start) || Number.isNaN(end)) throw new TypeError(`chunks[${i}] has no numeric timestamp`);
    return { text: toText(raw.text ?? "").slice(0, 2000), start, end: Math.min(end, 1e9) };
  });
}

const addSubtitles = defineNode({
  type: "nodetool.video.AddSubtitles",
  description: "Add subtitles to a video.\n    video, subtitles, text, caption",
  gpu: true,
  properties: [
    video("video", "The input video to add subtitles to."),
    prop("chunks", "list[audio_chunk]", [], { description: "Audio chunks to add as subtitles." }),
    prop("font", "font", { type: "font", name: "" }, { description: "The font to use (a system font file name, e.g. DejaVuSans)." }),
    prop("align", "enum", "bottom", { values: ["top", "center", "bottom"], description: "Vertical alignment of subtitles." }),
    prop("font_size", "int", 24, { min: 1, max: 72, description: "The font size." }),
    prop("font_color", "color", { type: "color", value: "#FFFFFF" }, { description: "The font color." }),
  ],
  outputs: [out("output", "video")],
  process: async (inputs, ctx) => {
    const align = toText(inputs.align ?? "bottom") || "bottom";
    if (align !== "top" && align !== "center" && align !== "bottom") throw new Error(`align must be top, center or bottom, got '${align}'`);
    const op = {
      op: "subtitles" as const,
      chunks: subtitleChunks(inputs.chunks),
      font: fontName(inputs.font, "DejaVuSans"),
      font_size: numberIn(inputs, "font_size", 24, 1, 72, true),
      color: colorValue(inputs.font_color, "#FFFFFF"),
      align: align as "top" | "center" | "bottom",
    };
    return { output: await runVideoToRef(ctx, [vin(inputs.video)], op, "video") };
  },
});

const extractFrame = defineNode({
  type: "nodetool.video.ExtractFrame",
  description: "Extract a single frame from a video at a specific time position.\n    video, frame, extract, screenshot, thumbnail, capture",
  gpu: true,
  properties: [video("video", "The input video to extract a frame from."), prop("time", "float", 0.0, { min: 0, description: "Time position in seconds to extract the frame from." })],
  outputs: [out("output", "image")],
  process: async (inputs, ctx) => ({ output: await runVideoToRef(ctx, [vin(inputs.video)], { op: "extract_frame", time: numberIn(inputs, "time", 0, 0, MAX_SECONDS) }, "image") }),
});

const trim = defineNode({
  type: "nodetool.video.Trim",
  description: "Trim a video to a specific start and end time.\n    video, trim, cut, segment",
  gpu: true,
  properties: [
    video("video", "The input video to trim."),
    prop("start_time", "float", 0.0, { description: "The start time in seconds for the trimmed video." }),
    prop("end_time", "float", -1.0, { description: "The end time in seconds for the trimmed video. Use -1 for the end of the video." }),
  ],
  outputs: [out("output", "video")],
  process: async (inputs, ctx) => {
    const start = Math.max(0, numberIn(inputs, "start_time", 0, -MAX_SECONDS, MAX_SECONDS));
    const end = numberIn(inputs, "end_time", -1, -MAX_SECONDS, MAX_SECONDS);
    return { output: await runVideoToRef(ctx, [vin(inputs.video)], { op: "trim", start, end: end >= 0 ? end : -1 }, "video") };
  },
});

const resize = defineNode({
  type: "nodetool.video.Resize",
  description: "Resize a video to a specific width and height.\n    video, resize, scale, dimensions",
  gpu: true,
  properties: [
    video("video", "The input video to resize."),
    prop("width", "int", -1, { description: "The target width. Use -1 to maintain aspect ratio." }),
    prop("height", "int", -1, { description: "The target height. Use -1 to maintain aspect ratio." }),
  ],
  outputs: [out("output", "video")],
  process: async (inputs, ctx) => {
    const op = { op: "resize" as const, width: numberIn(inputs, "width", -1, -1, 8192, true), height: numberIn(inputs, "height", -1, -1, 8192, true) };
    return { output: await runVideoToRef(ctx, [vin(inputs.video)], op, "video") };
  },
});

const reverse = defineNode({
  type: "nodetool.video.Reverse",
  description: "Reverse the playback of a video.\n    video, reverse, backwards, effect",
  gpu: true,
  properties: [video("video", "The input video to reverse.")],
  outputs: [out("output", "video")],
  process: async (inputs, ctx) => ({ output: await runVideoToRef(ctx, [vin(inputs.video)], { op: "reverse" }, "video") }),
});

const concat = defineNode({
  type: "nodetool.video.Concat",
  description: "Concatenate multiple video files into a single video, including audio when available.\n    video, concat, merge, combine, audio, +",
  gpu: true,
  properties: [video("video_a", "The first video to concatenate."), video("video_b", "The second video to concatenate.")],
  outputs: [out("output", "video")],
  process: async (inputs, ctx) => ({ output: await runVideoToRef(ctx, [vin(inputs.video_a, "video_a"), vin(inputs.video_b, "video_b")], { op: "concat" }, "video") }),
});

export const videoNodes: NodeDecl[] = [
  frameStream("nodetool.video.ForEachFrame", true),
  frameStream("nodetool.video.FrameIterator", false),
  frameToVideo,
  info,
  fps,
  addAudio,
  extractAudio,
  addSubtitles,
  extractFrame,
  trim,
  resize,
  reverse,
  concat,
];
