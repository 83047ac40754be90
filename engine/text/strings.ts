/**
 * Python-compatible string helpers: strings are measured, indexed and sliced by code point (as Python does),
 * and a few Python builtins (str.splitlines, str.strip(chars), repr, str.title) that the text nodes follow.
 */
import { isRecord, toText } from "../values/coerce";

export const text = (v: unknown): string => toText(v);
export const cps = (s: string): string[] => Array.from(s);
export const cpLength = (s: string): number => cps(s).length;

/** UTF-16 offset of code point index `cp` in `s` (clamped to the string). */
export function unitOffset(s: string, cp: number): number {
  let units = 0;
  let i = 0;
  for (const c of s) {
    if (i++ >= cp) break;
    units += c.length;
  }
  return units;
}

/** Code point index of UTF-16 offset `unit` in `s`. */
export function cpIndex(s: string, unit: number): number {
  return cpLength(s.slice(0, unit));
}

/** Python slice of a code point list; `null` bounds are open. */
export function pySlice(items: string[], start: number | null, stop: number | null, step: number): string {
  if (step === 0) throw new Error("slice step cannot be zero");
  const len = items.length;
  const norm = (v: number | null, dflt: number, lo: number, hi: number) => {
    if (v === null) return dflt;
    const x = v < 0 ? v + len : v;
    return Math.min(Math.max(x, lo), hi);
  };
  let out = "";
  if (step > 0) {
    const a = norm(start, 0, 0, len);
    const b = norm(stop, len, 0, len);
    for (let i = a; i < b; i += step) out += items[i];
  } else {
    const a = norm(start, len - 1, -1, len - 1);
    const b = norm(stop, -1, -1, len - 1);
    for (let i = a; i > b; i += step) out += items[i];
  }
  return out;
}

/** Python's str.splitlines(): a trailing line break does not start another line. */
export function splitLines(s: string): string[] {
  if (s === "") return [];
  const lines = s.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export function stripCharSet(s: string, set: string): string {
  const remove = new Set(cps(set));
  const cs = cps(s);
  let a = 0;
  let b = cs.length;
  while (a < b && remove.has(cs[a])) a++;
  while (b > a && remove.has(cs[b - 1])) b--;
  return cs.slice(a, b).join("");
}

/** Python's repr() of a JSON-like value, for ToString's `repr` mode. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    return String(v);
  }
  if (typeof v === "string") {
    const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/[\\\n\r\t]/g, (c) => ({ "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c]!);
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (isRecord(v)) return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(", ")}}`;
  return String(v);
}

/** Python's str() of a JSON-like value: strings as they are, everything else as repr(). */
export function pyStr(v: unknown): string {
  return typeof v === "string" ? v : pyRepr(v);
}

export function titleCase(s: string): string {
  return s.replace(/[\p{L}\p{N}_][^\s]*/gu, (w) => {
    const [first, ...rest] = cps(w);
    return first.toUpperCase() + rest.join("").toLowerCase();
  });
}

export function capitalize(s: string): string {
  const [first, ...rest] = cps(s);
  return first === undefined ? "" : first.toUpperCase() + rest.join("").toLowerCase();
}

/** Code point order, as Python compares strings. */
export function compareCodePoints(a: string, b: string): number {
  const x = cps(a);
  const y = cps(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
