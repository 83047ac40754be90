/**
 * `nodetool.video.*` one-filter nodes (Blur, ColorBalance, Denoise, Rotate, Saturation, Sharpness, ChromaKey,
 * SetSpeed, Stabilize, Overlay): declared here, run on the gpu-runner pool's `video` kernel
 * (gpu-runner/src/kernels/video/filters.ts). Properties, defaults and the ffmpeg filters are NodeTool's
 * (nodetool-base src/nodetool/nodes/nodetool/video.py).
 */
import type { VideoOp } from "../../schema/media-av";
import { isEmptyMedia, type MediaInput, runVideoToRef } from "../media/av-jobs";
import { colorValue, numberIn } from "../media/image-ops";
import { emptyMediaRef } from "../media/nodes";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeDecl, PropertyDecl } from "../registry/types";
import { toBool } from "../values/coerce";

const video = (name: string, description: string) => prop(name, "video", emptyMediaRef("video"), { description, required: true });
const vin = (value: unknown, name: string): MediaInput => ({ value, name, type: "video" });
const float = (name: string, fallback: number, min: number, max: number, description: string) => prop(name, "float", fallback, { min, max, description });

function needVideo(inputs: Inputs, name: string): void {
  // NodeTool: raise ValueError("Input video must be connected.") before running ffmpeg.
  if (isEmptyMedia(inputs[name])) throw new Error(`${name}: the input video must be connected`);
}

/** A node with one `video` input whose filter follows from its properties. */
function filterNode(name: string, description: string, videoDescription: string, properties: PropertyDecl[], op: (inputs: Inputs) => VideoOp): NodeDecl {
  return defineNode({
    type: `nodetool.video.${name}`,
    description,
    gpu: true,
    properties: [video("video", videoDescription), ...properties],
    outputs: [out("output", "video")],
    process: async (inputs, ctx) => {
      needVideo(inputs, "video");
      return { output: await runVideoToRef(ctx, [vin(inputs.video, "video")], op(inputs), "video") };
    },
  });
}

const overlay = defineNode({
  type: "nodetool.video.Overlay",
  description: "Overlay one video on top of another, including audio overlay when available.\n    video, overlay, composite, picture-in-picture, audio",
  gpu: true,
  properties: [
    video("main_video", "The main (background) video."),
    video("overlay_video", "The video to overlay on top."),
    prop("x", "int", 0, { description: "X-coordinate for overlay placement." }),
    prop("y", "int", 0, { description: "Y-coordinate for overlay placement." }),
    prop("scale", "float", 1.0, { description: "Scale factor for the overlay video." }),
    float("overlay_audio_volume", 0.5, 0, 1, "Volume of the overlay audio relative to the main audio."),
  ],
  outputs: [out("output", "video")],
  process: async (inputs, ctx) => {
    if (isEmptyMedia(inputs.main_video) || isEmptyMedia(inputs.overlay_video)) throw new Error("Both main and overlay videos must be connected.");
    const op: VideoOp = {
      op: "overlay",
      x: numberIn(inputs, "x", 0, -8192, 8192, true),
      y: numberIn(inputs, "y", 0, -8192, 8192, true),
      scale: numberIn(inputs, "scale", 1, 0.01, 10),
      volume: numberIn(inputs, "overlay_audio_volume", 0.5, 0, 1),
    };
    return { output: await runVideoToRef(ctx, [vin(inputs.main_video, "main_video"), vin(inputs.overlay_video, "overlay_video")], op, "video") };
  },
});

export const videoFilterNodes: NodeDecl[] = [
  filterNode("Blur", "Apply a blur effect to a video.\n    video, blur, smooth, soften", "The input video to apply blur effect.",
    [float("strength", 5.0, 0, 20, "The strength of the blur effect. Higher values create a stronger blur.")],
    (i) => ({ op: "blur", strength: numberIn(i, "strength", 5, 0, 20) })),
  filterNode("ColorBalance", "Adjust the color balance of a video.\n    video, color, balance, adjustment", "The input video to adjust color balance.",
    [float("red_adjust", 1.0, 0, 2, "Red channel adjustment factor."), float("green_adjust", 1.0, 0, 2, "Green channel adjustment factor."), float("blue_adjust", 1.0, 0, 2, "Blue channel adjustment factor.")],
    (i) => ({ op: "color_balance", red: numberIn(i, "red_adjust", 1, 0, 2), green: numberIn(i, "green_adjust", 1, 0, 2), blue: numberIn(i, "blue_adjust", 1, 0, 2) })),
  filterNode("Denoise", "Apply noise reduction to a video.\n    video, denoise, clean, enhance", "The input video to denoise.",
    [float("strength", 5.0, 0, 20, "Strength of the denoising effect. Higher values mean more denoising.")],
    (i) => {
      const strength = numberIn(i, "strength", 5, 0, 20);
      // NodeTool allows 0..20, but ffmpeg's nlmeans rejects a strength under 1 (NodeTool's run fails there too).
      if (strength < 1) throw new RangeError(`strength must be at least 1 (ffmpeg's nlmeans denoiser takes 1 to 30), got ${strength}`);
      return { op: "denoise", strength };
    }),
  filterNode("Rotate", "Rotate a video by a specified angle.\n    video, rotate, orientation, transform", "The input video to rotate.",
    [float("angle", 0.0, -360, 360, "The angle of rotation in degrees.")],
    (i) => ({ op: "rotate", angle: numberIn(i, "angle", 0, -360, 360) })),
  filterNode("Saturation", "Adjust the color saturation of a video.\n    video, saturation, color, enhance", "The input video to adjust saturation.",
    [float("saturation", 1.0, 0, 3, "Saturation level. 1.0 is original, <1 decreases saturation, >1 increases saturation.")],
    (i) => ({ op: "saturation", saturation: numberIn(i, "saturation", 1, 0, 3) })),
  filterNode("Sharpness", "Adjust the sharpness of a video.\n    video, sharpen, enhance, detail", "The input video to sharpen.",
    [float("luma_amount", 1.0, 0, 3, "Amount of sharpening to apply to luma (brightness) channel."), float("chroma_amount", 0.5, 0, 3, "Amount of sharpening to apply to chroma (color) channels.")],
    (i) => ({ op: "sharpness", luma: numberIn(i, "luma_amount", 1, 0, 3), chroma: numberIn(i, "chroma_amount", 0.5, 0, 3) })),
  filterNode("ChromaKey", "Apply chroma key (green screen) effect to a video.\n    video, chroma key, green screen, compositing", "The input video to apply chroma key effect.",
    [
      prop("key_color", "color", { type: "color", value: "#00FF00" }, { description: "The color to key out (e.g., '#00FF00' for green)." }),
      float("similarity", 0.3, 0, 1, "Similarity threshold for the key color."),
      float("blend", 0.1, 0, 1, "Blending of the keyed area edges."),
    ],
    (i) => {
      const similarity = numberIn(i, "similarity", 0.3, 0, 1);
      if (similarity < 0.01) throw new RangeError(`similarity must be at least 0.01 (ffmpeg's chromakey takes 0.01 to 1), got ${similarity}`);
      return { op: "chroma_key", color: colorValue(i.key_color, "#00FF00"), similarity, blend: numberIn(i, "blend", 0.1, 0, 1) };
    }),
  filterNode("SetSpeed", "Adjust the playback speed of a video.\n    video, speed, tempo, time", "The input video to adjust speed.",
    [prop("speed_factor", "float", 1.0, { description: "The speed adjustment factor. Values > 1 speed up, < 1 slow down." })],
    // NodeTool: speed_factor > 0; bounded here so one request stays within the media length limit.
    (i) => ({ op: "set_speed", speed: numberIn(i, "speed_factor", 1, 0.01, 100) })),
  filterNode("Stabilize", "Apply video stabilization to reduce camera shake and jitter.\n    video, stabilize, smooth, shake-reduction", "The input video to stabilize.",
    [
      float("smoothing", 10.0, 1, 100, "Smoothing strength. Higher values result in smoother but potentially more cropped video."),
      prop("crop_black", "bool", true, { description: "Whether to crop black borders that may appear after stabilization." }),
    ],
    // NodeTool's graph (deshake=smooth=..., then cropdetect,crop) fails in ffmpeg, which has no deshake `smooth`
    // option; this runs the stabilisation its properties describe on libvidstab (see the video kernel's filters).
    (i) => ({ op: "stabilize", smoothing: Math.round(numberIn(i, "smoothing", 10, 1, 100)), crop_black: toBool(i.crop_black ?? true) })),
  overlay,
];
