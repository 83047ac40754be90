import { splitUnion } from "../values/types";
import type { PropertyDecl } from "./types";

const MEDIA_REF = (type: string) => ({
  type: "object",
  properties: { type: { type: "string", const: type }, uri: { type: "string" }, asset_id: { type: ["string", "null"] } },
  required: ["uri"],
});

/** JSON Schema for one of our type names; unknown names are unconstrained. */
export function jsonSchemaForType(t: string): Record<string, unknown> {
  const members = splitUnion(t);
  if (members.length > 1) {
    if (members.every((m) => m === "int" || m === "float")) return { type: "number" };
    return { anyOf: members.map(jsonSchemaForType) };
  }
  const single = members[0] ?? "any";
  const inner = /^list\[(.*)\]$/.exec(single);
  if (inner) return { type: "array", items: jsonSchemaForType(inner[1]) };
  switch (single) {
    case "str":
    case "enum":
      return { type: "string" };
    case "int":
      return { type: "integer" };
    case "float":
    case "number":
      return { type: "number" };
    case "bool":
      return { type: "boolean" };
    case "list":
      return { type: "array" };
    case "dict":
      return { type: "object" };
    case "datetime":
    case "date":
      return { type: "object", description: `a ${single} value` };
    case "image":
    case "audio":
    case "video":
    case "document":
    case "model_3d":
    case "dataframe":
    case "folder":
      return MEDIA_REF(single);
    default:
      return {};
  }
}

/** JSON Schema of a declared property: its type plus default, bounds and enum values. */
export function jsonSchemaForProperty(p: PropertyDecl): Record<string, unknown> {
  const schema: Record<string, unknown> = { ...jsonSchemaForType(p.type) };
  if (p.default !== undefined) schema.default = p.default;
  if (p.min !== undefined) schema.minimum = p.min;
  if (p.max !== undefined) schema.maximum = p.max;
  if (p.values) schema.enum = [...p.values];
  if (p.description) schema.description = p.description;
  return schema;
}
