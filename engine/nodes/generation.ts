/**
 * NodeTool's provider-routed generation nodes for images and video (`nodetool.image.TextToImage`,
 * `ImageToImage`, `nodetool.video.TextToVideo`, `ImageToVideo`), on OpenAI's images and videos protocols
 * through services.media. The model property picks the provider (`{type: "image_model", provider, id}`);
 * an empty model (`{}`, as NodeTool's examples save it) means this server's default for the task.
 * NodeTool: src/nodetool/nodes/nodetool/image.py, video.py (nodetool-base).
 */
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { imageSize, videoSize } from "../providers/media/params";
import { toBool, toText } from "../values/coerce";
import { bounded, emptyMedia, mediaOf, modelRef, requiredMedia, saveGenerated, timeoutMs, warnIgnored } from "./generation-common";

const modelValue = (type: string, provider: string, id: string, name: string) => ({ type, provider, id, name, path: null, supported_tasks: [] });

/**
 * Diffusion settings that OpenAI's images API has no parameter for: negative_prompt, guidance_scale,
 * num_inference_steps, seed, safety_check (and ImageToImage's strength and scheduler). They are accepted so
 * files validate, and a changed value is reported in the node's log rather than silently dropped.
 */
function diffusionIgnored(inputs: Record<string, unknown>, extra: [string, unknown][] = []): string[] {
  const changed: string[] = [];
  if (toText(inputs.negative_prompt) !== "") changed.push("negative_prompt");
  if (inputs.seed !== undefined && Number(inputs.seed) !== -1) changed.push("seed");
  if (inputs.safety_check !== undefined && !toBool(inputs.safety_check)) changed.push("safety_check=false");
  for (const [name, def] of extra) if (inputs[name] !== undefined && inputs[name] !== def && toText(inputs[name]) !== toText(def)) changed.push(name);
  return changed;
}

const ASPECT_RATIOS = ["16:9", "9:16", "1:1", "4:3", "3:4"] as const;
const RESOLUTIONS = ["480p", "720p", "1080p"] as const;

function videoProps(first: "image" | "prompt") {
  return [
    ...(first === "image" ? [prop("image", "image", emptyMedia("image"), { description: "The image to animate (the first frame)." })] : []),
    prop("model", "video_model", modelValue("video_model", "gemini", "veo-3.1-generate-preview", "Veo 3.1 Preview"), { description: "The video generation model to use." }),
    prop("prompt", "str", first === "image" ? "" : "A cat playing with a ball of yarn", { description: "Text prompt describing the desired video." }),
    prop("negative_prompt", "str", "", { description: "What to avoid in the video (no counterpart in OpenAI's videos API)." }),
    prop("aspect_ratio", "enum", "16:9", { values: ASPECT_RATIOS, description: "Aspect ratio of the video." }),
    prop("resolution", "enum", "720p", { values: RESOLUTIONS, description: "Resolution of the video (its short edge)." }),
    prop("num_frames", "int", 60, { min: 1, max: 1000, description: "Number of frames (no counterpart in OpenAI's videos API, which takes seconds)." }),
    prop("guidance_scale", "float", 7.5, { min: 0, max: 30, description: "Classifier-free guidance scale (no counterpart in OpenAI's videos API)." }),
    prop("num_inference_steps", "int", 30, { min: 1, max: 100, description: "Denoising steps (no counterpart in OpenAI's videos API)." }),
    prop("seed", "int", -1, { min: -1, description: "Random seed, -1 for random (no counterpart in OpenAI's videos API)." }),
    prop("timeout_seconds", "int", 0, { min: 0, max: 7200, description: "How long the generation may take (0: the server's default of 20 minutes)." }),
  ];
}

function videoNode(kind: "TextToVideo" | "ImageToVideo", description: string): NodeDecl {
  return defineNode({
    type: `nodetool.video.${kind}`,
    description,
    properties: videoProps(kind === "ImageToVideo" ? "image" : "prompt"),
    outputs: [out("output", "video")],
    process: async (inputs, ctx) => {
      const media = mediaOf(ctx);
      const image = kind === "ImageToVideo" ? await requiredMedia(inputs.image, ctx, `${kind}: image`, "image") : undefined;
      const prompt = toText(inputs.prompt);
      if (kind === "TextToVideo" && prompt.trim() === "") throw new Error(`${kind}: prompt is empty`);
      const model = modelRef(inputs.model);
      const aspect = toText(inputs.aspect_ratio || "16:9");
      const resolution = toText(inputs.resolution || "720p");
      if (!(ASPECT_RATIOS as readonly string[]).includes(aspect)) throw new Error(`${kind}: aspect_ratio must be one of ${ASPECT_RATIOS.join(", ")}, got '${aspect}'`);
      if (!(RESOLUTIONS as readonly string[]).includes(resolution)) throw new Error(`${kind}: resolution must be one of ${RESOLUTIONS.join(", ")}, got '${resolution}'`);
      bounded(inputs.num_frames ?? 60, "num_frames", 1, 1000, true);
      const size = videoSize(media.route("video", model).model, aspect, resolution);
      warnIgnored(ctx, diffusionIgnored(inputs, [["num_frames", 60], ["guidance_scale", 7.5], ["num_inference_steps", 30]]), "OpenAI's videos API");
      const video = await media.generateVideo(
        { model, prompt, size, image, timeoutMs: timeoutMs(inputs.timeout_seconds, 7200), onProgress: (p) => ctx.progress(Math.max(0, Math.min(100, p)), 100) },
        ctx.signal,
      );
      return { output: await saveGenerated(ctx, video, "video", kind) };
    },
  });
}

export const generationNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.image.TextToImage",
    description:
      "Generate images from text prompts using any supported image provider. Automatically routes to the appropriate backend (HuggingFace, FAL, MLX).\n    image, generation, AI, text-to-image, t2i",
    properties: [
      prop("model", "image_model", modelValue("image_model", "huggingface_fal_ai", "fal-ai/flux/schnell", "FLUX.1 Schnell"), { description: "The image generation model to use." }),
      prop("prompt", "str", "A cat holding a sign that says hello world", { description: "Text prompt describing the desired image." }),
      prop("negative_prompt", "str", "", { description: "What to avoid in the image (no counterpart in OpenAI's images API)." }),
      prop("width", "int", 512, { min: 64, max: 2048, description: "Width of the generated image (OpenAI's own models snap to their nearest size)." }),
      prop("height", "int", 512, { min: 64, max: 2048, description: "Height of the generated image." }),
      prop("guidance_scale", "float", 7.5, { min: 0, max: 30, description: "Classifier-free guidance scale (no counterpart in OpenAI's images API)." }),
      prop("num_inference_steps", "int", 30, { min: 1, max: 100, description: "Denoising steps (no counterpart in OpenAI's images API)." }),
      prop("seed", "int", -1, { min: -1, description: "Random seed, -1 for random (no counterpart in OpenAI's images API)." }),
      prop("safety_check", "bool", true, { description: "Enable the safety checker (OpenAI always moderates)." }),
      prop("timeout_seconds", "int", 0, { min: 0, max: 3600, description: "Timeout for the provider call in seconds (0: the server's default)." }),
    ],
    outputs: [out("output", "image")],
    process: async (inputs, ctx) => {
      const media = mediaOf(ctx);
      const prompt = toText(inputs.prompt);
      if (prompt.trim() === "") throw new Error("TextToImage: prompt is empty");
      const width = bounded(inputs.width ?? 512, "width", 64, 2048, true);
      const height = bounded(inputs.height ?? 512, "height", 64, 2048, true);
      const model = modelRef(inputs.model);
      const size = imageSize(media.route("image", model).model, width, height);
      if (size !== `${width}x${height}`) ctx.log(`${width}x${height} is not a size this model makes; asked for ${size}`, "info");
      warnIgnored(ctx, diffusionIgnored(inputs, [["guidance_scale", 7.5], ["num_inference_steps", 30]]), "OpenAI's images API");
      const image = await media.generateImage({ model, prompt, size, timeoutMs: timeoutMs(inputs.timeout_seconds, 3600) }, ctx.signal);
      return { output: await saveGenerated(ctx, image, "image", "TextToImage") };
    },
  }),
  defineNode({
    type: "nodetool.image.ImageToImage",
    description:
      "Transform images using text prompts with any supported image provider. Automatically routes to the appropriate backend (HuggingFace, FAL, MLX).\n    image, transformation, AI, image-to-image, i2i",
    properties: [
      prop("model", "image_model", modelValue("image_model", "huggingface_fal_ai", "fal-ai/flux/dev", "FLUX.1 Dev"), { description: "The image generation model to use." }),
      prop("image", "image", emptyMedia("image"), { description: "Input image to transform." }),
      prop("prompt", "str", "A photorealistic version of the input image", { description: "Text prompt describing the desired transformation." }),
      prop("negative_prompt", "str", "", { description: "What to avoid (no counterpart in OpenAI's images API)." }),
      prop("strength", "float", 0.8, { min: 0, max: 1, description: "How much to transform the input image (no counterpart in OpenAI's image edits)." }),
      prop("guidance_scale", "float", 7.5, { min: 0, max: 30, description: "Classifier-free guidance scale (no counterpart in OpenAI's images API)." }),
      prop("num_inference_steps", "int", 30, { min: 1, max: 100, description: "Denoising steps (no counterpart in OpenAI's images API)." }),
      prop("target_width", "int", 512, { min: 64, max: 2048, description: "Target width of the output image." }),
      prop("target_height", "int", 512, { min: 64, max: 2048, description: "Target height of the output image." }),
      prop("seed", "int", -1, { min: -1, description: "Random seed, -1 for random (no counterpart in OpenAI's images API)." }),
      prop("scheduler", "str", "", { description: "Scheduler to use (provider-specific; no counterpart in OpenAI's images API)." }),
      prop("safety_check", "bool", true, { description: "Enable the safety checker (OpenAI always moderates)." }),
      prop("timeout_seconds", "int", 0, { min: 0, max: 3600, description: "Timeout for the provider call in seconds (0: the server's default)." }),
    ],
    outputs: [out("output", "image")],
    process: async (inputs, ctx) => {
      const media = mediaOf(ctx);
      const image = await requiredMedia(inputs.image, ctx, "ImageToImage: image", "image");
      const prompt = toText(inputs.prompt);
      if (prompt.trim() === "") throw new Error("ImageToImage: prompt is empty");
      const width = bounded(inputs.target_width ?? 512, "target_width", 64, 2048, true);
      const height = bounded(inputs.target_height ?? 512, "target_height", 64, 2048, true);
      bounded(inputs.strength ?? 0.8, "strength", 0, 1);
      const model = modelRef(inputs.model);
      const size = imageSize(media.route("image", model).model, width, height);
      if (size !== `${width}x${height}`) ctx.log(`${width}x${height} is not a size this model makes; asked for ${size}`, "info");
      warnIgnored(ctx, diffusionIgnored(inputs, [["strength", 0.8], ["guidance_scale", 7.5], ["num_inference_steps", 30], ["scheduler", ""]]), "OpenAI's image edits API");
      const result = await media.editImage({ model, prompt, size, image, timeoutMs: timeoutMs(inputs.timeout_seconds, 3600) }, ctx.signal);
      return { output: await saveGenerated(ctx, result, "image", "ImageToImage") };
    },
  }),
  videoNode(
    "TextToVideo",
    "Generate videos from text prompts using any supported video provider. Automatically routes to the appropriate backend (Gemini Veo, HuggingFace).\n    video, generation, AI, text-to-video, t2v",
  ),
  videoNode(
    "ImageToVideo",
    "Generate videos from input images using any supported video provider.\n    Animates static images into dynamic video content with AI-powered motion.\n    video, image-to-video, i2v, animation, AI, generation, sora, veo",
  ),
];
