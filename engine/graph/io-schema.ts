import type { NodeRegistry } from "../registry/registry";
import { jsonSchemaForType } from "../registry/json-schema";
import { isRecordType, listInputs, listSinks } from "./inputs";
import type { NormalizedGraph } from "./normalize";

export type JsonSchema = Record<string, unknown>;

/** Model choices, messages, colours and image sizes are objects; a colour may also be its hex string. */
function recordSchema(valueType: string): JsonSchema | undefined {
  if (!isRecordType(valueType)) return undefined;
  return valueType === "color" ? { type: ["object", "string"] } : { type: "object" };
}

/** JSON Schema of a workflow's params: one property per input, with bounds, default and label. */
export function deriveInputSchema(graph: NormalizedGraph, registry: NodeRegistry): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const input of listInputs(graph, registry)) {
    if (input.name === "") continue;
    const schema: JsonSchema = recordSchema(input.valueType) ?? { ...jsonSchemaForType(input.valueType) };
    if (input.min !== undefined) schema.minimum = input.min;
    if (input.max !== undefined) schema.maximum = input.max;
    if (input.options) schema.enum = input.options;
    if (input.maxLength !== undefined) schema.maxLength = input.maxLength;
    if (input.defaultValue !== undefined) schema.default = input.defaultValue;
    schema.label = input.node.data.label ?? input.name;
    const description = input.node.data.description;
    if (typeof description === "string" && description !== "") schema.description = description;
    properties[input.name] = schema;
  }
  return { type: "object", properties, additionalProperties: false };
}

/** JSON Schema of a workflow's result map: one property per sink. */
export function deriveOutputSchema(graph: NormalizedGraph, registry: NodeRegistry): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const { node, name } of listSinks(graph, registry)) {
    const decl = registry.get(node.type)!;
    const valueType = decl.properties.find((p) => p.name === "value")?.type ?? "any";
    properties[name] = { ...jsonSchemaForType(valueType), label: name };
  }
  return { type: "object", properties };
}
