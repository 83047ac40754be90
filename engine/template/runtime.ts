/**
 * Value semantics of the template language: Jinja's (Python's) truthiness, comparison and attribute rules,
 * with values rendered as JavaScript strings (booleans `true`/`false`, lists and objects as JSON).
 */
import { deepEqual, isRecord, toText } from "../values/coerce";

/** A template syntax or evaluation error; nodes report it as `Template error: ...`. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}

/** An undefined variable or a missing attribute. Renders as "", iterates as empty, is falsy. */
export class Undefined {
  constructor(readonly hint: string) {}
}

export function isUndefined(v: unknown): v is Undefined {
  return v instanceof Undefined;
}

/** Undefined or null: what `default` replaces and what renders as an empty string. */
export function isMissing(v: unknown): boolean {
  return v === undefined || v === null || v instanceof Undefined;
}

/** A function callable from a template: `range(3)`, `d.items()`, `loop.cycle('a', 'b')`. */
export class TemplateFunction {
  constructor(
    readonly name: string,
    readonly fn: (args: unknown[], kwargs: Record<string, unknown>) => unknown,
  ) {}
}

/** Mutable object created by `namespace()`, assignable with `{% set ns.attr = ... %}`. */
export class Namespace {
  constructor(readonly attrs: Record<string, unknown>) {}
}

export function typeName(v: unknown): string {
  if (v instanceof Undefined) return "undefined";
  if (v === null || v === undefined) return "none";
  if (Array.isArray(v)) return "list";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (v instanceof TemplateFunction) return "function";
  if (v instanceof Namespace) return "namespace";
  return "dict";
}

/** How a value prints into the output. */
export function str(v: unknown): string {
  if (isMissing(v)) return "";
  if (v instanceof TemplateFunction) return `<function ${v.name}>`;
  if (v instanceof Namespace) return toText(v.attrs);
  if (typeof v === "number") return formatNumber(v);
  return toText(v);
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  return String(n);
}

/** Python truthiness: empty strings, lists and dicts, zero, none and undefined are false. */
export function truthy(v: unknown): boolean {
  if (isMissing(v)) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0 && !Number.isNaN(v);
  if (typeof v === "string") return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Namespace) return true;
  if (isRecord(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

/** Characters of a string as code points (Python indexes strings by code point). */
export function chars(s: string): string[] {
  return Array.from(s);
}

/** Iterates a value the way Python's `for` does: lists, string characters, dict keys. */
export function iterate(v: unknown, what = "value"): unknown[] {
  if (isMissing(v)) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return chars(v);
  if (v instanceof Namespace) return Object.keys(v.attrs);
  if (isRecord(v)) return Object.keys(v);
  throw new TemplateError(`${what} of type ${typeName(v)} is not iterable`);
}

export function isNumeric(v: unknown): v is number | boolean {
  return typeof v === "number" || typeof v === "boolean";
}

export function num(v: unknown): number {
  return typeof v === "boolean" ? (v ? 1 : 0) : (v as number);
}

export function equals(a: unknown, b: unknown): boolean {
  if (isMissing(a) && isMissing(b)) return isUndefined(a) === isUndefined(b);
  if (isNumeric(a) && isNumeric(b)) return num(a) === num(b);
  return deepEqual(a, b);
}

/** Code point order, as Python compares strings. */
export function compareStrings(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

/** Ordering for `<`, `sort`, `min`, `max`: numbers with numbers, strings with strings, lists element-wise. */
export function compare(a: unknown, b: unknown): number {
  if (isNumeric(a) && isNumeric(b)) {
    const x = num(a);
    const y = num(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  throw new TemplateError(`cannot compare ${typeName(a)} with ${typeName(b)}`);
}

/** `needle in haystack`. */
export function contains(haystack: unknown, needle: unknown): boolean {
  if (isMissing(haystack)) return false;
  if (typeof haystack === "string") {
    if (typeof needle !== "string") throw new TemplateError(`'in <string>' requires a string, got ${typeName(needle)}`);
    return haystack.includes(needle);
  }
  if (Array.isArray(haystack)) return haystack.some((x) => equals(x, needle));
  if (haystack instanceof Namespace) return typeof needle === "string" && Object.hasOwn(haystack.attrs, needle);
  if (isRecord(haystack)) return typeof needle === "string" && Object.hasOwn(haystack, needle);
  throw new TemplateError(`argument of type ${typeName(haystack)} is not iterable`);
}

function fn(name: string, f: (args: unknown[], kwargs: Record<string, unknown>) => unknown): TemplateFunction {
  return new TemplateFunction(name, f);
}

function strArg(v: unknown, what: string): string {
  if (typeof v !== "string") throw new TemplateError(`${what} must be a string, got ${typeName(v)}`);
  return v;
}

/** Python's str.strip family with an optional set of characters. */
export function stripChars(s: string, which: "both" | "start" | "end", set?: unknown): string {
  if (isMissing(set)) {
    if (which === "both") return s.trim();
    return which === "start" ? s.trimStart() : s.trimEnd();
  }
  const remove = new Set(chars(strArg(set, "strip characters")));
  const cs = chars(s);
  let i = 0;
  let j = cs.length;
  if (which !== "end") while (i < j && remove.has(cs[i])) i++;
  if (which !== "start") while (j > i && remove.has(cs[j - 1])) j--;
  return cs.slice(i, j).join("");
}

/** Python's str.split: no separator splits on runs of whitespace. */
export function pySplit(s: string, sep?: unknown, maxsplit = -1): string[] {
  if (isMissing(sep)) {
    const parts: string[] = [];
    const re = /\S+/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
      if (maxsplit >= 0 && parts.length === maxsplit) {
        parts.push(s.slice(m.index).trimEnd());
        return parts;
      }
      parts.push(m[0]);
    }
    return parts;
  }
  const d = strArg(sep, "separator");
  if (d === "") throw new TemplateError("empty separator");
  const all = s.split(d);
  if (maxsplit < 0 || all.length <= maxsplit + 1) return all;
  return [...all.slice(0, maxsplit), all.slice(maxsplit).join(d)];
}

export function capitalize(s: string): string {
  const cs = chars(s);
  if (cs.length === 0) return "";
  return cs[0].toUpperCase() + cs.slice(1).join("").toLowerCase();
}

/** String methods callable from templates, Python spelling (`name.upper()`, `s.split(',')`). */
function stringMethod(s: string, name: string): TemplateFunction | undefined {
  switch (name) {
    case "upper":
      return fn(name, () => s.toUpperCase());
    case "lower":
      return fn(name, () => s.toLowerCase());
    case "strip":
      return fn(name, ([c]) => stripChars(s, "both", c));
    case "lstrip":
      return fn(name, ([c]) => stripChars(s, "start", c));
    case "rstrip":
      return fn(name, ([c]) => stripChars(s, "end", c));
    case "split":
      return fn(name, ([sep, max], kw) => pySplit(s, sep ?? kw.sep, Number(max ?? kw.maxsplit ?? -1)));
    case "startswith":
      return fn(name, ([p]) => s.startsWith(strArg(p, "prefix")));
    case "endswith":
      return fn(name, ([p]) => s.endsWith(strArg(p, "suffix")));
    case "replace":
      return fn(name, ([a, b, count]) => replaceCount(s, strArg(a, "old"), strArg(b, "new"), isMissing(count) ? -1 : Number(count)));
    case "title":
      return fn(name, () => jinjaTitle(s));
    case "capitalize":
      return fn(name, () => capitalize(s));
    case "count":
      return fn(name, ([sub]) => {
        const t = strArg(sub, "substring");
        return t === "" ? chars(s).length + 1 : s.split(t).length - 1;
      });
    case "find":
      return fn(name, ([sub]) => {
        const i = s.indexOf(strArg(sub, "substring"));
        return i < 0 ? -1 : chars(s.slice(0, i)).length;
      });
    case "join":
      return fn(name, ([items]) => iterate(items).map(str).join(s));
    case "isdigit":
      return fn(name, () => s.length > 0 && /^\p{Nd}+$/u.test(s));
    case "isalpha":
      return fn(name, () => s.length > 0 && /^\p{L}+$/u.test(s));
    case "isupper":
      return fn(name, () => s !== s.toLowerCase() && s === s.toUpperCase());
    case "islower":
      return fn(name, () => s !== s.toUpperCase() && s === s.toLowerCase());
    default:
      return undefined;
  }
}

function dictMethod(d: Record<string, unknown>, name: string): TemplateFunction | undefined {
  switch (name) {
    case "items":
      return fn(name, () => Object.entries(d).map(([k, v]) => [k, v]));
    case "keys":
      return fn(name, () => Object.keys(d));
    case "values":
      return fn(name, () => Object.values(d));
    case "get":
      return fn(name, ([k, dflt]) => (typeof k === "string" && Object.hasOwn(d, k) ? d[k] : (dflt ?? null)));
    default:
      return undefined;
  }
}

/** `s.replace(old, new, count)`: count < 0 replaces every occurrence. */
export function replaceCount(s: string, old: string, replacement: string, count: number): string {
  if (count < 0) {
    if (old === "") return chars(s).reduce((acc, c) => acc + c + replacement, replacement);
    return s.split(old).join(replacement);
  }
  let out = "";
  let rest = s;
  for (let i = 0; i < count; i++) {
    if (old === "") {
      const cs = chars(rest);
      out += replacement + (cs[0] ?? "");
      rest = cs.slice(1).join("");
      if (cs.length === 0) break;
      continue;
    }
    const at = rest.indexOf(old);
    if (at < 0) break;
    out += rest.slice(0, at) + replacement;
    rest = rest.slice(at + old.length);
  }
  return out + rest;
}

/** Jinja's `title` filter: upper-case the first letter of each word, lower-case the rest. */
export function jinjaTitle(s: string): string {
  return s
    .split(/([-\s({[<]+)/u)
    .map((part) => (part === "" ? "" : capitalize(part)))
    .join("");
}

/** `obj.name`: own keys first, then a known method. Missing attributes are undefined. */
export function getAttr(obj: unknown, name: string): unknown {
  if (isMissing(obj)) return new Undefined(name);
  if (obj instanceof Namespace) return Object.hasOwn(obj.attrs, name) ? obj.attrs[name] : new Undefined(name);
  if (typeof obj === "string") return stringMethod(obj, name) ?? new Undefined(name);
  if (Array.isArray(obj)) {
    if (/^\d+$/.test(name)) return getItem(obj, Number(name));
    return new Undefined(name);
  }
  if (isRecord(obj)) {
    if (Object.hasOwn(obj, name)) return obj[name];
    return dictMethod(obj, name) ?? new Undefined(name);
  }
  return new Undefined(name);
}

/** `obj[key]`: Python indexing with negative indexes, falling back to attributes for string keys. */
export function getItem(obj: unknown, key: unknown): unknown {
  if (isMissing(obj)) return new Undefined(str(key));
  if (Array.isArray(obj) || typeof obj === "string") {
    if (typeof key === "string") return Array.isArray(obj) ? new Undefined(key) : getAttr(obj, key);
    if (!isNumeric(key) || !Number.isInteger(num(key))) {
      throw new TemplateError(`indices must be integers, got ${typeName(key)}`);
    }
    const seq = Array.isArray(obj) ? obj : chars(obj);
    let i = num(key);
    if (i < 0) i += seq.length;
    return i >= 0 && i < seq.length ? seq[i] : new Undefined(String(key));
  }
  if (obj instanceof Namespace) return getAttr(obj, str(key));
  if (isRecord(obj)) {
    const k = typeof key === "string" ? key : str(key);
    return Object.hasOwn(obj, k) ? obj[k] : getAttr(obj, k);
  }
  return new Undefined(str(key));
}

/** Python slice semantics on a list or string; null bounds are open. */
export function pySlice<T>(seq: readonly T[], start: number | null, stop: number | null, step: number | null): T[] {
  const st = step ?? 1;
  if (st === 0) throw new TemplateError("slice step cannot be zero");
  const len = seq.length;
  const norm = (v: number | null, dflt: number, lo: number, hi: number): number => {
    if (v === null) return dflt;
    let x = Math.trunc(v);
    if (x < 0) x += len;
    return Math.min(Math.max(x, lo), hi);
  };
  const out: T[] = [];
  if (st > 0) {
    const a = norm(start, 0, 0, len);
    const b = norm(stop, len, 0, len);
    for (let i = a; i < b; i += st) out.push(seq[i]);
  } else {
    const a = norm(start, len - 1, -1, len - 1);
    const b = norm(stop, -1, -1, len - 1);
    for (let i = a; i > b; i += st) out.push(seq[i]);
  }
  return out;
}

/** Python `range`, bounded so a template cannot allocate without limit. */
export const MAX_RANGE = 100_000;

export function range(args: unknown[]): number[] {
  const ints = args.map((a) => {
    if (!isNumeric(a) || !Number.isInteger(num(a))) throw new TemplateError(`range() arguments must be integers, got ${typeName(a)}`);
    return num(a);
  });
  let [start, stop, step] = [0, 0, 1];
  if (ints.length === 1) stop = ints[0];
  else if (ints.length === 2) [start, stop] = ints;
  else if (ints.length === 3) [start, stop, step] = ints;
  else throw new TemplateError(`range() takes 1 to 3 arguments, got ${ints.length}`);
  if (step === 0) throw new TemplateError("range() step must not be zero");
  const count = Math.max(0, Math.ceil((stop - start) / step));
  if (count > MAX_RANGE) throw new TemplateError(`range() is limited to ${MAX_RANGE} items`);
  return Array.from({ length: count }, (_, i) => start + i * step);
}
