/**
 * Reading PDFs with pdf.js (the serverless build that `unpdf` ships: no worker, no eval, no canvas), so the
 * same code runs in workerd and in Node. Pages come out as positioned text spans in top-left coordinates
 * (PyMuPDF's and pdfplumber's convention), from which the layout helpers build lines, blocks and markdown.
 */
import type { PDFDocumentProxy, PDFPageProxy } from "unpdf/pdfjs";
import { spanColors } from "./pdf-colors";

/** Larger PDFs are refused before parsing. */
export const MAX_PDF_BYTES = 64 * 1024 * 1024;
/** Pages one node reads at most; a longer range fails instead of running for minutes. */
export const MAX_PDF_PAGES = 2000;

export interface PdfSpan {
  text: string;
  /** The font's PostScript name without its subset tag ("ABCDEF+"), when known. */
  font: string;
  size: number;
  bold: boolean;
  italic: boolean;
  /** sRGB as one integer (0xRRGGBB), as PyMuPDF reports span colours; null until colours are read. */
  color: number | null;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** pdf.js's judgement that a line break follows this span. */
  eol: boolean;
}

export interface PdfPageInfo {
  /** 0-based. */
  index: number;
  width: number;
  height: number;
  rotation: number;
  /** The crop box as [x0, y0, x1, y1] in PDF units. */
  box: number[];
}

type PdfJs = typeof import("unpdf/pdfjs");
let pdfjs: Promise<PdfJs> | undefined;
// Loaded on first use: the module is large and most runs never touch a PDF.
const loadPdfJs = () => (pdfjs ??= import("unpdf/pdfjs"));

export class PdfFile {
  private constructor(
    private readonly doc: PDFDocumentProxy,
    private readonly lib: PdfJs,
  ) {}

  static async open(bytes: Uint8Array, what: string): Promise<PdfFile> {
    if (bytes.length > MAX_PDF_BYTES) throw new Error(`${what}: the PDF is ${bytes.length} bytes (limit ${MAX_PDF_BYTES})`);
    if (!startsWithPdfHeader(bytes)) throw new Error(`${what}: not a PDF (no %PDF- header in the first 1024 bytes)`);
    const lib = await loadPdfJs();
    // pdf.js takes ownership of (and may detach) the buffer it is given, so it gets a copy.
    const task = lib.getDocument({
      data: bytes.slice(),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      stopAtErrors: false,
      verbosity: 0,
    });
    try {
      return new PdfFile(await task.promise, lib);
    } catch (err) {
      await task.destroy().catch(() => undefined);
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`${what}: the PDF could not be read (${reason})`);
    }
  }

  get pageCount(): number {
    return this.doc.numPages;
  }

  async close(): Promise<void> {
    await this.doc.destroy().catch(() => undefined);
  }

  private page(index: number): Promise<PDFPageProxy> {
    return this.doc.getPage(index + 1);
  }

  async pageInfo(index: number): Promise<PdfPageInfo> {
    const page = await this.page(index);
    const viewport = page.getViewport({ scale: 1 });
    return { index, width: viewport.width, height: viewport.height, rotation: page.rotate, box: [...page.view] };
  }

  /**
   * The page's text spans in reading (content stream) order. With `styled`, fonts are resolved to their real
   * names and each span gets its fill colour, which costs a pass over the page's drawing operators.
   */
  async spans(index: number, styled = false): Promise<PdfSpan[]> {
    const page = await this.page(index);
    const viewport = page.getViewport({ scale: 1 });
    const content = await page.getTextContent({ disableNormalization: styled });
    const names = new Map<string, string>();
    let colors: (number | null)[] = [];
    if (styled) {
      const ops = await page.getOperatorList();
      colors = spanColors(ops, this.lib.OPS, content.items.map((it) => ("str" in it ? it.str : "")));
      for (const item of content.items) {
        if (!("fontName" in item) || names.has(item.fontName)) continue;
        names.set(item.fontName, fontNameOf(page, item.fontName));
      }
    }
    const spans: PdfSpan[] = [];
    content.items.forEach((item, i) => {
      if (!("str" in item)) return;
      const style = content.styles[item.fontName] as { fontFamily?: string; ascent?: number; descent?: number } | undefined;
      const [a, b, c, d, e, f] = item.transform as number[];
      const size = Math.hypot(c, d) || Math.hypot(a, b) || item.height;
      const ascent = style?.ascent ?? 0.8;
      const descent = style?.descent ?? -0.2;
      // Corners of the span's box in PDF space, then into the top-left viewport space.
      const dirX = Math.hypot(a, b) ? [a / Math.hypot(a, b), b / Math.hypot(a, b)] : [1, 0];
      const up = [-dirX[1] * size, dirX[0] * size];
      const corners = [
        [e + up[0] * descent, f + up[1] * descent],
        [e + up[0] * ascent, f + up[1] * ascent],
        [e + dirX[0] * item.width + up[0] * descent, f + dirX[1] * item.width + up[1] * descent],
        [e + dirX[0] * item.width + up[0] * ascent, f + dirX[1] * item.width + up[1] * ascent],
      ].map(([x, y]) => viewport.convertToViewportPoint(x, y) as number[]);
      const xs = corners.map((p) => p[0]);
      const ys = corners.map((p) => p[1]);
      const font = names.get(item.fontName) ?? style?.fontFamily ?? item.fontName;
      spans.push({
        text: item.str,
        font,
        size: round(size),
        bold: /bold|black|heavy|semibold|demi/i.test(font),
        italic: /italic|oblique/i.test(font),
        color: styled ? (colors[i] ?? 0) : null,
        x0: round(Math.min(...xs)),
        y0: round(Math.min(...ys)),
        x1: round(Math.max(...xs)),
        y1: round(Math.max(...ys)),
        eol: item.hasEOL,
      });
    });
    page.cleanup();
    return spans;
  }
}

function fontNameOf(page: PDFPageProxy, id: string): string {
  try {
    const font = page.commonObjs.get(id) as { name?: string } | undefined;
    if (font && typeof font.name === "string" && font.name !== "") return font.name.replace(/^[A-Z]{6}\+/, "");
  } catch {
    // Not loaded (a font pdf.js could not parse): fall back to the generic family.
  }
  return id;
}

function startsWithPdfHeader(bytes: Uint8Array): boolean {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 1024));
  return head.includes("%PDF-");
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Opens a PDF, runs `fn`, and always releases pdf.js's document. */
export async function withPdf<T>(bytes: Uint8Array, what: string, fn: (pdf: PdfFile) => Promise<T>): Promise<T> {
  const pdf = await PdfFile.open(bytes, what);
  try {
    return await fn(pdf);
  } finally {
    await pdf.close();
  }
}

/**
 * PyMuPDF's page range (lib.pymupdf.*): `start_page` to `end_page` inclusive, 0-based, -1 for the last page.
 * Pages past the end are left out rather than failing.
 */
export function inclusiveRange(start: number, end: number, count: number): number[] {
  const first = Math.max(0, start);
  const last = end === -1 ? count - 1 : Math.min(end, count - 1);
  return pages(first, last + 1);
}

/** pdfplumber's page range (lib.pdfplumber.*): Python's `range(start_page, end_page)`, -1 meaning every page. */
export function exclusiveRange(start: number, end: number, count: number): number[] {
  const stop = end === -1 ? count : Math.min(end, count);
  return pages(Math.max(0, start), stop);
}

function pages(from: number, to: number): number[] {
  const n = Math.max(0, to - from);
  if (n > MAX_PDF_PAGES) throw new Error(`the page range covers ${n} pages (limit ${MAX_PDF_PAGES})`);
  return Array.from({ length: n }, (_, i) => from + i);
}
