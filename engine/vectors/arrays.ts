import { isRecord } from "../values/coerce";
import type { Metadata } from "./store";

/**
 * Vectors from workflow values: NodeTool's NPArray `{type: "np_array", value, dtype, shape}` (value nested or
 * flat with shape), our `{type: "tensor", ...}`, a list of numbers (one vector) or a list of lists (rows).
 * Returns rows; `what` names the input in errors.
 */
export function toRows(value: unknown, what: string, maxNumbers: number): number[][] {
  let data: unknown = value;
  let shape: number[] | undefined;
  if (isRecord(value)) {
    data = value.value ?? value.data ?? value.array ?? value.embedding;
    if (Array.isArray(value.shape)) shape = value.shape.map(Number);
  }
  if (data === null || data === undefined || (Array.isArray(data) && data.length === 0)) throw new Error(`${what} is empty`);
  if (!Array.isArray(data)) throw new Error(`${what}: expected an array of numbers or an np_array, got ${typeof data}`);
  let rows: unknown[][];
  if (Array.isArray(data[0])) {
    rows = data as unknown[][];
  } else if (shape && shape.length === 2 && shape[0] * shape[1] === data.length) {
    rows = [];
    for (let i = 0; i < shape[0]; i++) rows.push(data.slice(i * shape[1], (i + 1) * shape[1]));
  } else {
    rows = [data];
  }
  let total = 0;
  return rows.map((row, r) => {
    if (!Array.isArray(row)) throw new Error(`${what}: row ${r} is not a list of numbers`);
    total += row.length;
    if (total > maxNumbers) throw new Error(`${what}: at most ${maxNumbers} numbers are accepted`);
    return row.map((x, i) => {
      const n = typeof x === "number" ? x : typeof x === "string" && x.trim() !== "" ? Number(x) : NaN;
      if (!Number.isFinite(n)) throw new Error(`${what}: element [${r}][${i}] is not a finite number`);
      return n;
    });
  });
}

/** NodeTool's NPArray of nested rows (what `NPArray.from_numpy` stores). */
export function npArray(rows: number[][], dtype: "<f4" | "<i8"): { type: "np_array"; value: number[][]; dtype: string; shape: number[] } {
  return { type: "np_array", value: rows, dtype, shape: [rows.length, rows[0]?.length ?? 0] };
}

/**
 * Chroma accepts only str, int, float and bool metadata values; like NodeTool's TypeScript nodes, anything
 * else is turned into text (objects as JSON) and null is left out. NodeTool: packages/base-nodes/src/nodes/vector-chroma.ts.
 */
export function flattenMetadata(value: unknown): Metadata {
  const out: Metadata = {};
  if (!isRecord(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))) out[k] = v;
    else if (v !== null && v !== undefined) out[k] = typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** NodeTool HybridSearch's keyword tokens: lower-cased, split on spaces and punctuation, long enough. */
export function keywordTokens(text: string, minLength: number): string[] {
  return text
    .toLowerCase()
    .split(/[ ,.!?\-_=|]+/)
    .map((t) => t.trim())
    .filter((t) => t.length >= minLength);
}

/** NodeTool RemoveOverlap: drops from each string the leading words that repeat the previous one's tail. */
export function removeOverlap(documents: string[], minOverlapWords: number): string[] {
  if (documents.length === 0) return [];
  const words = (s: string) => s.split(/\s+/).filter((w) => w.length > 0);
  const result = [documents[0]];
  for (let i = 1; i < documents.length; i++) {
    const prev = words(result[result.length - 1]);
    const curr = words(documents[i]);
    let overlap = 0;
    if (prev.length >= minOverlapWords && curr.length >= minOverlapWords) {
      for (let size = Math.min(prev.length, curr.length); size >= minOverlapWords; size--) {
        if (prev.slice(prev.length - size).every((w, j) => w === curr[j])) {
          overlap = size;
          break;
        }
      }
    }
    if (overlap > 0) {
      const rest = curr.slice(overlap).join(" ");
      if (rest) result.push(rest);
    } else {
      result.push(documents[i]);
    }
  }
  return result;
}
