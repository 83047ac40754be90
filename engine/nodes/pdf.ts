import { pagesMarkdown, pageText, plumberText, toBlocks, toLines } from "../documents/pdf-layout";
import { exclusiveRange, inclusiveRange, withPdf, type PdfFile } from "../documents/pdf";
import { documentBytes } from "../documents/files";
import { emptyMediaRef } from "../media/nodes";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl, PropertyDecl } from "../registry/types";
import { toInt } from "../values/coerce";

/**
 * `lib.pymupdf.*` and `lib.pdfplumber.*`: text and page facts from PDFs, read with pdf.js (no native PyMuPDF or
 * pdfminer here). Page ranges follow each library's NodeTool node: PyMuPDF's are inclusive with -1 for the last
 * page (NodeTool: src/nodetool/nodes/lib/pymupdf.py), pdfplumber's are Python `range(start, end)` with -1 for
 * every page (NodeTool: src/nodetool/nodes/lib/pdfplumber.py). Coordinates are PDF points from the top-left.
 */

const pdfProp = (description: string, defaultValue: unknown = emptyMediaRef("document")): PropertyDecl =>
  prop("pdf", "document", defaultValue, { description, required: true });
const pymupdfRange = [
  prop("start_page", "int", 0, { description: "First page to extract (0-based index)" }),
  prop("end_page", "int", -1, { description: "Last page to extract (-1 for last page)" }),
];
const plumberRange = [
  prop("start_page", "int", 0, { description: "The start page to extract. 0-based indexing" }),
  prop("end_page", "int", 4, { description: "The end page to extract (not included). -1 for all pages" }),
];

type RangeKind = "inclusive" | "exclusive";

/** Opens the node's PDF and visits the pages of its range, reporting progress and honouring cancellation. */
async function eachPage<T>(inputs: Record<string, unknown>, ctx: NodeContext, what: string, kind: RangeKind, visit: (pdf: PdfFile, page: number) => Promise<T>): Promise<T[]> {
  const { bytes } = await documentBytes(inputs.pdf, ctx, `${what}: pdf`);
  return withPdf(bytes, what, async (pdf) => {
    const start = toInt(inputs.start_page, "start_page");
    const end = toInt(inputs.end_page, "end_page");
    let pages: number[];
    try {
      pages = kind === "inclusive" ? inclusiveRange(start, end, pdf.pageCount) : exclusiveRange(start, end, pdf.pageCount);
    } catch (err) {
      throw new Error(`${what}: ${(err as Error).message}`);
    }
    const results: T[] = [];
    for (const [n, page] of pages.entries()) {
      ctx.signal.throwIfAborted();
      results.push(await visit(pdf, page));
      ctx.progress(n + 1, pages.length);
    }
    return results;
  });
}

const bbox = (b: { x0: number; y0: number; x1: number; y1: number }) => ({ x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 });

export const pdfNodes: readonly NodeDecl[] = [
  defineNode({
    type: "lib.pymupdf.ExtractText",
    description: "Extract plain text from a PDF document.\n    pdf, text, extract\n\n    Each line of text ends with a newline; pages follow each other directly.",
    properties: [pdfProp("The PDF document to extract text from"), ...pymupdfRange],
    outputs: [out("output", "str")],
    process: async (inputs, ctx) => {
      const texts = await eachPage(inputs, ctx, "ExtractText", "inclusive", async (pdf, i) => pageText(toLines(await pdf.spans(i))));
      return { output: texts.join("") };
    },
  }),
  defineNode({
    type: "lib.pymupdf.ExtractTextBlocks",
    description:
      "Extract text blocks with their bounding boxes from a PDF.\n    pdf, text, blocks, layout\n\n    Each block: page, block_no, block_type (0: text), text (its lines, each ending in a newline) and bbox {x0, y0, x1, y1}.",
    properties: [pdfProp("The PDF document to extract text blocks from"), ...pymupdfRange],
    outputs: [out("output", "list[dict]")],
    process: async (inputs, ctx) => {
      const pages = await eachPage(inputs, ctx, "ExtractTextBlocks", "inclusive", async (pdf, page) =>
        toBlocks(toLines(await pdf.spans(page))).map((b, block_no) => ({ page, block_no, block_type: 0, text: pageText(b.lines), bbox: bbox(b) })),
      );
      return { output: pages.flat() };
    },
  }),
  defineNode({
    type: "lib.pymupdf.ExtractTextWithStyle",
    description:
      "Extract text with style information (font, size, color) from a PDF.\n    pdf, text, style, formatting\n\n    One entry per text span: text, font (PostScript name), size (points), color (sRGB integer 0xRRGGBB) and bbox {x0, y0, x1, y1}.",
    properties: [pdfProp("The PDF document to extract styled text from"), ...pymupdfRange],
    outputs: [out("output", "list[dict]")],
    process: async (inputs, ctx) => {
      const pages = await eachPage(inputs, ctx, "ExtractTextWithStyle", "inclusive", async (pdf, page) =>
        (await pdf.spans(page, true)).filter((s) => s.text.trim() !== "").map((s) => ({ text: s.text, font: s.font, size: s.size, color: s.color ?? 0, bbox: bbox(s) })),
      );
      return { output: pages.flat() };
    },
  }),
  defineNode({
    type: "lib.pymupdf.ExtractMarkdown",
    description:
      "Convert PDF to Markdown format.\n    pdf, markdown, convert\n\n    Headers come from font sizes above the body text size, **bold** and _italic_ from the fonts, lists from bullet characters; pages are separated by a `-----` line.",
    properties: [pdfProp("The PDF document to convert to markdown"), ...pymupdfRange],
    outputs: [out("output", "str")],
    process: async (inputs, ctx) => {
      const pages = await eachPage(inputs, ctx, "ExtractMarkdown", "inclusive", async (pdf, i) => pdf.spans(i, true));
      return { output: pagesMarkdown(pages) };
    },
  }),
  defineNode({
    type: "lib.pdfplumber.ExtractText",
    description: "Extract text content from a PDF file.\n    pdf, text, extract\n\n    Lines are joined by newlines and pages by blank lines.",
    properties: [pdfProp("The PDF file to extract text from"), ...plumberRange],
    outputs: [out("output", "str")],
    process: async (inputs, ctx) => {
      const texts = await eachPage(inputs, ctx, "ExtractText", "exclusive", async (pdf, i) => plumberText(toLines(await pdf.spans(i))));
      return { output: texts.join("\n\n") };
    },
  }),
  defineNode({
    type: "lib.pdfplumber.GetPageCount",
    description: "Get the total number of pages in a PDF file.\n    pdf, pages, count",
    properties: [pdfProp("The PDF file to analyze")],
    outputs: [out("output", "int")],
    process: async (inputs, ctx) => {
      const { bytes } = await documentBytes(inputs.pdf, ctx, "GetPageCount: pdf");
      return { output: await withPdf(bytes, "GetPageCount", async (pdf) => pdf.pageCount) };
    },
  }),
  defineNode({
    type: "lib.pdfplumber.ExtractPageMetadata",
    description:
      "Extract metadata from PDF pages like dimensions, rotation, etc.\n    pdf, metadata, pages\n\n    Each page: page_number (1-based), width, height (points, as displayed), rotation (degrees) and bbox (the crop box [x0, y0, x1, y1]).",
    properties: [pdfProp("The PDF file to analyze"), ...plumberRange],
    outputs: [out("output", "list[dict]")],
    process: async (inputs, ctx) => {
      const pages = await eachPage(inputs, ctx, "ExtractPageMetadata", "exclusive", async (pdf, i) => {
        const info = await pdf.pageInfo(i);
        return { page_number: i + 1, width: info.width, height: info.height, rotation: info.rotation, bbox: info.box };
      });
      return { output: pages };
    },
  }),
];
