import { readMedia } from "../media/refs";
import type { NodeContext } from "../registry/types";
import { describe, isRecord } from "../values/coerce";
import { parseCsv } from "./csv";
import { cell, checkSize, DataframeError, isStoredRef, makeTable, tableFromRecords, toTable, type Cell, type Table } from "./table";

/** Stored dataframes larger than this are refused before decoding. */
export const MAX_STORED_BYTES = 64 * 1024 * 1024;

/**
 * A dataframe input as a table. Inline values convert directly; a stored one (a `uri` without columns, as
 * SaveDataframe or an upload produces) is read through the blob store and parsed as CSV, or as JSON records
 * when stored as JSON. NodeTool's own stored frames are pickled pandas objects, which cannot be read here.
 */
export async function loadTable(value: unknown, ctx: NodeContext, what: string): Promise<Table> {
  if (!isStoredRef(value)) return toTable(value, what);
  const { bytes, contentType } = await readMedia(value, ctx, what, "dataframe");
  if (bytes.length > MAX_STORED_BYTES) throw new DataframeError(`${what}: the stored dataframe has ${bytes.length} bytes (limit ${MAX_STORED_BYTES})`);
  if (bytes[0] === 0x80) throw new DataframeError(`${what}: the stored dataframe is a pickled pandas object, which cannot be read here; store it as CSV`);
  const text = new TextDecoder().decode(bytes);
  if (contentType.includes("json")) return tableFromJson(text, what);
  return parseCsv(text, what);
}

/** Values of a FromList row: `{value: x}` dicts give x, scalars stay, anything else becomes text (NodeTool's FromList). */
function fromListValue(v: unknown, what: string): Cell {
  if (isRecord(v)) {
    if (!("value" in v)) throw new DataframeError(`${what}: a dict value needs a 'value' key, got keys ${Object.keys(v).join(", ") || "none"}`);
    return cell(v.value);
  }
  if (v === null || v === undefined || typeof v === "number" || typeof v === "string" || typeof v === "boolean") return cell(v);
  return JSON.stringify(v) ?? String(v);
}

/** NodeTool's FromList: each item must be a dict and becomes a row. */
export function tableFromList(values: readonly unknown[], what: string): Table {
  const rows = values.map((item, i) => {
    if (!isRecord(item)) throw new DataframeError(`${what}: the list must contain dicts; item ${i} is ${describe(item)}`);
    const row: Record<string, Cell> = {};
    for (const [k, v] of Object.entries(item)) row[k] = fromListValue(v, what);
    return row;
  });
  return tableFromRecords(rows, what);
}

/**
 * `pd.DataFrame(json.loads(text))`: a list of records, a dict of equally long columns, a list of lists
 * (columns named 0, 1, ...), or a list of scalars (one column named 0).
 */
export function tableFromJson(text: string, what: string): Table {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DataframeError(`${what}: invalid JSON: ${(err as Error).message}`);
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return { columns: [], rows: [] };
    if (parsed.every(isRecord)) return tableFromRecords(parsed, what);
    if (parsed.every(Array.isArray)) {
      const width = Math.max(...(parsed as unknown[][]).map((r) => r.length));
      checkSize(parsed.length, width, what);
      const rows = (parsed as unknown[][]).map((r) => Array.from({ length: width }, (_, i) => cell(r[i])));
      return makeTable(Array.from({ length: width }, (_, i) => String(i)), rows);
    }
    if (parsed.every((v) => !isRecord(v) && !Array.isArray(v))) {
      checkSize(parsed.length, 1, what);
      return makeTable(["0"], parsed.map((v) => [cell(v)]));
    }
    throw new DataframeError(`${what}: a JSON list must hold only objects, only lists or only scalar values`);
  }
  if (isRecord(parsed)) {
    const names = Object.keys(parsed);
    const columns = names.map((n) => parsed[n as keyof typeof parsed]);
    if (columns.every(Array.isArray)) {
      const length = (columns[0] as unknown[] | undefined)?.length ?? 0;
      if (columns.some((c) => (c as unknown[]).length !== length)) throw new DataframeError(`${what}: all columns must have the same length`);
      checkSize(length, names.length, what);
      return makeTable(names, Array.from({ length }, (_, r) => columns.map((c) => cell((c as unknown[])[r]))));
    }
    if (columns.every((c) => !isRecord(c) && !Array.isArray(c))) {
      throw new DataframeError(`${what}: if using all scalar values, you must pass an index (give a list of objects instead)`);
    }
    throw new DataframeError(`${what}: a JSON object must map column names to lists of values`);
  }
  throw new DataframeError(`${what}: expected a JSON list or object, got ${describe(parsed)}`);
}
