/**
 * .xlsx files in and out: written with `write-excel-file` (values, bold, fill and font colours, column
 * widths) and read with `read-excel-file` (cell values of every sheet; formats are not read back). Both are
 * their "universal" builds, which need no Node built-ins.
 */
import { readMedia } from "../media/refs";
import type { NodeContext } from "../registry/types";
import { isRecord } from "../values/coerce";
import { extent, isWorkbookModel, toCellValue, XLSX_MARKER, type CellValue, type SheetModel, type WorkbookModel } from "./xlsx-model";

export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/** Workbook files larger than this are refused. */
export const MAX_XLSX_BYTES = 50 * 1024 * 1024;

export interface SheetRows {
  name: string;
  rows: CellValue[][];
}

/** The sheets of an .xlsx file, values only; dates become ISO 8601 text. */
export async function readWorkbookBytes(bytes: Uint8Array, what: string): Promise<SheetRows[]> {
  if (bytes.length > MAX_XLSX_BYTES) throw new Error(`${what}: the workbook is ${bytes.length} bytes (limit ${MAX_XLSX_BYTES})`);
  const { default: readXlsxFile } = await import("read-excel-file/universal");
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let sheets;
  try {
    sheets = await readXlsxFile(buffer, { trim: false });
  } catch (err) {
    throw new Error(`${what}: not a readable Excel (.xlsx) file (${err instanceof Error ? err.message : String(err)})`);
  }
  return sheets.map((s) => ({ name: s.sheet, rows: s.data.map((row) => row.map((v) => toCellValue(v))) }));
}

/** The workbook of an `excel` value: one built by lib.excel nodes, or a stored/inline .xlsx file. */
export async function workbookOf(value: unknown, ctx: NodeContext, what: string): Promise<WorkbookModel> {
  const data = isRecord(value) ? value.data : undefined;
  if (isWorkbookModel(data)) return data;
  const empty = value === null || value === undefined || (isRecord(value) && !value.uri && (data === null || data === undefined));
  if (empty) throw new Error(`${what}: Workbook is not connected (connect CreateWorkbook or an Excel file)`);
  const { bytes } = await readMedia(value, ctx, what, "excel");
  const sheets = await readWorkbookBytes(bytes, what);
  return { format: XLSX_MARKER, sheets: sheets.map((s) => ({ name: s.name, rows: s.rows, formats: {}, widths: {} })) };
}

type OutCell = { value?: string | number | boolean; type?: StringConstructor | NumberConstructor | BooleanConstructor; fontWeight?: "bold"; textColor?: string; backgroundColor?: string } | null;

function sheetData(sheet: SheetModel): OutCell[][] {
  const { rows, cols } = extent(sheet);
  const out: OutCell[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: OutCell[] = [];
    for (let c = 0; c < cols; c++) {
      const v = sheet.rows[r]?.[c] ?? null;
      const f = sheet.formats[`${r},${c}`];
      if (v === null && !f) {
        row.push(null);
        continue;
      }
      const cell: NonNullable<OutCell> = {};
      if (v !== null) {
        cell.value = v;
        cell.type = typeof v === "number" ? Number : typeof v === "boolean" ? Boolean : String;
      }
      if (f?.bold) cell.fontWeight = "bold";
      if (f?.color) cell.textColor = `#${f.color}`;
      if (f?.background) cell.backgroundColor = `#${f.background}`;
      row.push(cell);
    }
    out.push(row);
  }
  // The writer needs at least one row per sheet.
  return out.length > 0 ? out : [[null]];
}

/** The .xlsx bytes of a workbook description. */
export async function writeWorkbook(model: WorkbookModel): Promise<Uint8Array> {
  if (model.sheets.length === 0) throw new Error("the workbook has no sheets");
  const { default: writeXlsxFile } = await import("write-excel-file/universal");
  const sheets = model.sheets.map((s) => {
    const cols = extent(s).cols;
    const columns = Array.from({ length: cols }, (_, i) => (s.widths[String(i)] !== undefined ? { width: s.widths[String(i)] } : {}));
    return { sheet: s.name, data: sheetData(s), columns };
  });
  const blob = await writeXlsxFile(sheets as unknown as Parameters<typeof writeXlsxFile>[0] & unknown[]).toBlob();
  return new Uint8Array(await blob.arrayBuffer());
}
