import sharp from "sharp";
import type { ImageOp, ImageSource } from "../../../../schema/image-ops";
import { MAX_IMAGE_PIXELS } from "../../../../schema/image-ops";
import { KernelInputError } from "../types";
import { ascenderPx, findFont, type FontFace } from "./fonts";
import { checkSize, fromRaster, newRaster, parseHex, type Raster, toRaster } from "./raster";

type TextOp = Extract<ImageOp, { op: "text" }>;

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** Pillow's default gap between lines of multi-line text (ImageDraw.multiline_text spacing=4). */
const LINE_SPACING = 4;

/** The drawn width of one line, for centring and right-aligning lines of multi-line text. */
async function lineWidth(face: FontFace, line: string, size: number): Promise<number> {
  if (line.trim() === "") return 0;
  const weight = face.weight === "bold" ? " Bold" : "";
  const style = face.style === "normal" ? "" : ` ${face.style[0].toUpperCase()}${face.style.slice(1)}`;
  const meta = await sharp({ text: { text: escapeXml(line), font: `${face.family}${weight}${style} ${size}`, fontfile: face.file, dpi: 72 } }).metadata();
  return meta.width ?? 0;
}

/**
 * ImageDraw.text((x, y), text, font, fill, align) drawn by librsvg: the font is the system font file NodeTool
 * would load (fonts.ts), y is the top of the first line's ascender (Pillow's "la" anchor: baseline at y plus
 * the font's ascender), further lines follow every ascender + 4 px, and `align` places lines of multi-line
 * text against the widest one. The text layer has the image's size, so text running off the image is clipped.
 */
export async function drawText(r: Raster, op: TextOp): Promise<Raster> {
  if (op.text === "") return r;
  const face = findFont(op.font);
  const [red, green, blue, alpha] = parseHex(op.color);
  const ascent = ascenderPx(face, op.size);
  const lines = op.text.split(/\r?\n/);
  const widths = op.align === "left" || lines.length === 1 ? lines.map(() => 0) : await Promise.all(lines.map((l) => lineWidth(face, l, op.size)));
  const widest = Math.max(...widths);
  const spans = lines.map((line, i) => {
    const shift = op.align === "center" ? (widest - widths[i]) / 2 : op.align === "right" ? widest - widths[i] : 0;
    return `<text x="${op.x + shift}" y="${op.y + ascent + i * (ascent + LINE_SPACING)}">${escapeXml(line)}</text>`;
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${r.width}" height="${r.height}">` +
    `<g font-family="${escapeXml(face.family)}" font-weight="${face.weight}" font-style="${face.style}" font-size="${op.size}" ` +
    `fill="rgb(${red},${green},${blue})" fill-opacity="${alpha / 255}" xml:space="preserve">${spans.join("")}</g></svg>`;
  let layer: Buffer;
  try {
    layer = await sharp(Buffer.from(svg), { density: 72 }).png().toBuffer();
  } catch (err) {
    throw new KernelInputError(`could not render the text: ${err instanceof Error ? err.message : String(err)}`);
  }
  const drawn = await toRaster(fromRaster(r).composite([{ input: layer, left: 0, top: 0, blend: "over" }]));
  // An RGB image stays RGB, as Pillow draws onto it.
  return r.channels === 3 && drawn.channels === 4 ? toRaster(fromRaster(drawn).removeAlpha()) : drawn;
}

/** Standard normal samples (Box-Muller). */
function normal(): number {
  let u = 0;
  while (u === 0) u = Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
}

/** The generated starting images: a solid colour, Gaussian noise, or a rasterised SVG. */
export async function generate(source: ImageSource): Promise<Raster> {
  if (source.kind === "solid") {
    const out = newRaster(source.width, source.height, 3);
    const [r, g, b] = parseHex(source.color);
    for (let i = 0; i < out.data.length; i += 3) {
      out.data[i] = r;
      out.data[i + 1] = g;
      out.data[i + 2] = b;
    }
    return out;
  }
  if (source.kind === "noise") {
    // NodeTool: np.clip(np.random.normal(mean, stddev, (h, w, 3)), 0, 1) * 255, cast to uint8 (truncated).
    const out = newRaster(source.width, source.height, 3);
    for (let i = 0; i < out.data.length; i++) out.data[i] = Math.trunc(Math.min(1, Math.max(0, source.mean + source.stddev * normal())) * 255);
    return out;
  }
  try {
    const pipeline = sharp(Buffer.from(source.svg), { density: 72 * source.scale, limitInputPixels: MAX_IMAGE_PIXELS });
    const meta = await pipeline.metadata();
    // With a density set, libvips reports the size the SVG renders at.
    checkSize(meta.width ?? 0, meta.height ?? 0);
    return await toRaster(pipeline.ensureAlpha());
  } catch (err) {
    if (err instanceof KernelInputError) throw err;
    throw new KernelInputError(`the SVG could not be rendered (${err instanceof Error ? err.message : String(err)})`);
  }
}
