import { out } from "../registry/define-node";
import type { Inputs, NodeContext } from "../registry/types";
import { isRecord, toInt, toText } from "../values/coerce";
import { SearchError } from "./search-service";

/**
 * What the `search.*` nodes share (NodeTool: nodetool-base src/nodetool/nodes/search/_base.py and the SerpAPI
 * provider of nodetool-core): one call to the host's search service, answers with images stripped, and the
 * plain-text listing the nodes put next to their results.
 */

export type SerpParams = Record<string, string | number | boolean>;
export type SerpResult = Record<string, unknown>;

/** NodeTool's SerpAPI client sends English results from the US unless a node says otherwise. */
export const DEFAULT_LOCALE = { hl: "en", gl: "us" } as const;

const IMAGE_KEYS = new Set(["image", "image_alt", "image_base64", "image_url"]);

/** NodeTool drops image fields and `data:` strings from every answer (`_remove_base64_images`) to keep it small. */
export function stripImages(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripImages);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (IMAGE_KEYS.has(key)) continue;
    if (typeof v === "string" && v.startsWith("data:")) continue;
    out[key] = typeof v === "object" && v !== null ? stripImages(v) : v;
  }
  return out;
}

/** One search through the host's provider; an unconfigured provider or an error answer fails the node clearly. */
export async function serpSearch(ctx: NodeContext, engine: string, params: SerpParams): Promise<SerpResult> {
  const who = ctx.nodeType.slice(ctx.nodeType.lastIndexOf(".") + 1);
  const service = ctx.services.search;
  if (!service) throw new Error(`${who}: web search is not available in this run (the server has no search provider configured)`);
  let answer: Record<string, unknown>;
  try {
    answer = await service.search(engine, params, ctx.signal);
  } catch (err) {
    if (err instanceof SearchError) throw new Error(`${who}: ${err.message}`);
    throw err;
  }
  if (typeof answer.error === "string") throw new Error(`${who}: ${answer.error}`);
  return stripImages(answer) as SerpResult;
}

/** Python truthiness, which decides what the listings print. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isRecord(v)) return Object.keys(v).length > 0;
  return true;
}

/** Python's `str(value)` for JSON values, so listings read as NodeTool's do (`['a', 'b']`, `True`). */
export function pyStr(v: unknown): string {
  if (typeof v === "string") return v;
  return pyRepr(v);
}

function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (isRecord(v)) return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(", ")}}`;
  return String(v);
}

/** Python's `f"{n:,}"` for numbers; other values as they are. */
export function thousands(v: unknown): string {
  if (typeof v === "number" && Number.isFinite(v)) {
    const [int, frac] = String(Math.abs(v)).split(".");
    const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return `${v < 0 ? "-" : ""}${grouped}${frac ? `.${frac}` : ""}`;
  }
  return pyStr(v);
}

/** A list under a key of the answer (NodeTool's `result.get(key, [])`), records only. */
export function listAt(result: SerpResult, key: string): SerpResult[] {
  const value = result[key];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** NodeTool's `format_results`: `[position] title`, then each truthy field (labelled or bare), then a blank line. */
export function formatResults(results: SerpResult[], fields: readonly (readonly [string, string | null])[]): string {
  const lines: string[] = [];
  results.forEach((r, i) => {
    lines.push(`[${pyStr(r.position ?? i + 1)}] ${pyStr(r.title ?? "Untitled")}`);
    for (const [key, label] of fields) {
      const v = r[key];
      if (truthy(v)) lines.push(label ? `    ${label}: ${pyStr(v)}` : `    ${pyStr(v)}`);
    }
    lines.push("");
  });
  return lines.join("\n");
}

/** A listing built line by line, for the nodes with their own layout. */
export class Listing {
  readonly lines: string[] = [];
  add(line: string): void {
    this.lines.push(line);
  }
  /** Adds `    {label}: {value}` (or the bare value) when the value is truthy. */
  field(value: unknown, label: string | null = null, suffix = ""): void {
    if (truthy(value)) this.lines.push(label ? `    ${label}: ${pyStr(value)}${suffix}` : `    ${pyStr(value)}${suffix}`);
  }
  toString(): string {
    return this.lines.join("\n");
  }
}

/** `[position] title` with NodeTool's fallbacks. */
export function heading(r: SerpResult, i: number, titleKey = "title"): string {
  return `[${pyStr(r.position ?? i + 1)}] ${pyStr(r[titleKey] ?? "Untitled")}`;
}

/** `Rating: x (n reviews)` when a rating is present (null or missing prints nothing). */
export function ratingLine(r: SerpResult, label = "Rating"): string | null {
  if (r.rating === null || r.rating === undefined) return null;
  const reviews = r.reviews === null || r.reviews === undefined ? "" : ` (${pyStr(r.reviews)} reviews)`;
  return `    ${label}: ${pyStr(r.rating)}${reviews}`;
}

// ---- node inputs and outputs shared by the search packs ----

export const LIST_OUTPUTS = [out("results", "list[dict]"), out("text", "str")] as const;

export const str = (inputs: Inputs, name: string): string => toText(inputs[name] ?? "");
export const int = (inputs: Inputs, name: string, fallback: number): number => toInt(inputs[name] ?? fallback, name);

/** NodeTool's check for a required text property: the node fails with its message when it is empty. */
export function required(inputs: Inputs, name: string, message: string): string {
  const value = str(inputs, name);
  if (value === "") throw new Error(message);
  return value;
}

export const imageRef = (uri: string) => ({ type: "image", uri, asset_id: null });
