/**
 * An Excel workbook under construction, as `lib.excel.*` hands it from node to node. NodeTool passes a live
 * openpyxl Workbook in the ExcelRef's `data`; here `data` holds a plain, JSON-safe description (cell values,
 * cell formats, column widths) that is written as .xlsx by SaveWorkbook.
 */
import { isRecord } from "../values/coerce";

export const XLSX_MARKER = "nodetool-edge/xlsx";
/** Cells one workbook may hold (set or formatted). */
export const MAX_WORKBOOK_CELLS = 2_000_000;
/** Excel's own limits. */
export const MAX_ROWS = 1_048_576;
export const MAX_COLS = 16_384;

export type CellValue = string | number | boolean | null;

export interface CellFormat {
  bold?: boolean;
  /** "RRGGBB". */
  background?: string;
  color?: string;
}

export interface SheetModel {
  name: string;
  /** Row-major values from A1; rows may be ragged, missing cells are empty. */
  rows: CellValue[][];
  /** Formats by "row,col" (0-based). */
  formats: Record<string, CellFormat>;
  /** Column widths in characters by 0-based column index. */
  widths: Record<string, number>;
}

export interface WorkbookModel {
  format: typeof XLSX_MARKER;
  sheets: SheetModel[];
}

export function isWorkbookModel(value: unknown): value is WorkbookModel {
  return isRecord(value) && value.format === XLSX_MARKER && Array.isArray(value.sheets);
}

export function workbookValue(model: WorkbookModel): Record<string, unknown> {
  return { type: "excel", uri: "", asset_id: null, data: model, metadata: null };
}

export const emptySheet = (name: string): SheetModel => ({ name, rows: [], formats: {}, widths: {} });

export function findSheet(model: WorkbookModel, name: string, what: string): number {
  const i = model.sheets.findIndex((s) => s.name === name);
  if (i < 0) throw new Error(`${what}: Worksheet ${name} does not exist (sheets: ${model.sheets.map((s) => s.name).join(", ") || "none"})`);
  return i;
}

/** A copy of the workbook with one sheet replaced (the input value stays untouched for other consumers). */
export function replaceSheet(model: WorkbookModel, index: number, sheet: SheetModel): WorkbookModel {
  const sheets = model.sheets.slice();
  sheets[index] = sheet;
  let cells = 0;
  for (const s of sheets) for (const r of s.rows) cells += r.length;
  cells += Object.keys(sheet.formats).length;
  if (cells > MAX_WORKBOOK_CELLS) throw new Error(`the workbook would hold more than ${MAX_WORKBOOK_CELLS} cells`);
  return { format: XLSX_MARKER, sheets };
}

/** "B3" -> [row 2, col 1] (0-based). */
export function parseCellRef(ref: string, what: string): [number, number] {
  const m = /^\s*\$?([A-Za-z]{1,3})\$?(\d{1,7})\s*$/.exec(ref);
  if (!m) throw new Error(`${what}: '${ref}' is not a cell reference like A1`);
  let col = 0;
  for (const ch of m[1].toUpperCase()) col = col * 26 + (ch.charCodeAt(0) - 64);
  const row = Number(m[2]);
  if (row < 1 || row > MAX_ROWS || col > MAX_COLS) throw new Error(`${what}: '${ref}' is outside a worksheet`);
  return [row - 1, col - 1];
}

/** "A1:B10" (or one cell) -> inclusive 0-based bounds. */
export function parseRange(range: string, what: string): { r0: number; c0: number; r1: number; c1: number } {
  const [a, b] = range.split(":");
  const [r0, c0] = parseCellRef(a, what);
  const [r1, c1] = b === undefined ? [r0, c0] : parseCellRef(b, what);
  return { r0: Math.min(r0, r1), c0: Math.min(c0, c1), r1: Math.max(r0, r1), c1: Math.max(c0, c1) };
}

/** openpyxl colours: "RRGGBB" or "AARRGGBB" (the alpha is ignored by Excel for fills and fonts). */
export function parseColor(text: string, what: string): string {
  const hex = text.trim().replace(/^#/, "");
  if (/^[0-9a-fA-F]{6}$/.test(hex)) return hex.toUpperCase();
  if (/^[0-9a-fA-F]{8}$/.test(hex)) return hex.slice(2).toUpperCase();
  throw new Error(`${what}: '${text}' is not a hex colour like FFFF00`);
}

/** A sheet value as a cell value: JSON-unsafe or structured values become text. */
export function toCellValue(v: unknown): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v) ?? String(v);
}

/** The grid size: rows used, and the widest row. */
export function extent(sheet: SheetModel): { rows: number; cols: number } {
  let rows = sheet.rows.length;
  let cols = Math.max(0, ...sheet.rows.map((r) => r.length));
  for (const key of Object.keys(sheet.formats)) {
    const [r, c] = key.split(",").map(Number);
    rows = Math.max(rows, r + 1);
    cols = Math.max(cols, c + 1);
  }
  return { rows, cols };
}
