import { jsonSchemaForProperty, jsonSchemaForType } from "../../engine/registry/json-schema";
import type { PropertyDecl } from "../../engine/registry/types";
import { splitUnion } from "../../engine/values/types";

type Schema = Record<string, unknown>;

/** Every JSON type: the schema of an `any` value, spelled out so that every catalog schema names its type. */
const ANY_TYPES = ["string", "number", "boolean", "object", "array", "null"];

/** The JSON type of a NodeTool type name the engine leaves unconstrained (model references, `image_size`, `dict[str, float]` ...). */
function fallbackType(typeName: string): string | string[] {
  const single = splitUnion(typeName)[0] ?? "any";
  if (single === "any" || single === "") return ANY_TYPES;
  if (single === "text" || single === "string") return "string";
  if (single.startsWith("tuple")) return "array";
  // dict[...] and the named reference types (language_model, image_size, json ...) are records.
  return "object";
}

function innerListType(typeName: string): string {
  const m = /^list\[(.*)\]$/.exec(splitUnion(typeName)[0] ?? "");
  return m ? m[1] : "any";
}

/**
 * Completes the engine's JSON Schema for a type so that it always carries `type`: the engine leaves `any`
 * and types it has no JSON form for as `{}` (unconstrained). Array items and union members are completed
 * the same way.
 */
export function typedSchema(schema: Schema, typeName: string): Schema {
  if (Array.isArray(schema.anyOf)) {
    const parts = splitUnion(typeName);
    const members = (schema.anyOf as Schema[]).map((m, i) => typedSchema(m, parts[i] ?? "any"));
    const types = new Set<string>();
    for (const m of members) for (const t of [m.type].flat()) types.add(String(t));
    return { ...schema, type: [...types], anyOf: members };
  }
  if (schema.type === undefined) return { ...schema, type: fallbackType(typeName) };
  if (schema.type === "array" && schema.items && typeof schema.items === "object") {
    return { ...schema, items: typedSchema(schema.items as Schema, innerListType(typeName)) };
  }
  return schema;
}

function withNull(schema: Schema): Schema {
  const types = [schema.type].flat() as string[];
  if (types.includes("null")) return schema;
  const out: Schema = { ...schema, type: [...types, "null"] };
  if (Array.isArray(schema.anyOf)) out.anyOf = [...schema.anyOf, { type: "null" }];
  return out;
}

/** JSON Schema of a node property for the catalog: the engine's schema, always with a `type` that its default fits. */
export function propertyJsonSchema(p: PropertyDecl): Schema {
  const schema = typedSchema(jsonSchemaForProperty(p), p.type);
  // A null default means "not set": the value may be null.
  return p.default === null ? withNull(schema) : schema;
}

/** JSON Schema of a node output for the catalog. */
export function outputJsonSchema(typeName: string): Schema {
  return typedSchema(jsonSchemaForType(typeName), typeName);
}
