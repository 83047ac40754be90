import { loadTable } from "../dataframe/convert";
import { checkSize, makeTable, toRef } from "../dataframe/table";
import { filePathOf, joinPath, requireWorkspace, workspacePath } from "../documents/files";
import { workbookOf, writeWorkbook, XLSX_CONTENT_TYPE } from "../documents/xlsx-io";
import {
  emptySheet,
  extent,
  findSheet,
  parseCellRef,
  parseColor,
  parseRange,
  replaceSheet,
  toCellValue,
  workbookValue,
  XLSX_MARKER,
  type CellFormat,
  type CellValue,
  type SheetModel,
} from "../documents/xlsx-model";
import { formatName } from "../media/refs";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { toBool, toText } from "../values/coerce";

/**
 * `lib.excel.*` (NodeTool: src/nodetool/nodes/lib/excel.py): build a workbook step by step and save it as .xlsx
 * in the user's workspace, or read a sheet into a dataframe. The workbook travels as a description in the
 * excel value's `data` (engine/documents/xlsx-model.ts); an uploaded .xlsx works as input too.
 */

const emptyExcel = { type: "excel", uri: "", asset_id: null, data: null, metadata: null };
const workbookProp = (description: string) => prop("workbook", "excel", emptyExcel, { description, required: true });
const sheetProp = (description: string) => prop("sheet_name", "str", "Sheet1", { description });
/** Largest range FormatCells styles at once. */
const MAX_FORMAT_CELLS = 1_000_000;

/** Python's `str()` of a cell value, as openpyxl-read headers are named. */
const pyStr = (v: CellValue) => (v === null ? "None" : v === true ? "True" : v === false ? "False" : String(v));

function setCell(rows: CellValue[][], r: number, c: number, v: CellValue) {
  while (rows.length <= r) rows.push([]);
  const row = rows[r];
  while (row.length < c) row.push(null);
  row[c] = v;
}

export const excelNodes: readonly NodeDecl[] = [
  defineNode({
    type: "lib.excel.CreateWorkbook",
    description: "Creates a new Excel workbook.\n    excel, workbook, create\n\n    Use cases:\n    - Initialize new Excel files\n    - Start spreadsheet creation workflows",
    properties: [sheetProp("Name for the first worksheet")],
    outputs: [out("output", "excel")],
    process: (inputs) => {
      const name = toText(inputs.sheet_name) || "Sheet1";
      return { output: workbookValue({ format: XLSX_MARKER, sheets: [emptySheet(name)] }) };
    },
  }),
  defineNode({
    type: "lib.excel.DataFrameToExcel",
    description:
      "Writes a DataFrame to an Excel worksheet.\n    excel, dataframe, export\n\n    The sheet is created when missing; the header row (when included) and the rows start at start_cell.",
    properties: [
      workbookProp("The Excel workbook to write to"),
      prop("dataframe", "dataframe", { type: "dataframe", uri: "", asset_id: null, data: null, metadata: null, columns: null }, { description: "DataFrame to write" }),
      sheetProp("Target worksheet name"),
      prop("start_cell", "str", "A1", { description: "Starting cell for data" }),
      prop("include_header", "bool", true, { description: "Include column headers" }),
    ],
    outputs: [out("output", "any")],
    process: async (inputs, ctx) => {
      const what = "DataFrameToExcel";
      const model = await workbookOf(inputs.workbook, ctx, what);
      const table = await loadTable(inputs.dataframe, ctx, `${what}: dataframe`);
      const name = toText(inputs.sheet_name) || "Sheet1";
      let index = model.sheets.findIndex((s) => s.name === name);
      const sheets = index < 0 ? [...model.sheets, emptySheet(name)] : model.sheets;
      if (index < 0) index = sheets.length - 1;
      const base = sheets[index];
      const rows = base.rows.map((r) => r.slice());
      const [r0, c0] = parseCellRef(toText(inputs.start_cell) || "A1", what);
      let r = r0;
      if (toBool(inputs.include_header)) {
        table.columns.forEach((col, j) => setCell(rows, r, c0 + j, String(col.name)));
        r++;
      }
      for (const row of table.rows) {
        row.forEach((v, j) => setCell(rows, r, c0 + j, toCellValue(v)));
        r++;
      }
      return { output: workbookValue(replaceSheet({ format: XLSX_MARKER, sheets }, index, { ...base, rows })) };
    },
  }),
  defineNode({
    type: "lib.excel.ExcelToDataFrame",
    description:
      "Reads an Excel worksheet into a DataFrame.\n    excel, dataframe, import\n\n    Reads the sheet from A1 to its last used row and column; with has_header the first row names the columns.",
    properties: [workbookProp("The Excel workbook to read from"), sheetProp("Source worksheet name"), prop("has_header", "bool", true, { description: "First row contains headers" })],
    outputs: [out("output", "dataframe")],
    process: async (inputs, ctx) => {
      const what = "ExcelToDataFrame";
      const model = await workbookOf(inputs.workbook, ctx, what);
      const sheet = model.sheets[findSheet(model, toText(inputs.sheet_name) || "Sheet1", what)];
      const { rows: n, cols } = extent(sheet);
      const grid = Array.from({ length: n }, (_, r) => Array.from({ length: cols }, (_, c) => sheet.rows[r]?.[c] ?? null));
      const hasHeader = toBool(inputs.has_header);
      const names = hasHeader ? (grid[0] ?? []).map(pyStr) : Array.from({ length: cols }, (_, i) => String(i));
      const data = hasHeader ? grid.slice(1) : grid;
      checkSize(data.length, names.length, what);
      return { output: toRef(makeTable(names, data)) };
    },
  }),
  defineNode({
    type: "lib.excel.FormatCells",
    description:
      "Applies formatting to a range of cells.\n    excel, format, style\n\n    Sets bold, text colour and (when given) a solid background colour, as hex like FFFF00, on every cell of the range.",
    properties: [
      workbookProp("The Excel workbook to format"),
      sheetProp("Target worksheet name"),
      prop("cell_range", "str", "A1:B10", { description: "Cell range to format (e.g. 'A1:B10')" }),
      prop("bold", "bool", false, { description: "Make text bold" }),
      prop("background_color", "str", "FFFF00", { description: "Background color in hex format (e.g. 'FFFF00' for yellow)" }),
      prop("text_color", "str", "000000", { description: "Text color in hex format" }),
    ],
    outputs: [out("output", "any")],
    process: async (inputs, ctx) => {
      const what = "FormatCells";
      const model = await workbookOf(inputs.workbook, ctx, what);
      const index = findSheet(model, toText(inputs.sheet_name) || "Sheet1", what);
      const { r0, c0, r1, c1 } = parseRange(toText(inputs.cell_range), what);
      if ((r1 - r0 + 1) * (c1 - c0 + 1) > MAX_FORMAT_CELLS) throw new Error(`${what}: the range has more than ${MAX_FORMAT_CELLS} cells`);
      const bg = toText(inputs.background_color);
      // openpyxl replaces the whole font (bold and colour) and sets a fill only when a colour is given.
      const format: CellFormat = { bold: toBool(inputs.bold), color: parseColor(toText(inputs.text_color) || "000000", what) };
      const background = bg ? parseColor(bg, what) : undefined;
      const sheet = model.sheets[index];
      const formats = { ...sheet.formats };
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) {
          const key = `${r},${c}`;
          formats[key] = { ...format, background: background ?? formats[key]?.background };
        }
      }
      return { output: workbookValue(replaceSheet(model, index, { ...sheet, formats })) };
    },
  }),
  defineNode({
    type: "lib.excel.AutoFitColumns",
    description:
      "Automatically adjusts column widths to fit content.\n    excel, format, columns\n\n    Each used column gets the width of its longest value (as text) plus 2.",
    properties: [workbookProp("The Excel workbook to format"), sheetProp("Target worksheet name")],
    outputs: [out("output", "any")],
    process: async (inputs, ctx) => {
      const what = "AutoFitColumns";
      const model = await workbookOf(inputs.workbook, ctx, what);
      const index = findSheet(model, toText(inputs.sheet_name) || "Sheet1", what);
      const sheet: SheetModel = model.sheets[index];
      const widths: Record<string, number> = { ...sheet.widths };
      const { cols } = extent(sheet);
      for (let c = 0; c < cols; c++) {
        // Empty cells count as no text (openpyxl would measure them as the 4 letters of "None").
        const longest = Math.max(0, ...sheet.rows.map((r) => (r[c] === null || r[c] === undefined ? 0 : [...pyStr(r[c])].length)));
        widths[String(c)] = longest + 2;
      }
      return { output: workbookValue(replaceSheet(model, index, { ...sheet, widths })) };
    },
  }),
  defineNode({
    type: "lib.excel.SaveWorkbook",
    description:
      "Saves an Excel workbook as an .xlsx file in the workspace.\n    excel, save, export\n\n    The filename may use %Y %m %d %H %M %S (UTC date and time); folder is a workspace folder (~ and / name its root).",
    properties: [
      workbookProp("The Excel workbook to save"),
      prop("folder", "file_path", { type: "file_path", path: "" }, { description: "The folder to save the file to." }),
      prop("filename", "str", "", { description: "The filename to save the file to. %Y %m %d %H %M %S are replaced by the date and time." }),
    ],
    outputs: [],
    process: async (inputs, ctx) => {
      const what = "SaveWorkbook";
      const model = await workbookOf(inputs.workbook, ctx, what);
      const folderRaw = filePathOf(inputs.folder);
      if (!folderRaw.trim()) throw new Error(`${what}: Path is not set (folder is empty)`);
      const filename = formatName(toText(inputs.filename), ctx.services.now());
      if (!filename.trim()) throw new Error(`${what}: filename is empty`);
      const path = workspacePath(joinPath(workspacePath(folderRaw, what), filename), what);
      const ws = requireWorkspace(ctx, what);
      await ws.write(path, await writeWorkbook(model), XLSX_CONTENT_TYPE, ctx.signal);
      return {};
    },
  }),
];
