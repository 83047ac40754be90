/**
 * NodeTool's generation properties mapped onto OpenAI's media parameters. OpenAI's own models accept only
 * a few sizes, so a requested width and height snap to the nearest allowed shape; any other model (an
 * OpenAI-compatible server running Stable Diffusion, FLUX, ...) is sent the size exactly as asked.
 */

const GPT_IMAGE_SIZES = ["1024x1024", "1536x1024", "1024x1536"];
const DALLE3_SIZES = ["1024x1024", "1792x1024", "1024x1792"];
const DALLE2_SIZES = ["256x256", "512x512", "1024x1024"];

function dims(size: string): [number, number] {
  const [w, h] = size.split("x").map(Number);
  return [w, h];
}

/** The allowed size whose aspect ratio is closest (in log scale) to the requested one. */
function nearestShape(sizes: readonly string[], width: number, height: number): string {
  const want = Math.log(width / height);
  let best = sizes[0];
  let bestDistance = Infinity;
  for (const s of sizes) {
    const [w, h] = dims(s);
    const d = Math.abs(Math.log(w / h) - want);
    if (d < bestDistance - 1e-9) {
      best = s;
      bestDistance = d;
    }
  }
  return best;
}

/** The sizes a model of OpenAI's accepts, or undefined for a model it does not know (sent as asked). */
export function openAIImageSizes(model: string): readonly string[] | undefined {
  const m = model.toLowerCase();
  if (m.startsWith("gpt-image") || m.startsWith("chatgpt-image")) return GPT_IMAGE_SIZES;
  if (m.startsWith("dall-e-3")) return DALLE3_SIZES;
  if (m.startsWith("dall-e-2")) return DALLE2_SIZES;
  return undefined;
}

/** `size` for a requested width and height: exact for unknown models, the nearest allowed one for OpenAI's. */
export function imageSize(model: string, width: number, height: number): string {
  const sizes = openAIImageSizes(model);
  if (!sizes) return `${width}x${height}`;
  if (sizes === DALLE2_SIZES) {
    // Square only: the smallest that covers the larger side.
    const side = Math.max(width, height);
    return sizes.find((s) => dims(s)[0] >= side) ?? sizes[sizes.length - 1];
  }
  return nearestShape(sizes, width, height);
}

/** gpt-image models always answer in base64 and refuse `response_format`; everything else is asked for it. */
export function wantsResponseFormat(model: string): boolean {
  return !/^(gpt-image|chatgpt-image)/i.test(model);
}

const SORA_SIZES = ["1280x720", "720x1280"];
const SORA_PRO_SIZES = ["1280x720", "720x1280", "1792x1024", "1024x1792"];
const SHORT_EDGE: Record<string, number> = { "480p": 480, "720p": 720, "1080p": 1080 };

/** Width and height of NodeTool's `aspect_ratio` (`16:9`) at its `resolution` (`720p`: the short edge). */
export function videoDimensions(aspectRatio: string, resolution: string): [number, number] {
  const m = /^(\d+):(\d+)$/.exec(aspectRatio.trim());
  const [a, b] = m ? [Number(m[1]), Number(m[2])] : [16, 9];
  const short = SHORT_EDGE[resolution.trim()] ?? 720;
  // Even sides: video encoders need them.
  const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
  return a >= b ? [even((short * a) / b), short] : [short, even((short * b) / a)];
}

/** `size` of a video request: Sora's nearest allowed shape (1080p asks sora-2-pro for its large sizes), else exact. */
export function videoSize(model: string, aspectRatio: string, resolution: string): string {
  const [w, h] = videoDimensions(aspectRatio, resolution);
  const m = model.toLowerCase();
  if (!m.startsWith("sora")) return `${w}x${h}`;
  const pro = m.startsWith("sora-2-pro");
  const candidates = pro && resolution === "1080p" ? ["1792x1024", "1024x1792"] : pro ? SORA_PRO_SIZES.slice(0, 2) : SORA_SIZES;
  return nearestShape(candidates, w, h);
}
