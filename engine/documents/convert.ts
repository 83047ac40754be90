/**
 * Documents to markdown, as MarkItDown does for the formats that convert honestly here: PDF (text layout),
 * Word (.docx), HTML, Excel (.xlsx, one table per sheet), CSV, and text formats as they are.
 */
import { docxToMarkdown } from "./docx-io";
import { DOCX_CONTENT_TYPE } from "./docx-model";
import type { DocumentContent } from "./files";
import { htmlToMarkdown, parseHtml } from "./html";
import { inclusiveRange, withPdf } from "./pdf";
import { pagesMarkdown } from "./pdf-layout";
import { readWorkbookBytes, XLSX_CONTENT_TYPE } from "./xlsx-io";

function utf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    throw new Error(`${what}: the document is not UTF-8 text`);
  }
}

const cell = (v: unknown) => (v === null || v === undefined ? "" : v instanceof Date ? v.toISOString() : String(v)).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

export function markdownTable(rows: readonly (readonly unknown[])[]): string {
  if (rows.length === 0) return "";
  const width = Math.max(1, ...rows.map((r) => r.length));
  const line = (r: readonly unknown[]) => `| ${Array.from({ length: width }, (_, i) => cell(r[i])).join(" | ")} |`;
  return [line(rows[0]), `| ${Array(width).fill("---").join(" | ")} |`, ...rows.slice(1).map(line)].join("\n");
}

/** Splits CSV text into rows (RFC 4180 quoting). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field), rows.push(row), (row = []), (field = "");
    } else field += c;
  }
  if (field !== "" || row.length > 0) row.push(field), rows.push(row);
  return rows;
}

export async function toMarkdown(content: DocumentContent, what: string): Promise<string> {
  const { bytes, contentType } = content;
  if (contentType === "application/pdf") {
    return withPdf(bytes, what, async (pdf) => {
      const pages = [];
      for (const i of inclusiveRange(0, -1, pdf.pageCount)) pages.push(await pdf.spans(i, true));
      return pagesMarkdown(pages);
    });
  }
  if (contentType === DOCX_CONTENT_TYPE) return docxToMarkdown(bytes, what);
  if (contentType === XLSX_CONTENT_TYPE) {
    const sheets = await readWorkbookBytes(bytes, what);
    return sheets.map((s) => `## ${s.name}\n\n${markdownTable(s.rows)}`).join("\n\n");
  }
  if (contentType === "text/html" || contentType === "application/xhtml+xml") return htmlToMarkdown(parseHtml(utf8(bytes, what), what));
  if (contentType === "text/csv") return markdownTable(parseCsv(utf8(bytes, what)));
  if (contentType.startsWith("text/") || contentType === "application/json" || contentType === "application/xml") return utf8(bytes, what);
  throw new Error(`${what}: cannot convert a ${contentType} document to markdown (PDF, Word .docx, Excel .xlsx, HTML, CSV and text can be converted)`);
}
