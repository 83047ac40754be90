import { PDFDocument, StandardFonts, degrees, rgb } from "pdf-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { toDataUri } from "../../engine/media/data-uri";
import { graph, run, runNode } from "./helpers";

// A 3-page PDF written with pdf-lib: a large red bold title, body lines, a bullet, and a rotated last page.
let pdfUri = "";

async function makePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const italic = await doc.embedFont(StandardFonts.HelveticaOblique);
  for (let i = 1; i <= 3; i++) {
    const page = doc.addPage([600, 800]);
    page.drawText(`Chapter ${i}`, { x: 50, y: 740, size: 24, font: bold, color: rgb(1, 0, 0) });
    page.drawText(`Body text of page ${i}.`, { x: 50, y: 700, size: 12, font: regular, color: rgb(0, 0, 1) });
    page.drawText("Second line here.", { x: 50, y: 686, size: 12, font: regular });
    page.drawText("A separate paragraph.", { x: 50, y: 600, size: 12, font: italic });
    page.drawText("• bullet item", { x: 50, y: 560, size: 12, font: regular });
    if (i === 3) page.setRotation(degrees(90));
  }
  return doc.save();
}

const pdfRef = () => ({ type: "document", uri: pdfUri, asset_id: null, data: null });

beforeAll(async () => {
  pdfUri = toDataUri(await makePdf(), "application/pdf");
});

describe("lib.pymupdf", () => {
  it("ExtractText reads every page by default, each line ending in a newline", async () => {
    const text = (await runNode("lib.pymupdf.ExtractText", { pdf: pdfRef() })) as string;
    expect(text.startsWith("Chapter 1\nBody text of page 1.\nSecond line here.\nA separate paragraph.\n")).toBe(true);
    expect(text).toContain("Chapter 3\n");
    expect(text.match(/Chapter/g)).toHaveLength(3);
  });

  it("ExtractText's page range is inclusive, -1 meaning the last page, and clamps past the end", async () => {
    const middle = (await runNode("lib.pymupdf.ExtractText", { pdf: pdfRef(), start_page: 1, end_page: 1 })) as string;
    expect(middle).toContain("page 2.");
    expect(middle).not.toContain("page 1.");
    expect(middle).not.toContain("page 3.");
    const tail = (await runNode("lib.pymupdf.ExtractText", { pdf: pdfRef(), start_page: 1, end_page: 4 })) as string;
    expect(tail.match(/Chapter/g)).toHaveLength(2);
    expect(await runNode("lib.pymupdf.ExtractText", { pdf: pdfRef(), start_page: 5, end_page: -1 })).toBe("");
  });

  it("ExtractTextBlocks groups close lines and reports top-left boxes", async () => {
    const blocks = (await runNode("lib.pymupdf.ExtractTextBlocks", { pdf: pdfRef(), end_page: 0 })) as Array<{ text: string; block_no: number; bbox: { x0: number; y0: number; y1: number } }>;
    const texts = blocks.map((b) => b.text);
    expect(texts).toEqual(["Chapter 1\n", "Body text of page 1.\nSecond line here.\n", "A separate paragraph.\n", "• bullet item\n"]);
    expect(blocks.map((b) => b.block_no)).toEqual([0, 1, 2, 3]);
    const title = blocks[0].bbox;
    // Drawn at baseline y=740 from the bottom of an 800pt page: the top-left y of the baseline is 60.
    expect(title.x0).toBeCloseTo(50, 0);
    expect(title.y1).toBeGreaterThan(55);
    expect(title.y1).toBeLessThan(70);
    expect(title.y0).toBeLessThan(45);
    expect(blocks[1].bbox.y0).toBeGreaterThan(title.y1);
  });

  it("ExtractTextWithStyle reports font names, sizes and fill colours", async () => {
    const spans = (await runNode("lib.pymupdf.ExtractTextWithStyle", { pdf: pdfRef(), start_page: 0, end_page: 0 })) as Array<Record<string, unknown> & { text: string }>;
    const title = spans.find((s) => s.text === "Chapter 1")!;
    expect(title).toMatchObject({ font: "Helvetica-Bold", size: 24, color: 0xff0000 });
    const body = spans.find((s) => s.text.startsWith("Body text"))!;
    expect(body).toMatchObject({ font: "Helvetica", size: 12, color: 0x0000ff });
    expect(spans.find((s) => s.text.startsWith("Second"))!.color).toBe(0);
    expect(spans.find((s) => s.text.startsWith("A separate"))!.font).toBe("Helvetica-Oblique");
  });

  it("ExtractMarkdown turns large fonts into headers, italics and bullets into markdown", async () => {
    const md = (await runNode("lib.pymupdf.ExtractMarkdown", { pdf: pdfRef(), start_page: 0, end_page: 1 })) as string;
    expect(md).toContain("# Chapter 1\n\nBody text of page 1. Second line here.\n\n_A separate paragraph._\n\n- bullet item");
    expect(md).toContain("\n\n-----\n\n# Chapter 2");
    expect(md).not.toContain("Chapter 3");
  });

  it("fails clearly on bytes that are not a PDF", async () => {
    const notPdf = { type: "document", uri: toDataUri(new TextEncoder().encode("hello"), "application/pdf") };
    await expect(runNode("lib.pymupdf.ExtractText", { pdf: notPdf })).rejects.toThrow(/not a PDF/);
  });
});

describe("lib.pdfplumber", () => {
  it("ExtractText joins lines with newlines and pages with blank lines; end_page is exclusive", async () => {
    const text = await runNode("lib.pdfplumber.ExtractText", { pdf: pdfRef(), start_page: 0, end_page: 2 });
    expect(text).toBe(
      "Chapter 1\nBody text of page 1.\nSecond line here.\nA separate paragraph.\n• bullet item\n\n" +
        "Chapter 2\nBody text of page 2.\nSecond line here.\nA separate paragraph.\n• bullet item",
    );
    const all = (await runNode("lib.pdfplumber.ExtractText", { pdf: pdfRef(), end_page: -1 })) as string;
    expect(all.split("\n\n")).toHaveLength(3);
  });

  it("GetPageCount counts pages", async () => {
    expect(await runNode("lib.pdfplumber.GetPageCount", { pdf: pdfRef() })).toBe(3);
  });

  it("ExtractPageMetadata reports 1-based numbers, displayed sizes and rotation", async () => {
    const meta = await runNode("lib.pdfplumber.ExtractPageMetadata", { pdf: pdfRef(), start_page: 1, end_page: -1 });
    expect(meta).toEqual([
      { page_number: 2, width: 600, height: 800, rotation: 0, bbox: [0, 0, 600, 800] },
      { page_number: 3, width: 800, height: 600, rotation: 90, bbox: [0, 0, 600, 800] },
    ]);
  });

  it("feeds extracted text to the next node, as in a summarising workflow", async () => {
    const g = graph(
      [
        { id: "pdf", type: "nodetool.constant.Document", data: { value: pdfRef() } },
        { id: "x", type: "lib.pymupdf.ExtractText", data: { start_page: 0, end_page: 4 } },
        { id: "out", type: "nodetool.output.StringOutput", data: { name: "text" } },
      ],
      [
        ["pdf", "output", "x", "pdf"],
        ["x", "output", "out", "value"],
      ],
    );
    const r = await run(g);
    expect(r.status).toBe("completed");
    expect((r.result.text as string).match(/Chapter/g)).toHaveLength(3);
  });
});
