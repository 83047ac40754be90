/**
 * Structured output from dynamic outputs: NodeTool's Agent, Extractor, ResearchAgent and
 * StructuredOutputGenerator turn the node's `dynamic_outputs` into a JSON Schema, ask the model for one
 * JSON object and emit each field on its output (NodeTool: base-nodes agents.ts getStructuredOutputSchema).
 */
import type { ChatRequest } from "../providers/types";
import { jsonSchemaForType } from "../registry/json-schema";

/** NodeTool's TypeMetadata (`{type, type_args}`) or a plain type name as one of our type names. */
export function typeName(spec: unknown): string {
  if (typeof spec === "string") return spec;
  if (!spec || typeof spec !== "object") return "any";
  const t = (spec as { type?: unknown }).type;
  const args = (spec as { type_args?: unknown }).type_args;
  const base = typeof t === "string" && t !== "" ? t : "any";
  if (Array.isArray(args) && args.length > 0) return `${base}[${args.map(typeName).join(", ")}]`;
  return base;
}

const STRICT_OK = new Set(["string", "number", "integer", "boolean"]);

function strictCompatible(schema: Record<string, unknown>): boolean {
  if (schema.type === "array") return !!schema.items && strictCompatible(schema.items as Record<string, unknown>);
  return typeof schema.type === "string" && STRICT_OK.has(schema.type);
}

/** The JSON Schema of an object with one required property per dynamic output; null when there are none. */
export function dynamicOutputSchema(dynamicOutputs: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | null {
  const names = Object.keys(dynamicOutputs ?? {});
  if (names.length === 0) return null;
  const properties: Record<string, Record<string, unknown>> = {};
  for (const name of names) {
    const schema = jsonSchemaForType(typeName(dynamicOutputs![name]));
    properties[name] = Object.keys(schema).length > 0 ? schema : { type: "string" };
  }
  return { type: "object", additionalProperties: false, required: names, properties };
}

/** OpenAI's `response_format` for a schema (strict only where OpenAI's strict mode accepts every property). */
export function jsonSchemaFormat(name: string, schema: Record<string, unknown>): NonNullable<ChatRequest["response_format"]> {
  const props = Object.values((schema.properties ?? {}) as Record<string, Record<string, unknown>>);
  return { type: "json_schema", json_schema: { name, schema, strict: props.every(strictCompatible) } };
}

/** The first JSON object in a reply: the whole text, a ```json fence, or the outermost braces. */
export function extractJson(text: string): Record<string, unknown> | null {
  const candidates = [text.trim()];
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fence) candidates.push(fence[1].trim());
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start >= 0 && end > start) candidates.push(text.slice(start, end + 1));
  for (const c of candidates) {
    try {
      const parsed = JSON.parse(c) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // try the next candidate
    }
  }
  return null;
}

/**
 * The reply as the schema's fields. A reply that is not JSON fills every string field with the text and
 * the others with null (NodeTool's fallback); a JSON reply that lacks a required field is an error.
 */
export function structuredFields(text: string, schema: Record<string, unknown>, who: string): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, { type?: unknown }>;
  const parsed = extractJson(text);
  if (!parsed) {
    const fallback: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(properties)) fallback[name] = spec.type === "string" ? text.trim() : null;
    return fallback;
  }
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(properties)) {
    if (!(name in parsed)) throw new Error(`${who} structured output is missing required field '${name}'`);
    out[name] = parsed[name];
  }
  return out;
}
