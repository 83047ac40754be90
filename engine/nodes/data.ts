import { parseCsv } from "../dataframe/csv";
import { loadTable, tableFromJson, tableFromList } from "../dataframe/convert";
import { AGGREGATIONS, groupAggregate, pivotTable, PIVOT_AGGREGATIONS, type Aggregation } from "../dataframe/group";
import {
  appendRows,
  concatColumns,
  dropDuplicates,
  dropMissing,
  fillMissing,
  joinOn,
  renameColumns,
  selectColumns,
  setColumn,
  sliceRows,
  sortBy,
  takeRows,
} from "../dataframe/ops";
import { queryRows } from "../dataframe/query";
import { columnIndex, DataframeError, splitNames, toRecords, toRef, type Table } from "../dataframe/table";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl, Outputs } from "../registry/types";
import { describe, toInt, toText } from "../values/coerce";

/**
 * `nodetool.data.*`: dataframe nodes. Semantics follow NodeTool's Python nodes (nodetool-base
 * src/nodetool/nodes/nodetool/data.py, which call pandas); the table logic lives in engine/dataframe/.
 * The reading, writing and row-streaming nodes are in data-io.ts.
 */

/** NodeTool's empty `DataframeRef`, the default of every dataframe property. */
export const emptyDataframe = () => ({ type: "dataframe", uri: "", asset_id: null, data: null, metadata: null, columns: null });
export const dataframeProp = (name: string, description?: string) => prop(name, "dataframe", emptyDataframe(), description ? { description } : {});
const DF_OUT = [out("output", "dataframe")];

/** A node from one dataframe input (`input`) to a dataframe output. */
function transform(
  name: string,
  description: string,
  input: string,
  extra: ReturnType<typeof prop>[],
  fn: (table: Table, inputs: Record<string, unknown>, what: string) => Table,
): NodeDecl {
  return defineNode({
    type: `nodetool.data.${name}`,
    description,
    properties: [dataframeProp(input), ...extra],
    outputs: DF_OUT,
    process: async (inputs, ctx) => ({ output: toRef(fn(await loadTable(inputs[input], ctx, `${name}: ${input}`), inputs, name)) }),
  });
}

function pair(name: string, description: string, extra: ReturnType<typeof prop>[], fn: (a: Table, b: Table, inputs: Record<string, unknown>, what: string) => Table): NodeDecl {
  return defineNode({
    type: `nodetool.data.${name}`,
    description,
    properties: [dataframeProp("dataframe_a"), dataframeProp("dataframe_b"), ...extra],
    outputs: DF_OUT,
    process: async (inputs, ctx: NodeContext): Promise<Outputs> => {
      const a = await loadTable(inputs.dataframe_a, ctx, `${name}: dataframe_a`);
      const b = await loadTable(inputs.dataframe_b, ctx, `${name}: dataframe_b`);
      return { output: toRef(fn(a, b, inputs, name)) };
    },
  });
}

/** Rows matching a pandas `query` condition; an empty condition keeps every row (as NodeTool's TypeScript nodes do). */
function query(table: Table, condition: unknown, what: string, limit?: number): Table {
  const text = toText(condition).trim();
  if (text === "") return limit === undefined ? table : takeRows(table, table.rows.slice(0, limit).map((_, i) => i));
  try {
    return takeRows(table, queryRows(table, text, limit));
  } catch (err) {
    if (err instanceof DataframeError) throw new DataframeError(`${what}: ${err.message}`);
    throw err;
  }
}

function aggregation(value: unknown, allowed: readonly Aggregation[], what: string): Aggregation {
  const fn = toText(value).trim();
  if (!(allowed as readonly string[]).includes(fn)) throw new DataframeError(`${what}: unknown aggregation function '${fn}' (use ${allowed.join(", ")})`);
  return fn as Aggregation;
}

const CONDITION_HELP = "Example conditions: age > 30; age > 30 and salary < 50000; name == 'John Doe'; 100 <= price <= 200; status in ['Active', 'Pending']; not (age < 18); `Country Code` == 'USA'";

export const dataNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.data.Schema",
    description: "Define a schema for a dataframe.\n    schema, dataframe, create",
    properties: [prop("columns", "record_type", { type: "record_type", columns: [] }, { description: "The columns to use in the dataframe." })],
    outputs: [out("output", "record_type")],
    process: (inputs) => ({ output: inputs.columns ?? { type: "record_type", columns: [] } }),
  }),
  defineNode({
    type: "nodetool.data.ImportCSV",
    title: "Import CSV",
    description: "Convert CSV string to dataframe.\n    csv, dataframe, import",
    properties: [prop("csv_data", "str", "", { title: "CSV Data", description: "String input of CSV formatted text." })],
    outputs: DF_OUT,
    process: (inputs) => ({ output: toRef(parseCsv(toText(inputs.csv_data), "ImportCSV")) }),
  }),
  defineNode({
    type: "nodetool.data.FromList",
    description: "Convert list of dicts to dataframe.\n    list, dataframe, convert",
    properties: [prop("values", "list[any]", [], { description: "List of values to be converted, each value will be a row." })],
    outputs: DF_OUT,
    process: (inputs) => {
      const values = inputs.values ?? [];
      if (!Array.isArray(values)) throw new DataframeError(`FromList: values must be a list, got ${describe(values)}`);
      return { output: toRef(tableFromList(values, "FromList")) };
    },
  }),
  defineNode({
    type: "nodetool.data.JSONToDataframe",
    title: "Convert JSON to DataFrame",
    description: "Transforms a JSON string into a pandas DataFrame.\n    json, dataframe, conversion",
    properties: [prop("text", "str", "", { title: "JSON" })],
    outputs: DF_OUT,
    process: (inputs) => ({ output: toRef(tableFromJson(toText(inputs.text), "JSONToDataframe")) }),
  }),
  defineNode({
    type: "nodetool.data.ToList",
    description: "Convert dataframe to list of dictionaries.\n    dataframe, list, convert",
    properties: [dataframeProp("dataframe", "The input dataframe to convert.")],
    outputs: [out("output", "list[dict]")],
    process: async (inputs, ctx) => ({ output: toRecords(await loadTable(inputs.dataframe, ctx, "ToList: dataframe")) }),
  }),
  defineNode({
    type: "nodetool.data.ExtractColumn",
    description: "Convert dataframe column to list.\n    dataframe, column, list",
    properties: [dataframeProp("dataframe", "The input dataframe."), prop("column_name", "str", "", { description: "The name of the column to be converted to a list." })],
    outputs: [out("output", "list[any]")],
    process: async (inputs, ctx) => {
      const table = await loadTable(inputs.dataframe, ctx, "ExtractColumn: dataframe");
      const c = columnIndex(table, toText(inputs.column_name), "ExtractColumn");
      return { output: table.rows.map((r) => r[c]) };
    },
  }),
  transform("Filter", `Filter dataframe based on condition (a pandas query expression).\n    filter, query, condition\n\n    ${CONDITION_HELP}`, "df", [prop("condition", "str", "", { description: "The filtering condition to be applied to the DataFrame, e.g. column_name > 5." })], (t, i, w) =>
    query(t, i.condition, w),
  ),
  transform("FindRow", `Find the first row in a dataframe that matches a given condition.\n    filter, query, condition, single row\n\n    ${CONDITION_HELP}`, "df", [prop("condition", "str", "", { description: "The condition to filter the DataFrame, e.g. 'column_name == value'." })], (t, i, w) =>
    query(t, i.condition, w, 1),
  ),
  transform("Slice", "Slice a dataframe by rows using start and end indices.\n    slice, subset, rows", "dataframe", [prop("start_index", "int", 0, { description: "The starting index of the slice (inclusive)." }), prop("end_index", "int", -1, { description: "The ending index of the slice (exclusive). Use -1 for the last row." })], (t, i) => {
    const end = toInt(i.end_index ?? -1, "end_index");
    return sliceRows(t, toInt(i.start_index ?? 0, "start_index"), end === -1 ? t.rows.length : end);
  }),
  transform("SelectColumn", "Select specific columns from dataframe.\n    dataframe, columns, filter", "dataframe", [prop("columns", "str", "", { description: "comma separated list of column names" })], (t, i, w) => {
    const names = splitNames(toText(i.columns));
    return names.length === 0 ? t : selectColumns(t, names, w);
  }),
  transform("AddColumn", "Add list of values as new column to dataframe.\n    dataframe, column, list", "dataframe", [prop("column_name", "str", "", { description: "The name of the new column to be added to the dataframe." }), prop("values", "list[any]", [], { description: "A list of any type of elements which will be the new column's values." })], (t, i, w) => {
    const values = i.values ?? [];
    if (!Array.isArray(values)) throw new DataframeError(`${w}: values must be a list, got ${describe(values)}`);
    return setColumn(t, toText(i.column_name), values, w);
  }),
  transform("SortByColumn", "Sort dataframe by specified column.\n    sort, order, column", "df", [prop("column", "str", "", { description: "The column to sort the DataFrame by." })], (t, i, w) => sortBy(t, toText(i.column), w)),
  transform("DropDuplicates", "Remove duplicate rows from dataframe.\n    duplicates, unique, clean", "df", [], (t) => dropDuplicates(t)),
  transform("DropNA", "Remove rows with NA values from dataframe.\n    na, missing, clean", "df", [], (t) => dropMissing(t)),
  transform("FillNA", "Fill missing values in dataframe.\n    fillna, missing, impute", "dataframe", [prop("value", "any", 0, { description: "Value to use for filling missing values." }), prop("method", "str", "value", { description: "Method for filling: value, forward, backward, mean, median" }), prop("columns", "str", "", { description: "Comma-separated column names to fill. Leave empty for all columns." })], (t, i, w) =>
    fillMissing(t, splitNames(toText(i.columns)), toText(i.method ?? "value").trim() || "value", i.value ?? 0, w),
  ),
  transform("Rename", "Rename columns in dataframe.\n    rename, columns, names", "dataframe", [prop("rename_map", "str", "", { description: "Column rename mapping in format: old1:new1,old2:new2" })], (t, i) => renameColumns(t, toText(i.rename_map))),
  transform("Aggregate", "Aggregate dataframe by one or more columns.\n    aggregate, groupby, group, sum, mean, count, min, max, std, var, median, first, last", "dataframe", [prop("columns", "str", "", { description: "Comma-separated column names to group by." }), prop("aggregation", "str", "sum", { description: "Aggregation function: sum, mean, count, min, max, std, var, median, first, last" })], (t, i, w) =>
    groupAggregate(t, toText(i.columns).split(",").map((s) => s.trim()), aggregation(i.aggregation ?? "sum", AGGREGATIONS, w), w),
  ),
  transform("Pivot", "Pivot dataframe to reshape data.\n    pivot, reshape, transform", "dataframe", [prop("index", "str", "", { description: "Column name to use as index (rows)." }), prop("columns", "str", "", { description: "Column name to use as columns." }), prop("values", "str", "", { description: "Column name to use as values." }), prop("aggfunc", "str", "sum", { description: "Aggregation function: sum, mean, count, min, max, first, last" })], (t, i, w) =>
    pivotTable(t, toText(i.index), toText(i.columns), toText(i.values), aggregation(i.aggfunc ?? "sum", PIVOT_AGGREGATIONS, w), w),
  ),
  pair("Merge", "Merge two dataframes along columns.\n    merge, concat, columns", [], (a, b, _i, w) => concatColumns(a, b, w)),
  pair("Append", "Append two dataframes along rows.\n    append, concat, rows", [], (a, b, _i, w) => appendRows(a, b, w)),
  pair("Join", "Join two dataframes on specified column.\n    join, merge, column", [prop("join_on", "str", "", { description: "The column name on which to join the two dataframes." })], (a, b, i, w) => joinOn(a, b, toText(i.join_on), w)),
];
