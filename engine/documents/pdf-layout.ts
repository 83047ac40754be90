/**
 * Layout from positioned text spans: lines, blocks (paragraph-like groups of lines) and markdown. Coordinates
 * are top-left based, as in PyMuPDF.
 */
import type { PdfSpan } from "./pdf";

export interface PdfLine {
  spans: PdfSpan[];
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  size: number;
}

export interface PdfBlock {
  lines: PdfLine[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function box<T extends { x0: number; y0: number; x1: number; y1: number }>(parts: readonly T[]) {
  return {
    x0: Math.min(...parts.map((p) => p.x0)),
    y0: Math.min(...parts.map((p) => p.y0)),
    x1: Math.max(...parts.map((p) => p.x1)),
    y1: Math.max(...parts.map((p) => p.y1)),
  };
}

/** Groups spans into lines: pdf.js marks line ends; a span whose middle is outside the line's band starts one too. */
export function toLines(spans: readonly PdfSpan[]): PdfLine[] {
  const lines: PdfLine[] = [];
  let current: PdfSpan[] = [];
  const flush = () => {
    const visible = current.filter((s) => s.text !== "");
    if (visible.length > 0 && visible.some((s) => s.text.trim() !== "")) {
      lines.push({ spans: visible, text: visible.map((s) => s.text).join("").trimEnd(), size: Math.max(...visible.map((s) => s.size)), ...box(visible) });
    }
    current = [];
  };
  for (const span of spans) {
    const placed = current.filter((s) => s.text !== "");
    if (span.text !== "" && placed.length > 0) {
      const band = box(placed);
      const mid = (span.y0 + span.y1) / 2;
      if (mid < band.y0 || mid > band.y1) flush();
    }
    current.push(span);
    if (span.eol) flush();
  }
  flush();
  return lines;
}

/** Lines that follow each other closely and overlap horizontally form a block. */
export function toBlocks(lines: readonly PdfLine[]): PdfBlock[] {
  const blocks: PdfBlock[] = [];
  let current: PdfLine[] = [];
  const flush = () => {
    if (current.length > 0) blocks.push({ lines: current, ...box(current) });
    current = [];
  };
  for (const line of lines) {
    const prev = current[current.length - 1];
    if (prev) {
      const gap = line.y0 - prev.y1;
      const height = Math.max(prev.y1 - prev.y0, line.y1 - line.y0);
      const overlaps = line.x0 <= prev.x1 && line.x1 >= prev.x0;
      const sameSize = Math.abs(line.size - prev.size) <= Math.max(1, prev.size * 0.15);
      if (gap > height * 0.6 || gap < -height || !overlaps || !sameSize) flush();
    }
    current.push(line);
  }
  flush();
  return blocks;
}

/** PyMuPDF's `page.get_text()`: every line followed by a newline. */
export function pageText(lines: readonly PdfLine[]): string {
  return lines.map((l) => `${l.text}\n`).join("");
}

/** pdfplumber's `page.extract_text()`: lines joined by newlines. */
export function plumberText(lines: readonly PdfLine[]): string {
  return lines.map((l) => l.text).join("\n");
}

const BULLET = /^[•◦▪▫●○■□‣⁃∙·\-*]\s+/;

/** The most frequent span size, weighted by characters: the body text size. */
export function bodySize(spans: readonly PdfSpan[]): number {
  const weight = new Map<number, number>();
  for (const s of spans) {
    const k = Math.round(s.size);
    weight.set(k, (weight.get(k) ?? 0) + s.text.trim().length);
  }
  let best = 0;
  let most = -1;
  for (const [size, w] of weight) if (w > most || (w === most && size < best)) [best, most] = [size, w];
  return best;
}

/** Header levels by font size: each size clearly above the body size gets a level, the largest `#`. */
export function headerLevels(spans: readonly PdfSpan[], body: number): Map<number, number> {
  const sizes = [...new Set(spans.filter((s) => s.text.trim() !== "").map((s) => Math.round(s.size)))].filter((s) => s > body).sort((a, b) => b - a);
  return new Map(sizes.map((s, i) => [s, Math.min(6, i + 1)]));
}

function styledText(line: PdfLine): string {
  let out = "";
  for (const s of line.spans) {
    const t = s.text;
    if (t.trim() === "" || (!s.bold && !s.italic)) {
      out += t;
      continue;
    }
    const lead = t.match(/^\s*/)![0];
    const trail = t.match(/\s*$/)![0];
    let core = t.trim();
    if (s.italic) core = `_${core}_`;
    if (s.bold) core = `**${core}**`;
    out += lead + core + trail;
  }
  return out.trim().replace(/\*\*\s*\*\*/g, " ").replace(/_\s*_/g, " ");
}

/** Markdown for one page: headers from font sizes, bold and italic runs, bullet lists, paragraphs from blocks. */
export function pageMarkdown(blocks: readonly PdfBlock[], levels: ReadonlyMap<number, number>): string {
  const parts: string[] = [];
  for (const block of blocks) {
    const level = levels.get(Math.round(Math.max(...block.lines.map((l) => l.size))));
    if (level !== undefined && block.lines.every((l) => levels.has(Math.round(l.size)))) {
      parts.push(`${"#".repeat(level)} ${block.lines.map((l) => l.text.trim()).join(" ")}`);
      continue;
    }
    const out: string[] = [];
    let paragraph: string[] = [];
    const endParagraph = () => {
      if (paragraph.length > 0) out.push(paragraph.join(" "));
      paragraph = [];
    };
    for (const line of block.lines) {
      const text = styledText(line);
      if (BULLET.test(line.text.trim())) {
        endParagraph();
        out.push(`- ${text.replace(BULLET, "")}`);
      } else if (out.length > 0 && out[out.length - 1].startsWith("- ") && paragraph.length === 0 && line.x0 > block.x0 + 1) {
        out[out.length - 1] += ` ${text}`;
      } else {
        paragraph.push(text);
      }
    }
    endParagraph();
    parts.push(out.join("\n"));
  }
  return parts.join("\n\n");
}

/** Markdown for several pages; font sizes are judged over all of them, so a page with only a title still has a header. */
export function pagesMarkdown(pages: readonly (readonly PdfSpan[])[]): string {
  const all = pages.flat();
  const levels = headerLevels(all, bodySize(all));
  const parts = pages.map((spans) => pageMarkdown(toBlocks(toLines(spans)), levels)).filter((p) => p !== "");
  return parts.length > 0 ? `${parts.join("\n\n-----\n\n")}\n` : "";
}
