import Papa from "papaparse";
import { checkSize, DataframeError, isMissing, MAX_CELLS, type Cell, type ColumnType, type Table, columnDef } from "./table";

/**
 * CSV in and out the way NodeTool's nodes do it with pandas (`pd.read_csv`, `df.to_csv(index=False)`):
 * the first row names the columns, each column gets one type (int, float, bool or text) from all of its
 * values, pandas' default NA markers are missing values, and blank lines are skipped. Tokenising is
 * papaparse's; only the per-column typing is ours.
 */

/** Text larger than this is refused before parsing (a table within MAX_CELLS is far smaller). */
export const MAX_CSV_CHARS = 64 * 1024 * 1024;

/** pandas' default `na_values`. */
const NA_VALUES = new Set([
  "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
]);
const TRUE_VALUES = new Set(["True", "TRUE", "true"]);
const FALSE_VALUES = new Set(["False", "FALSE", "false"]);
const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|Infinity|Inf)$/;

function parseFloatCell(text: string): number {
  const t = text.trim();
  if (/inf/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  return Number(t);
}

/** One column's raw texts as typed cells, the way pandas' C parser infers a dtype. */
function typeColumn(raw: (string | null)[]): { values: Cell[]; type: ColumnType } {
  const present = raw.filter((v): v is string => v !== null);
  const missing = raw.length - present.length;
  if (present.length === 0) return { values: raw.map(() => null), type: missing > 0 ? "float" : "object" };
  if (present.every((v) => INT_RE.test(v.trim()))) {
    return { values: raw.map((v) => (v === null ? null : Number(v.trim()))), type: missing > 0 ? "float" : "int" };
  }
  if (present.every((v) => INT_RE.test(v.trim()) || FLOAT_RE.test(v.trim()))) {
    return { values: raw.map((v) => (v === null ? null : parseFloatCell(v))), type: "float" };
  }
  if (present.every((v) => TRUE_VALUES.has(v) || FALSE_VALUES.has(v))) {
    return { values: raw.map((v) => (v === null ? null : TRUE_VALUES.has(v))), type: "object" };
  }
  return { values: raw, type: "object" };
}

/** pandas' header rules: an empty name is `Unnamed: i`, a repeated one gets `.1`, `.2` ... */
function headerNames(header: string[]): string[] {
  const used = new Set<string>();
  return header.map((h, i) => {
    let name = h === "" ? `Unnamed: ${i}` : h;
    if (used.has(name)) {
      let n = 1;
      while (used.has(`${name}.${n}`)) n++;
      name = `${name}.${n}`;
    }
    used.add(name);
    return name;
  });
}

/** Parses CSV text into a table (pandas `read_csv` defaults). */
export function parseCsv(text: string, what: string): Table {
  if (text.length > MAX_CSV_CHARS) throw new DataframeError(`${what}: the CSV text has ${text.length} characters (limit ${MAX_CSV_CHARS})`);
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (source.trim() === "") throw new DataframeError(`${what}: no columns to parse from the CSV text (it is empty)`);
  const result = Papa.parse<string[]>(source, { delimiter: ",", header: false, skipEmptyLines: true, dynamicTyping: false });
  const fatal = result.errors.find((e) => e.type === "Quotes");
  if (fatal) throw new DataframeError(`${what}: malformed CSV in row ${(fatal.row ?? 0) + 1}: ${fatal.message}`);
  const [header, ...body] = result.data;
  const names = headerNames(header.map((h) => String(h)));
  checkSize(body.length, names.length, what);
  const raw: (string | null)[][] = names.map(() => new Array<string | null>(body.length));
  body.forEach((row, r) => {
    if (row.length > names.length) {
      throw new DataframeError(`${what}: expected ${names.length} fields in line ${r + 2}, saw ${row.length}`);
    }
    for (let c = 0; c < names.length; c++) {
      const v = c < row.length ? row[c] : "";
      raw[c][r] = NA_VALUES.has(v) ? null : v;
    }
  });
  const typed = raw.map(typeColumn);
  const rows: Cell[][] = body.map((_, r) => typed.map((col) => col.values[r]));
  return { columns: names.map((n, i) => columnDef(n, typed[i].type)), rows };
}

/** A cell as pandas writes it: floats of a float column keep a `.0`, booleans are `True`/`False`, missing is empty. */
function csvText(value: Cell, type: ColumnType): string {
  if (isMissing(value)) return "";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    if (Number.isInteger(value) && type === "float") return `${value}.0`;
    if (value === Infinity) return "inf";
    if (value === -Infinity) return "-inf";
    return String(value);
  }
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? "";
}

/** Writes a table as CSV text with a header row and no index column (`to_csv(index=False)`). */
export function toCsv(table: Table): string {
  if (table.rows.length * Math.max(1, table.columns.length) > MAX_CELLS) checkSize(table.rows.length, table.columns.length, "CSV");
  const fields = table.columns.map((c) => c.name);
  const data = table.rows.map((row) => row.map((v, i) => csvText(v, table.columns[i].data_type)));
  return Papa.unparse({ fields, data }, { newline: "\n", delimiter: "," }) + "\n";
}
