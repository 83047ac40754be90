/**
 * NodeTool's `record_type` columns (`{name, data_type, description}`) as a JSON Schema for one record, and
 * rows as NodeTool's dataframe value `{type: "dataframe", columns, data}`.
 */
import { isRecord } from "../values/coerce";

export interface ColumnSpec {
  name: string;
  data_type: string;
  description: string;
}

/** The columns of a `record_type` value (or a bare list of columns or names). */
export function columnSpecs(value: unknown): ColumnSpec[] {
  const list = isRecord(value) ? value.columns : value;
  if (!Array.isArray(list)) return [];
  const out: ColumnSpec[] = [];
  for (const c of list) {
    const spec: Record<string, unknown> = isRecord(c) ? c : { name: c };
    const name = typeof spec.name === "string" ? spec.name.trim() : "";
    if (!name || out.some((o) => o.name === name)) continue;
    const type = typeof spec.data_type === "string" ? spec.data_type : typeof spec.type === "string" ? spec.type : "string";
    out.push({ name, data_type: type, description: typeof spec.description === "string" ? spec.description : "" });
  }
  return out;
}

function columnSchema(c: ColumnSpec): Record<string, unknown> {
  const type = c.data_type.toLowerCase();
  const schema: Record<string, unknown> =
    type === "int" || type === "integer"
      ? { type: "integer" }
      : type === "float" || type === "number"
        ? { type: "number" }
        : type === "bool" || type === "boolean"
          ? { type: "boolean" }
          : type === "datetime" || type === "date"
            ? { type: "string", description: "ISO 8601" }
            : type === "object"
              ? { type: "object" }
              : { type: "string" };
  if (c.description) schema.description = c.description;
  return schema;
}

/** JSON Schema of one record: every column, all required (NodeTool's GenerateDataTool). */
export function recordSchema(columns: readonly ColumnSpec[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const c of columns) properties[c.name] = columnSchema(c);
  return { type: "object", properties, required: columns.map((c) => c.name), additionalProperties: false };
}

/** Rows as NodeTool's dataframe value. */
export function dataframeValue(columns: readonly ColumnSpec[], rows: readonly Record<string, unknown>[]): Record<string, unknown> {
  return {
    type: "dataframe",
    uri: "",
    asset_id: null,
    columns: columns.map((c) => ({ name: c.name, data_type: c.data_type, description: c.description })),
    data: rows.map((r) => columns.map((c) => r[c.name] ?? null)),
  };
}
