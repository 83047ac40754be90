/**
 * What the agent loop runs when the model calls a tool. A tool is its spec (name, description, JSON Schema
 * of its arguments) plus `run`; what it returns goes back to the model as JSON text.
 */
import type { ToolSpec } from "../providers/tool-calls";
import type { NodeContext } from "../registry/types";

export interface AgentTool extends ToolSpec {
  /** Runs the tool; a thrown Error is reported to the model as `{"error": message}`, not a node failure. */
  run(args: Record<string, unknown>, ctx: NodeContext): Promise<unknown>;
}

/** What one tool result may put in the conversation; longer results are cut, saying so. */
export const MAX_TOOL_RESULT_CHARS = 50_000;

/** Binary data goes to the model as its size, never as bytes. */
function jsonSafe(value: unknown, depth = 0): unknown {
  if (value instanceof Uint8Array) return { type: "bytes", size: value.byteLength };
  if (depth > 20 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v, depth + 1);
  return out;
}

/** A tool's result as the text of a `tool` message. */
export function toolResultText(value: unknown, limit = MAX_TOOL_RESULT_CHARS): string {
  const text = typeof value === "string" ? value : (JSON.stringify(jsonSafe(value)) ?? "null");
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}\n[... cut: the result had ${text.length} characters, ${limit} are shown]`;
}

/**
 * A valid function name (OpenAI and Anthropic: [a-zA-Z0-9_-], at most 64 characters) from a title such as
 * "Bing Search" -> "bing_search" (NodeTool: base-nodes agents.ts sanitizeControlToolName).
 */
export function toolNameFrom(title: string, fallback = "tool"): string {
  const s = title
    .replace(/[^a-zA-Z0-9]/g, "_")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/_+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 64);
  return s || fallback;
}

/** Makes tool names unique (a model cannot tell two tools of one name apart): later ones get `_2`, `_3`... */
export function uniqueNames<T extends { name: string }>(tools: T[]): T[] {
  const seen = new Set<string>();
  return tools.map((t) => {
    let name = t.name;
    for (let i = 2; seen.has(name); i++) name = `${t.name.slice(0, 60)}_${i}`;
    seen.add(name);
    return name === t.name ? t : { ...t, name };
  });
}

/** A string argument, or an Error the model sees. */
export function stringArg(args: Record<string, unknown>, name: string, required = true): string {
  const v = args[name];
  if (typeof v === "string") return v;
  if (v === undefined || v === null) {
    if (required) throw new Error(`'${name}' is required`);
    return "";
  }
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new Error(`'${name}' must be a string`);
}
