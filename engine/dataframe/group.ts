import { checkSize, columnIndex, DataframeError, isMissing, makeTable, type Cell, type ColumnType, type Table } from "./table";

/**
 * Grouping for NodeTool's Aggregate (`df.groupby(cols).<fn>().reset_index()`) and Pivot
 * (`df.pivot_table(index, columns, values, aggfunc).reset_index()`), with pandas' rules: rows whose group key
 * is missing are dropped, groups come out sorted by key, missing values are skipped by every function,
 * `std`/`var` use n-1, and the numeric functions refuse text columns.
 */
export const AGGREGATIONS = ["sum", "mean", "count", "min", "max", "std", "var", "median", "first", "last"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];
export const PIVOT_AGGREGATIONS: readonly Aggregation[] = ["sum", "mean", "count", "min", "max", "first", "last"];

const isNum = (v: Cell): v is number | boolean => typeof v === "number" || typeof v === "boolean";

function numbers(values: Cell[], fn: string, column: string): number[] {
  return values.map((v) => {
    if (!isNum(v)) throw new DataframeError(`cannot compute ${fn} of column '${column}': it holds ${typeof v} values`);
    return Number(v);
  });
}

function variance(xs: number[]): number | null {
  if (xs.length < 2) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
}

function extreme(values: Cell[], fn: "min" | "max", column: string): Cell {
  if (values.length === 0) return null;
  const allNum = values.every(isNum);
  if (!allNum && !values.every((v) => typeof v === "string")) throw new DataframeError(`cannot compute ${fn} of column '${column}': it mixes numbers and text`);
  let best = values[0];
  for (const v of values) {
    const less = allNum ? Number(v) < Number(best) : (v as string) < (best as string);
    const more = allNum ? Number(v) > Number(best) : (v as string) > (best as string);
    if ((fn === "min" && less) || (fn === "max" && more)) best = v;
  }
  return best;
}

/** One aggregation over a group's values of one column. */
export function aggregate(fn: Aggregation, all: Cell[], column: string): Cell {
  const values = all.filter((v) => !isMissing(v));
  switch (fn) {
    case "count":
      return values.length;
    case "first":
      return values.length ? values[0] : null;
    case "last":
      return values.length ? values[values.length - 1] : null;
    case "min":
    case "max":
      return extreme(values, fn, column);
    case "sum":
      if (values.length > 0 && values.every((v) => typeof v === "string")) return values.join("");
      return numbers(values, "sum", column).reduce((a, b) => a + b, 0);
    case "mean": {
      const xs = numbers(values, "mean", column);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    }
    case "median": {
      const xs = numbers(values, "median", column).sort((a, b) => a - b);
      if (xs.length === 0) return null;
      const m = xs.length >> 1;
      return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
    }
    case "var":
      return variance(numbers(values, "var", column));
    case "std": {
      const v = variance(numbers(values, "std", column));
      return v === null ? null : Math.sqrt(v);
    }
  }
}

/** The column type an aggregation yields from a column of the given type. */
function resultType(fn: Aggregation, input: ColumnType): ColumnType | undefined {
  if (fn === "count") return "int";
  if (fn === "mean" || fn === "median" || fn === "std" || fn === "var") return "float";
  return input === "float" ? "float" : undefined;
}

/** Sort order of group keys: numbers before text, each in natural order. */
function compareKeys(a: Cell[], b: Cell[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (isNum(x) && isNum(y)) {
      if (Number(x) !== Number(y)) return Number(x) - Number(y);
    } else if (isNum(x) !== isNum(y)) return isNum(x) ? -1 : 1;
    else {
      const sx = String(x);
      const sy = String(y);
      if (sx !== sy) return sx < sy ? -1 : 1;
    }
  }
  return 0;
}

const keyOf = (values: Cell[]) => JSON.stringify(values.map((v) => (typeof v === "boolean" ? Number(v) : v)));

interface Groups {
  keys: Cell[][];
  members: number[][];
}

function groupRows(table: Table, keyColumns: number[]): Groups {
  const index = new Map<string, number>();
  const groups: Groups = { keys: [], members: [] };
  table.rows.forEach((row, r) => {
    const key = keyColumns.map((c) => row[c]);
    if (key.some(isMissing)) return;
    const k = keyOf(key);
    let g = index.get(k);
    if (g === undefined) {
      g = groups.keys.length;
      index.set(k, g);
      groups.keys.push(key);
      groups.members.push([]);
    }
    groups.members[g].push(r);
  });
  const order = groups.keys.map((_, i) => i).sort((a, b) => compareKeys(groups.keys[a], groups.keys[b]));
  return { keys: order.map((i) => groups.keys[i]), members: order.map((i) => groups.members[i]) };
}

/** `df.groupby(columns).<fn>().reset_index()`. */
export function groupAggregate(table: Table, by: readonly string[], fn: Aggregation, what: string): Table {
  if (by.length === 0) throw new DataframeError(`${what}: name at least one column to group by`);
  const keyColumns = by.map((n) => columnIndex(table, n, what));
  const valueColumns = table.columns.map((_, i) => i).filter((i) => !keyColumns.includes(i));
  const groups = groupRows(table, keyColumns);
  const rows = groups.keys.map((key, g) => [
    ...key,
    ...valueColumns.map((c) => {
      try {
        return aggregate(fn, groups.members[g].map((r) => table.rows[r][c]), table.columns[c].name);
      } catch (err) {
        throw new DataframeError(`${what}: ${(err as Error).message}`);
      }
    }),
  ]);
  const names = [...keyColumns, ...valueColumns].map((c) => table.columns[c].name);
  const hints = [...keyColumns.map((c) => table.columns[c].data_type), ...valueColumns.map((c) => resultType(fn, table.columns[c].data_type))];
  return makeTable(names, rows, hints);
}

/** A column label as Python's `str()` prints it (a float column's 2021 is "2021.0"). */
function label(v: Cell, type: ColumnType): string {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number" && type === "float" && Number.isInteger(v)) return `${v}.0`;
  return String(v);
}

/**
 * `pivot_table(index=..., columns=..., values=..., aggfunc=...)` then `reset_index()`: one row per index value
 * and one column per distinct `columns` value, both sorted; combinations without rows are missing, and
 * combinations (then columns) whose aggregate is missing are dropped, as pandas' `dropna=True` does.
 */
export function pivotTable(table: Table, index: string, columns: string, values: string, fn: Aggregation, what: string): Table {
  const ic = columnIndex(table, index, what);
  const cc = columnIndex(table, columns, what);
  const vc = columnIndex(table, values, what);
  const rowGroups = groupRows(table, [ic]);
  const colGroups = groupRows(table, [cc]);
  checkSize(rowGroups.keys.length, colGroups.keys.length + 1, what);
  const colPos = new Map(colGroups.keys.map((k, i) => [keyOf(k), i]));
  const cells: Cell[][] = rowGroups.keys.map(() => colGroups.keys.map(() => null));
  rowGroups.members.forEach((members, r) => {
    const byColumn = new Map<number, Cell[]>();
    for (const m of members) {
      const key = table.rows[m][cc];
      if (isMissing(key)) continue;
      const c = colPos.get(keyOf([key]))!;
      (byColumn.get(c) ?? byColumn.set(c, []).get(c)!).push(table.rows[m][vc]);
    }
    for (const [c, vals] of byColumn) {
      try {
        cells[r][c] = aggregate(fn, vals, table.columns[vc].name);
      } catch (err) {
        throw new DataframeError(`${what}: ${(err as Error).message}`);
      }
    }
  });
  const keepColumns = colGroups.keys.map((_, c) => c).filter((c) => cells.some((row) => !isMissing(row[c])));
  const keepRows = rowGroups.keys.map((_, r) => r).filter((r) => cells[r].some((v) => !isMissing(v)));
  const names = [table.columns[ic].name, ...keepColumns.map((c) => label(colGroups.keys[c][0], table.columns[cc].data_type))];
  const rows = keepRows.map((r) => [rowGroups.keys[r][0], ...keepColumns.map((c) => cells[r][c])]);
  const valueHint = resultType(fn, table.columns[vc].data_type);
  return makeTable(names, rows, [table.columns[ic].data_type, ...keepColumns.map(() => valueHint)]);
}
