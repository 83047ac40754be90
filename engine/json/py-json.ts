/**
 * Python's `json.dumps(value, indent=...)` output, so text NodeTool writes and text written here match:
 * `", "` / `": "` separators, one item per line when indent is given (indent 0 included), non-ASCII characters
 * escaped as \uXXXX (ensure_ascii), NaN and Infinity spelled as Python spells them.
 */
import { isRecord } from "../values/coerce";

/** Nesting deeper than this is refused: the value came from a user and recursion must stay bounded. */
export const MAX_JSON_DEPTH = 1000;

function quote(s: string, ensureAscii: boolean): string {
  const json = JSON.stringify(s);
  return ensureAscii ? json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) : json;
}

function number(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  return JSON.stringify(n);
}

export interface DumpsOptions {
  /** Spaces per level; null writes everything on one line (Python's default). */
  indent?: number | null;
  ensureAscii?: boolean;
  sortKeys?: boolean;
}

export function pyJsonDumps(value: unknown, options: DumpsOptions = {}): string {
  const indent = options.indent ?? null;
  const ensureAscii = options.ensureAscii ?? true;
  const seen = new Set<unknown>();
  const write = (v: unknown, depth: number): string => {
    if (depth > MAX_JSON_DEPTH) throw new Error(`value is nested deeper than ${MAX_JSON_DEPTH} levels`);
    if (v === null || v === undefined) return "null";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return number(v);
    if (typeof v === "bigint") return String(v);
    if (typeof v === "string") return quote(v, ensureAscii);
    if (v instanceof Date) return quote(v.toISOString(), ensureAscii);
    if (typeof v !== "object") throw new Error(`Object of type ${typeof v} is not JSON serializable`);
    if (seen.has(v)) throw new Error("Circular reference detected");
    const items: string[] = [];
    let open: string;
    let close: string;
    seen.add(v);
    if (Array.isArray(v)) {
      [open, close] = ["[", "]"];
      for (const item of v) items.push(write(item, depth + 1));
    } else if (isRecord(v)) {
      [open, close] = ["{", "}"];
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      if (options.sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [k, x] of entries) items.push(`${quote(k, ensureAscii)}: ${write(x, depth + 1)}`);
    } else {
      throw new Error(`Object of type ${v.constructor?.name ?? "object"} is not JSON serializable`);
    }
    seen.delete(v);
    if (items.length === 0) return open + close;
    if (indent === null) return open + items.join(", ") + close;
    const inner = "\n" + " ".repeat(indent * (depth + 1));
    return open + inner + items.join("," + inner) + "\n" + " ".repeat(indent * depth) + close;
  };
  return write(value, 0);
}
