import { describe, isRecord } from "../values/coerce";

/**
 * NodeTool's dataframe value, `DataframeRef` (nodetool-core metadata/types.py):
 * `{type: "dataframe", uri, asset_id, columns: [{name, data_type, description}], data: [[row values]...]}`.
 * `data_type` is what `DataframeRef.from_pandas` derives from the pandas dtype: "int", "float", "datetime" or
 * "object" ("string" is allowed by the schema but pandas never yields it). A missing value (pandas NaN/None)
 * is `null` here.
 */
export type ColumnType = "int" | "float" | "datetime" | "string" | "object";

export interface ColumnDef {
  name: string;
  data_type: ColumnType;
  description: string;
}

export type Cell = unknown;

/** The table the dataframe helpers work on: column definitions and rows of cells, row-major. */
export interface Table {
  columns: ColumnDef[];
  rows: Cell[][];
}

export interface DataframeRef {
  type: "dataframe";
  uri: string;
  asset_id: string | null;
  columns: ColumnDef[];
  data: Cell[][];
  [key: string]: unknown;
}

/**
 * Size bounds. A table travels inline in every message that carries it, so these keep a single value to a few
 * tens of MB at most; anything larger fails with a message naming the limit.
 */
export const MAX_CELLS = 1_000_000;
export const MAX_COLUMNS = 10_000;

export class DataframeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataframeError";
  }
}

/** Fails when rows x columns would exceed the bounds. */
export function checkSize(rows: number, columns: number, what: string): void {
  if (columns > MAX_COLUMNS) throw new DataframeError(`${what}: ${columns} columns exceed the limit of ${MAX_COLUMNS}`);
  if (rows * Math.max(1, columns) > MAX_CELLS) {
    throw new DataframeError(`${what}: ${rows} rows x ${columns} columns exceed the limit of ${MAX_CELLS} cells`);
  }
}

/** NaN and undefined are pandas' missing values; both become null. */
export function cell(value: unknown): Cell {
  if (value === undefined) return null;
  if (typeof value === "number" && Number.isNaN(value)) return null;
  return value;
}

export const isMissing = (v: unknown): boolean => v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));

/**
 * The column type pandas would report for these values. `hint` keeps a float column float when its values
 * happen to be whole numbers again (pandas keeps the dtype; JavaScript numbers cannot tell 1.0 from 1).
 */
export function inferType(values: readonly Cell[], hint?: ColumnType): ColumnType {
  let numbers = 0;
  let integers = 0;
  let missing = 0;
  for (const v of values) {
    if (isMissing(v)) missing++;
    else if (typeof v === "number") {
      numbers++;
      if (Number.isInteger(v)) integers++;
    } else return "object";
  }
  if (numbers === 0) return missing > 0 && hint === "float" ? "float" : hint === "datetime" ? "datetime" : "object";
  if (integers === numbers && missing === 0 && hint !== "float") return "int";
  return "float";
}

export const columnDef = (name: string, data_type: ColumnType, description = ""): ColumnDef => ({ name, data_type, description });

/** A table from column names and rows, with column types inferred (optionally from previous types by name). */
export function makeTable(names: readonly string[], rows: Cell[][], hints?: ReadonlyMap<string, ColumnType> | readonly (ColumnType | undefined)[]): Table {
  const columns = names.map((name, i) => {
    const hint = hints ? (Array.isArray(hints) ? (hints as (ColumnType | undefined)[])[i] : (hints as ReadonlyMap<string, ColumnType>).get(name)) : undefined;
    return columnDef(name, inferType(columnValues({ columns: [], rows }, i), hint));
  });
  return { columns, rows };
}

export function columnValues(table: Table, index: number): Cell[] {
  return table.rows.map((r) => r[index]);
}

export const columnNames = (table: Table): string[] => table.columns.map((c) => c.name);

/** The index of a column; a missing one is an error listing the columns that exist (pandas' KeyError). */
export function columnIndex(table: Table, name: string, what: string): number {
  const i = table.columns.findIndex((c) => c.name === name);
  if (i >= 0) return i;
  const shown = table.columns.map((c) => `'${c.name}'`).join(", ") || "none";
  throw new DataframeError(`${what}: no column named '${name}' (columns: ${shown})`);
}

/** A comma-separated list of column names, each trimmed; empty entries dropped. */
export function splitNames(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function columnsFrom(raw: unknown, what: string): ColumnDef[] {
  if (!Array.isArray(raw)) throw new DataframeError(`${what}: columns must be a list, got ${describe(raw)}`);
  return raw.map((c, i) => {
    if (typeof c === "string") return columnDef(c, "object");
    if (!isRecord(c) || (typeof c.name !== "string" && typeof c.name !== "number")) {
      throw new DataframeError(`${what}: column ${i} must be {name, data_type}, got ${describe(c)}`);
    }
    const type = typeof c.data_type === "string" && ["int", "float", "datetime", "string", "object"].includes(c.data_type) ? (c.data_type as ColumnType) : "object";
    return columnDef(String(c.name), type, typeof c.description === "string" ? c.description : "");
  });
}

/**
 * A table from a list of records: columns are the keys in first-seen order, a key a record lacks is missing
 * there (pandas' `DataFrame(list_of_dicts)`).
 */
export function tableFromRecords(records: readonly unknown[], what: string): Table {
  const names: string[] = [];
  const seen = new Map<string, number>();
  for (const [i, r] of records.entries()) {
    if (!isRecord(r)) throw new DataframeError(`${what}: row ${i} must be an object, got ${describe(r)}`);
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.set(k, names.length);
        names.push(k);
        if (names.length > MAX_COLUMNS) checkSize(records.length, names.length, what);
      }
    }
  }
  checkSize(records.length, names.length, what);
  const rows = records.map((r) => names.map((k) => cell((r as Record<string, unknown>)[k])));
  return makeTable(names, rows);
}

/**
 * A dataframe value as a table. Accepts NodeTool's `DataframeRef` (columns + data), the `{rows: [...]}` shape of
 * NodeTool's TypeScript nodes, or a plain list of records. An unset reference (no columns) is an empty table;
 * a stored one (a `uri` without columns) must be loaded first (see `loadTable`).
 */
export function toTable(value: unknown, what: string): Table {
  if (value === null || value === undefined) return { columns: [], rows: [] };
  if (Array.isArray(value)) return tableFromRecords(value, what);
  if (!isRecord(value)) throw new DataframeError(`${what} must be a dataframe, got ${describe(value)}`);
  if (value.columns === null || value.columns === undefined) {
    if (Array.isArray(value.rows)) return tableFromRecords(value.rows, what);
    if (Array.isArray(value.data) && value.data.every(isRecord)) return tableFromRecords(value.data, what);
    return { columns: [], rows: [] };
  }
  const columns = columnsFrom(value.columns, what);
  const data = value.data ?? [];
  if (!Array.isArray(data)) throw new DataframeError(`${what}: data must be a list of rows, got ${describe(data)}`);
  checkSize(data.length, columns.length, what);
  const rows = data.map((row, i) => {
    if (isRecord(row)) return columns.map((c) => cell(row[c.name]));
    if (!Array.isArray(row)) throw new DataframeError(`${what}: row ${i} must be a list, got ${describe(row)}`);
    if (row.length !== columns.length) throw new DataframeError(`${what}: row ${i} has ${row.length} values for ${columns.length} columns`);
    return row.map(cell);
  });
  return { columns, rows };
}

/** Whether a value is a stored dataframe that must be read before use (a reference without inline columns). */
export function isStoredRef(value: unknown): boolean {
  return isRecord(value) && (value.columns === null || value.columns === undefined) && !Array.isArray(value.rows) && typeof value.uri === "string" && value.uri !== "";
}

/** A table as NodeTool's `DataframeRef`, the shape every dataframe output has. */
export function toRef(table: Table, extra: { uri?: string; asset_id?: string | null } = {}): DataframeRef {
  return {
    type: "dataframe",
    uri: extra.uri ?? "",
    asset_id: extra.asset_id ?? null,
    columns: table.columns.map((c) => ({ ...c })),
    data: table.rows,
  };
}

/** Rows as records (pandas' `to_dict("records")`); with duplicate column names the last one wins. */
export function toRecords(table: Table): Record<string, Cell>[] {
  return table.rows.map((row) => {
    const record: Record<string, Cell> = {};
    table.columns.forEach((c, i) => (record[c.name] = row[i]));
    return record;
  });
}
