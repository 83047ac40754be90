import type { ValidationIssue } from "../../schema/errors";
import type { GraphNode } from "../../schema/workflow";
import type { NodeRegistry } from "../registry/registry";
import type { NodeDecl } from "../registry/types";
import { describe, isRecord } from "../values/coerce";
import { inputName, sinkName } from "./node-names";
import type { NormalizedGraph } from "./normalize";

export const MEDIA_TYPES = new Set(["image", "audio", "video", "document", "model_3d", "dataframe", "folder"]);

export interface WorkflowInput {
  node: GraphNode;
  decl: NodeDecl;
  name: string;
  /** The type of the input's `value` property ("int", "str", "image", "list[str]" ...). */
  valueType: string;
  defaultValue: unknown;
  min?: number;
  max?: number;
  options?: string[];
  maxLength?: number;
}

function numberOr(value: unknown, fallback: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  return typeof fallback === "number" ? fallback : undefined;
}

/** Input nodes that no edge feeds: the workflow's parameters, in graph order. */
export function listInputs(graph: NormalizedGraph, registry: NodeRegistry): WorkflowInput[] {
  const fed = new Set(graph.edges.map((e) => e.target));
  const inputs: WorkflowInput[] = [];
  for (const node of graph.nodes) {
    const decl = registry.get(node.type);
    if (decl?.kind !== "input" || fed.has(node.id)) continue;
    const valueProp = decl.properties.find((p) => p.name === "value");
    const declDefault = (name: string) => decl.properties.find((p) => p.name === name)?.default;
    const valueType = valueProp?.type ?? "any";
    const numeric = valueType === "int" || valueType === "float";
    const options = Array.isArray(node.data.options) ? node.data.options.map(String) : undefined;
    const maxLength = numberOr(node.data.max_length, undefined);
    inputs.push({
      node,
      decl,
      name: inputName(node),
      valueType,
      defaultValue: node.data.value !== undefined ? node.data.value : valueProp?.default,
      min: numeric ? numberOr(node.data.min, declDefault("min")) : undefined,
      max: numeric ? numberOr(node.data.max, declDefault("max")) : undefined,
      options: options && options.length > 0 ? options : undefined,
      maxLength: maxLength && maxLength > 0 ? maxLength : undefined,
    });
  }
  return inputs;
}

/** Sink nodes (Output and Preview) by the name the result map uses. */
export function listSinks(graph: NormalizedGraph, registry: NodeRegistry): { node: GraphNode; name: string }[] {
  return graph.nodes
    .filter((n) => registry.get(n.type)?.kind === "output")
    .map((node) => ({ node, name: sinkName(node) }));
}

/** Value types given as records ({type, ...}): model choices, chat messages, colours, image sizes. */
export function isRecordType(t: string): boolean {
  return t.endsWith("_model") || t === "hf.model" || t === "message" || t === "color" || t === "image_size";
}

/**
 * A media param may be given as a bare URI string, a colour as a bare `#rrggbb` string; the engine always
 * sees a reference object.
 */
function normalizeValue(type: string, value: unknown): unknown {
  if (typeof value === "string" && MEDIA_TYPES.has(type)) return { type, uri: value };
  if (typeof value === "string" && type === "color") return { type, value };
  return value;
}

function checkRecord(t: string, value: unknown): string | null {
  if (!isRecord(value)) return `must be a ${t} object, got ${describe(value)}`;
  if (t === "image_size") {
    for (const key of ["width", "height"]) {
      const v = value[key];
      if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v <= 0)) return `${key} must be a positive integer`;
    }
  }
  return null;
}

function checkParam(input: WorkflowInput, value: unknown): string | null {
  const t = input.valueType;
  const bounds = () => {
    const { min, max } = input;
    if (typeof value !== "number") return null;
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
      return `must be between ${min ?? "-inf"} and ${max ?? "inf"}, got ${value}`;
    }
    return null;
  };
  if (t === "int") {
    if (typeof value !== "number" || !Number.isInteger(value)) return `must be an integer, got ${describe(value)}`;
    return bounds();
  }
  if (t === "float") {
    if (typeof value !== "number" || !Number.isFinite(value)) return `must be a number, got ${describe(value)}`;
    return bounds();
  }
  if (t === "bool") return typeof value === "boolean" ? null : `must be true or false, got ${describe(value)}`;
  if (t === "str") {
    if (typeof value !== "string") return `must be a string, got ${describe(value)}`;
    if (input.maxLength !== undefined && value.length > input.maxLength) {
      return `must be at most ${input.maxLength} characters, got ${value.length}`;
    }
    if (input.options && !input.options.includes(value)) return `must be one of ${input.options.join(", ")}`;
    return null;
  }
  if (t.startsWith("list")) {
    if (!Array.isArray(value)) return `must be a list, got ${describe(value)}`;
    if (t === "list[str]" && !value.every((v) => typeof v === "string")) return "must be a list of strings";
    if (t === "list[message]" && !value.every(isRecord)) return "must be a list of message objects";
    return null;
  }
  if (t === "dataframe" && isRecord(value) && Array.isArray(value.data)) return null; // rows given inline
  if (t === "folder" && isRecord(value) && typeof value.asset_id === "string") return null; // a folder asset by id
  if (MEDIA_TYPES.has(t)) {
    const ref = normalizeValue(t, value);
    if (!isRecord(ref) || typeof ref.uri !== "string") return `must be a ${t} reference {type, uri} or a URI string`;
    return null;
  }
  if (isRecordType(t)) return checkRecord(t, normalizeValue(t, value));
  return null;
}

/**
 * Matches a run's params to the workflow's inputs by name. Unknown names, wrong types and out-of-range
 * numbers are reported together; inputs without a param keep their stored `value`.
 */
export function resolveParams(
  inputs: WorkflowInput[],
  params: Record<string, unknown>,
  /** `ignore`: a run skips unknown names, as NodeTool's runner does, and reports them in `ignored` instead. */
  opts: { unknown?: "report" | "ignore" } = {},
): { values: Map<string, unknown>; issues: ValidationIssue[]; ignored: string[] } {
  const issues: ValidationIssue[] = [];
  const ignored: string[] = [];
  const values = new Map<string, unknown>();
  const byName = new Map(inputs.map((i) => [i.name, i]));
  for (const name of Object.keys(params)) {
    if (!byName.has(name)) {
      const known = inputs.map((i) => `'${i.name}'`).join(", ") || "none";
      const message = `unknown input '${name}' (inputs: ${known})`;
      if (opts.unknown === "ignore") ignored.push(message);
      else issues.push({ node_id: null, node_type: null, property: name, message });
    }
  }
  for (const input of inputs) {
    if (!Object.hasOwn(params, input.name)) {
      values.set(input.node.id, normalizeValue(input.valueType, input.defaultValue));
      continue;
    }
    const value = params[input.name];
    const problem = checkParam(input, value);
    if (problem) {
      issues.push({ node_id: input.node.id, node_type: input.node.type, property: input.name, message: `input '${input.name}' ${problem}` });
    } else {
      values.set(input.node.id, normalizeValue(input.valueType, value));
    }
  }
  return { values, issues, ignored };
}
