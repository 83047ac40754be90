import { checkSize, columnDef, columnIndex, DataframeError, inferType, isMissing, makeTable, type Cell, type ColumnType, type Table } from "./table";

/**
 * Row and column operations of NodeTool's `nodetool.data` nodes, each following the pandas call the Python
 * node makes (nodetool-base src/nodetool/nodes/nodetool/data.py). Tables are never modified in place.
 */

/** A table's rows picked by index, columns unchanged. */
export function takeRows(table: Table, indices: readonly number[]): Table {
  return { columns: table.columns, rows: indices.map((i) => table.rows[i]) };
}

/** `df[columns]`: the named columns in the given order (a missing one is an error). */
export function selectColumns(table: Table, names: readonly string[], what: string): Table {
  const idx = names.map((n) => columnIndex(table, n, what));
  return { columns: idx.map((i) => table.columns[i]), rows: table.rows.map((r) => idx.map((i) => r[i])) };
}

/** `df.iloc[start:end]` with Python's slice bounds. */
export function sliceRows(table: Table, start: number, end: number): Table {
  const n = table.rows.length;
  const clamp = (i: number) => (i < 0 ? Math.max(0, n + i) : Math.min(i, n));
  return { columns: table.columns, rows: table.rows.slice(clamp(start), Math.max(clamp(start), clamp(end))) };
}

/** pandas' sort order for one column: numbers numerically, text by code point; mixing them is an error. */
function compareCells(a: Cell, b: Cell, what: string): number {
  const num = (v: Cell) => typeof v === "number" || typeof v === "boolean";
  if (num(a) && num(b)) return Number(a) - Number(b);
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  throw new DataframeError(`${what}: cannot order ${typeof a} values against ${typeof b} values`);
}

/** `sort_values(column)`: ascending, missing values last, ties in their original order. */
export function sortBy(table: Table, name: string, what: string): Table {
  const c = columnIndex(table, name, what);
  const order = table.rows.map((_, i) => i);
  order.sort((x, y) => {
    const a = table.rows[x][c];
    const b = table.rows[y][c];
    if (isMissing(a) || isMissing(b)) return isMissing(a) === isMissing(b) ? x - y : isMissing(a) ? 1 : -1;
    return compareCells(a, b, what) || x - y;
  });
  return takeRows(table, order);
}

/** A stable key for a row's values; NaN and None count as the same missing value, as pandas does. */
const rowKey = (row: readonly Cell[]) => JSON.stringify(row.map((v) => (isMissing(v) ? null : v)));

/** `drop_duplicates()`: keeps the first of identical rows. */
export function dropDuplicates(table: Table): Table {
  const seen = new Set<string>();
  return {
    columns: table.columns,
    rows: table.rows.filter((r) => {
      const k = rowKey(r);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    }),
  };
}

/** `dropna()`: rows with any missing value are dropped. */
export function dropMissing(table: Table): Table {
  return { columns: table.columns, rows: table.rows.filter((r) => !r.some(isMissing)) };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** `fillna` by method: value, forward (ffill), backward (bfill), mean or median (numeric columns only). */
export function fillMissing(table: Table, names: readonly string[], method: string, value: Cell, what: string): Table {
  const targets = names.length ? names.map((n) => columnIndex(table, n, what)) : table.columns.map((_, i) => i);
  const rows = table.rows.map((r) => [...r]);
  for (const c of targets) {
    const type = table.columns[c].data_type;
    if (method === "value") {
      for (const r of rows) if (isMissing(r[c])) r[c] = value;
    } else if (method === "forward") {
      let last: Cell = null;
      for (const r of rows) {
        if (isMissing(r[c])) r[c] = last;
        else last = r[c];
      }
    } else if (method === "backward") {
      let next: Cell = null;
      for (let i = rows.length - 1; i >= 0; i--) {
        if (isMissing(rows[i][c])) rows[i][c] = next;
        else next = rows[i][c];
      }
    } else if (method === "mean" || method === "median") {
      if (type !== "int" && type !== "float") continue;
      const present = rows.map((r) => r[c]).filter((v): v is number => typeof v === "number" && !Number.isNaN(v));
      if (present.length === 0) continue;
      const fill = method === "mean" ? present.reduce((a, b) => a + b, 0) / present.length : median(present);
      for (const r of rows) if (isMissing(r[c])) r[c] = fill;
    } else {
      throw new DataframeError(`${what}: unknown fill method '${method}' (use value, forward, backward, mean or median)`);
    }
  }
  return makeTable(
    table.columns.map((c) => c.name),
    rows,
    table.columns.map((c) => c.data_type),
  );
}

/** `df[name] = values`: replaces or appends a column; the length must match unless the table is empty. */
export function setColumn(table: Table, name: string, values: readonly Cell[], what: string): Table {
  if (table.columns.length === 0 && table.rows.length === 0) {
    checkSize(values.length, 1, what);
    return makeTable([name], values.map((v) => [isMissing(v) ? null : v]));
  }
  if (values.length !== table.rows.length) {
    throw new DataframeError(`${what}: length of values (${values.length}) does not match the number of rows (${table.rows.length})`);
  }
  const existing = table.columns.findIndex((c) => c.name === name);
  const at = existing >= 0 ? existing : table.columns.length;
  checkSize(table.rows.length, Math.max(at + 1, table.columns.length), what);
  const rows = table.rows.map((r, i) => {
    const copy = [...r];
    copy[at] = isMissing(values[i]) ? null : values[i];
    return copy;
  });
  const columns = [...table.columns];
  columns[at] = columnDef(name, inferType(values));
  return { columns, rows };
}

/** `rename(columns=...)` from NodeTool's "old1:new1,old2:new2" text; unknown old names are ignored. */
export function renameColumns(table: Table, mapping: string): Table {
  const map = new Map<string, string>();
  for (const part of mapping.split(",")) {
    const at = part.indexOf(":");
    if (at >= 0) map.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return { columns: table.columns.map((c) => (map.has(c.name) ? { ...c, name: map.get(c.name)! } : c)), rows: table.rows };
}

const sameColumns = (a: Table, b: Table) => a.columns.length === b.columns.length && a.columns.every((c, i) => c.name === b.columns[i].name);
const columnList = (t: Table) => `[${t.columns.map((c) => `'${c.name}'`).join(", ")}]`;
const isEmpty = (t: Table) => t.rows.length === 0 || t.columns.length === 0;

/** NodeTool's Append: an empty side yields the other; otherwise the columns must match, in order. */
export function appendRows(a: Table, b: Table, what: string): Table {
  if (isEmpty(a)) return b;
  if (isEmpty(b)) return a;
  if (!sameColumns(a, b)) throw new DataframeError(`${what}: columns in dataframe A ${columnList(a)} do not match columns in dataframe B ${columnList(b)}`);
  checkSize(a.rows.length + b.rows.length, a.columns.length, what);
  return makeTable(
    a.columns.map((c) => c.name),
    [...a.rows, ...b.rows],
    a.columns.map((c, i) => (c.data_type === "float" || b.columns[i].data_type === "float" ? "float" : c.data_type)),
  );
}

/** `pd.concat([a, b], axis=1)`: side by side by row position; the shorter side is padded with missing values. */
export function concatColumns(a: Table, b: Table, what: string): Table {
  const n = Math.max(a.rows.length, b.rows.length);
  checkSize(n, a.columns.length + b.columns.length, what);
  const pad = (t: Table, i: number) => t.rows[i] ?? t.columns.map(() => null);
  const rows = Array.from({ length: n }, (_, i) => [...pad(a, i), ...pad(b, i)]);
  return makeTable(
    [...a.columns, ...b.columns].map((c) => c.name),
    rows,
    [...a.columns, ...b.columns].map((c) => c.data_type),
  );
}

/**
 * NodeTool's Join: both tables must have the same columns; `pd.merge(a, b, on=key)` is an inner join in the
 * order of A's rows, and every other column appears twice, suffixed `_x` (from A) and `_y` (from B).
 */
export function joinOn(a: Table, b: Table, key: string, what: string): Table {
  if (!sameColumns(a, b)) throw new DataframeError(`${what}: columns in dataframe A ${columnList(a)} do not match columns in dataframe B ${columnList(b)}`);
  const ka = columnIndex(a, key, what);
  const kb = columnIndex(b, key, what);
  const byKey = new Map<string, Cell[][]>();
  for (const r of b.rows) {
    const k = JSON.stringify(isMissing(r[kb]) ? null : typeof r[kb] === "boolean" ? Number(r[kb]) : r[kb]);
    (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(r);
  }
  const others = a.columns.map((_, i) => i).filter((i) => i !== ka);
  const names: string[] = [];
  const hints: ColumnType[] = [];
  a.columns.forEach((c, i) => {
    names.push(i === ka ? c.name : `${c.name}_x`);
    hints.push(c.data_type);
  });
  for (const i of others) {
    names.push(`${b.columns[i].name}_y`);
    hints.push(b.columns[i].data_type);
  }
  const rows: Cell[][] = [];
  for (const ra of a.rows) {
    const k = JSON.stringify(isMissing(ra[ka]) ? null : typeof ra[ka] === "boolean" ? Number(ra[ka]) : ra[ka]);
    for (const rb of byKey.get(k) ?? []) {
      rows.push([...ra, ...others.map((i) => rb[i])]);
      checkSize(rows.length, names.length, what);
    }
  }
  return makeTable(names, rows, hints);
}
