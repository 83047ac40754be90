import Papa from "papaparse";
import { checkSize, type ColumnDef, type ColumnType } from "../dataframe/table";
import { describe, isRecord } from "../values/coerce";

/**
 * The table rules of NodeTool's `lib.http.DownloadDataframe` (nodetool-base src/nodetool/nodes/lib/http.py):
 * the file's header row (CSV/TSV) or keys (JSON) are matched by name to the columns the node declares, in
 * the declared order, and each value is cast to its declared type; a value that does not cast is null.
 */

const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** Python's `float(text)` for decimal text, NaN otherwise. */
function pyFloat(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && NUMBER.test(value)) return Number(value);
  return NaN;
}

/** One value cast to a declared column type the way NodeTool's `_cast_value` does. */
export function castCell(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  // An empty field is a missing value unless the column holds text.
  if (value === "" && type !== "string" && type !== "object") return null;
  switch (type) {
    case "int": {
      const n = pyFloat(value);
      return Number.isFinite(n) ? Math.trunc(n) : null;
    }
    case "float": {
      const n = pyFloat(value);
      return Number.isNaN(n) ? null : n;
    }
    case "string":
      if (typeof value === "string") return value;
      if (typeof value === "boolean") return value ? "True" : "False";
      return typeof value === "number" ? String(value) : JSON.stringify(value);
    case "datetime":
      // Numbers are Unix timestamps (UTC); text stays as written, ISO or not (NodeTool keeps unparsable text).
      if (typeof value === "number") {
        const d = new Date(value * 1000);
        return Number.isNaN(d.getTime()) ? value : d.toISOString();
      }
      return value;
    default:
      return value;
  }
}

/** The columns a `RecordType` value declares (`{type: "record_type", columns: [{name, data_type}]}`). */
export function declaredColumns(value: unknown): ColumnDef[] {
  const columns = isRecord(value) ? value.columns : Array.isArray(value) ? value : [];
  if (!Array.isArray(columns)) throw new Error(`columns must be a record type {columns: [...]}, got ${describe(value)}`);
  return columns.map((c, i) => {
    if (!isRecord(c) || typeof c.name !== "string") throw new Error(`columns[${i}] must have a name`);
    const type = typeof c.data_type === "string" ? c.data_type : "object";
    return { name: c.name, data_type: type as ColumnType, description: typeof c.description === "string" ? c.description : "" };
  });
}

/** Header and rows of delimited text (Python's csv.reader: quotes, doubled quotes; blank lines skipped). */
export function readDelimited(text: string, delimiter: string): { header: string[]; rows: unknown[][] } {
  if ([...delimiter].length !== 1) throw new Error(`the delimiter must be one character, got ${JSON.stringify(delimiter)}`);
  const parsed = Papa.parse<string[]>(text, { delimiter, header: false, skipEmptyLines: true, dynamicTyping: false });
  const bad = parsed.errors.find((e) => e.type === "Quotes");
  if (bad) throw new Error(`malformed CSV in row ${(bad.row ?? 0) + 1}: ${bad.message}`);
  if (parsed.data.length === 0) throw new Error("No data found in CSV");
  const [header, ...rows] = parsed.data;
  return { header, rows };
}

/** Header and rows of a JSON list of records, or of a list of lists whose first row is the header. */
export function readJsonTable(text: string): { header: string[]; rows: unknown[][] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`the JSON is not valid: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!Array.isArray(data) || data.length === 0) throw new Error("No data found or data is not a list of records in JSON");
  const first = data[0];
  if (isRecord(first)) {
    const header = Object.keys(first);
    return { header, rows: data.map((item) => header.map((k) => (isRecord(item) ? (item[k] ?? null) : null))) };
  }
  if (Array.isArray(first)) return { header: first.map(String), rows: data.slice(1).map((r) => (Array.isArray(r) ? r : [])) };
  throw new Error("JSON data is a list, but items are not dictionaries or lists.");
}

/** The file's rows rearranged to the declared columns, cast to their types. */
export function mapToColumns(header: string[], rows: unknown[][], columns: ColumnDef[]): unknown[][] {
  checkSize(rows.length, columns.length, "DownloadDataframe");
  const index = new Map<string, number>();
  header.forEach((name, i) => index.set(name, i));
  return rows.map((row) =>
    columns.map((c) => {
      const i = index.get(c.name);
      return i === undefined || i >= row.length ? null : castCell(row[i], c.data_type);
    }),
  );
}
