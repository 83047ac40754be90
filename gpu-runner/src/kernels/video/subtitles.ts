import sharp from "sharp";
import type { VideoOp } from "../../../../schema/media-av";
import { ascenderPx, findFont, type FontFace } from "../image/fonts";
import { KernelInputError } from "../types";

type SubtitleOp = Extract<VideoOp, { op: "subtitles" }>;

/** Most distinct subtitle overlays one video gets (each is one ffmpeg input). */
export const MAX_OVERLAYS = 400;

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A run of frames [first, last] showing chunk `chunk`. */
export interface SubtitleSpan {
  chunk: number;
  first: number;
  last: number;
}

/**
 * Which chunk each frame shows, as runs: NodeTool draws, on frame n at time n / fps, the first chunk whose
 * timestamp[0] <= t <= timestamp[1] (nodetool-base src/nodetool/nodes/nodetool/video.py, AddSubtitles).
 */
export function subtitleSpans(chunks: SubtitleOp["chunks"], fps: number, frames: number): SubtitleSpan[] {
  const spans: SubtitleSpan[] = [];
  for (let n = 0; n < frames; n++) {
    const t = n / fps;
    const chunk = chunks.findIndex((c) => c.text !== "" && c.start <= t && t <= c.end);
    if (chunk < 0) continue;
    const last = spans[spans.length - 1];
    if (last && last.chunk === chunk && last.last === n - 1) last.last = n;
    else spans.push({ chunk, first: n, last: n });
  }
  return spans;
}

async function textWidth(face: FontFace, text: string, size: number): Promise<number> {
  if (text.trim() === "") return 0;
  const weight = face.weight === "bold" ? " Bold" : "";
  const meta = await sharp({ text: { text: escapeXml(text), font: `${face.family}${weight} ${size}`, fontfile: face.file, dpi: 72 } }).metadata();
  return meta.width ?? 0;
}

/** NodeTool's wrap_text: words are added while the line fits `maxWidth`; a single too-long word gets a line of its own. */
async function wrap(face: FontFace, text: string, size: number, maxWidth: number): Promise<string[]> {
  const lines: string[] = [];
  let current: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    current.push(word);
    if ((await textWidth(face, current.join(" "), size)) > maxWidth) {
      if (current.length === 1) {
        lines.push(current[0]);
        current = [];
      } else {
        current.pop();
        lines.push(current.join(" "));
        current = [word];
      }
    }
  }
  if (current.length) lines.push(current.join(" "));
  return lines;
}

/**
 * One chunk's text as a transparent PNG the size of the video: lines wrapped to 80% of the width, each centred,
 * 1.2 x font size apart, the block 20 px from the top, centred, or 20 px from the bottom; each line's y is the
 * top of its ascender, as Pillow's ImageDraw.text places it.
 */
export async function renderSubtitle(text: string, op: SubtitleOp, width: number, height: number): Promise<Buffer> {
  const face = findFont(op.font);
  const lines = await wrap(face, text, op.font_size, Math.trunc(width * 0.8));
  const spacing = op.font_size * 1.2;
  const blockHeight = lines.length * spacing;
  let y = op.align === "top" ? 20 : op.align === "center" ? Math.floor((height - blockHeight) / 2) : height - blockHeight - 20;
  const ascent = ascenderPx(face, op.font_size);
  const spans: string[] = [];
  for (const line of lines) {
    const x = Math.floor((width - (await textWidth(face, line, op.font_size))) / 2);
    spans.push(`<text x="${x}" y="${y + ascent}">${escapeXml(line)}</text>`);
    y += spacing;
  }
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<g font-family="${escapeXml(face.family)}" font-weight="${face.weight}" font-style="${face.style}" font-size="${op.font_size}" fill="${op.color.slice(0, 7)}" xml:space="preserve">${spans.join("")}</g></svg>`;
  try {
    return await sharp(Buffer.from(svg), { density: 72 }).png().toBuffer();
  } catch (err) {
    throw new KernelInputError(`could not render the subtitle text: ${err instanceof Error ? err.message : String(err)}`);
  }
}
