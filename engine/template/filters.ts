/**
 * Jinja's built-in filters and tests, as far as text templates need them. Arguments follow Jinja's
 * signatures (positional or keyword), e.g. `truncate(length=255, killwords=False, end='...', leeway=5)`.
 */
import { isRecord } from "../values/coerce";
import {
  capitalize,
  chars,
  compare,
  contains,
  equals,
  getAttr,
  getItem,
  isMissing,
  isNumeric,
  isUndefined,
  iterate,
  jinjaTitle,
  Namespace,
  num,
  replaceCount,
  str,
  stripChars,
  TemplateError,
  TemplateFunction,
  truthy,
  typeName,
  Undefined,
} from "./runtime";

export type Filter = (value: unknown, args: unknown[], kwargs: Record<string, unknown>) => unknown;
export type Test = (value: unknown, args: unknown[]) => boolean;

function arg(args: unknown[], kwargs: Record<string, unknown>, index: number, name: string, dflt: unknown): unknown {
  if (index < args.length) return args[index];
  if (Object.hasOwn(kwargs, name)) return kwargs[name];
  return dflt;
}

function intArg(v: unknown, what: string): number {
  if (isNumeric(v) && Number.isInteger(num(v))) return num(v);
  if (typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v)) return Number(v);
  throw new TemplateError(`${what} must be an integer, got ${typeName(v)}`);
}

function numberArg(v: unknown, what: string): number {
  if (isNumeric(v)) return num(v);
  throw new TemplateError(`${what} must be a number, got ${typeName(v)}`);
}

/** `attribute='user.name'` lookups used by sort, map, groupby, sum, ... */
function attrGetter(attribute: unknown): (v: unknown) => unknown {
  if (isMissing(attribute)) return (v) => v;
  const parts = str(attribute).split(".");
  return (v) => parts.reduce((acc, p) => (/^\d+$/.test(p) ? getItem(acc, Number(p)) : getAttr(acc, p)), v);
}

function sortKey(caseSensitive: boolean): (v: unknown) => unknown {
  return (v) => (!caseSensitive && typeof v === "string" ? v.toLowerCase() : v);
}

function toInt(value: unknown, dflt: unknown, base: number): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : dflt;
  if (typeof value === "string") {
    const s = value.trim().replace(/_/g, "");
    if (base === 10) {
      if (/^[-+]?\d+$/.test(s)) return Number(s);
      if (s !== "" && !Number.isNaN(Number(s))) return Math.trunc(Number(s));
      return dflt;
    }
    const body = s.replace(/^([-+]?)0[xob]/i, "$1");
    const n = parseInt(body, base);
    return Number.isNaN(n) ? dflt : n;
  }
  return dflt;
}

function toFloat(value: unknown, dflt: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    const s = value.trim().toLowerCase();
    if (s === "nan") return NaN;
    if (s === "inf" || s === "infinity" || s === "+inf") return Infinity;
    if (s === "-inf" || s === "-infinity") return -Infinity;
    if (s !== "" && !Number.isNaN(Number(s))) return Number(s);
  }
  return dflt;
}

/** Python's round(): correctly rounded on the exact binary value, ties to even (what Jinja's 'common' does). */
export function pyRound(value: number, precision: number): number {
  if (!Number.isFinite(value)) return value;
  if (precision < 0) {
    const f = 10 ** -precision;
    return pyRound(value / f, 0) * f;
  }
  if (Math.abs(value) >= 1e21) return value;
  const exact = Math.abs(value).toFixed(100);
  const [ip, fp] = exact.split(".");
  let digits = BigInt(ip + fp.slice(0, precision));
  const first = fp[precision] ?? "0";
  const tail = fp.slice(precision + 1);
  if (first > "5" || (first === "5" && /[1-9]/.test(tail)) || (first === "5" && digits % 2n === 1n)) digits += 1n;
  const str = digits.toString().padStart(precision + 1, "0");
  const out = Number(precision === 0 ? str : `${str.slice(0, -precision)}.${str.slice(-precision)}`);
  return value < 0 && out !== 0 ? -out : out;
}

function roundTo(value: number, precision: number, method: string): number {
  if (method === "common") return pyRound(value, precision);
  const factor = 10 ** precision;
  if (method === "ceil") return Math.ceil(value * factor) / factor;
  if (method === "floor") return Math.floor(value * factor) / factor;
  throw new TemplateError("round method must be 'common', 'ceil' or 'floor'");
}

function truncate(s: string, length: number, killwords: boolean, end: string, leeway: number): string {
  const cs = chars(s);
  if (length < chars(end).length) throw new TemplateError(`expected length >= ${chars(end).length}, got ${length}`);
  if (cs.length <= length + leeway) return s;
  const head = cs.slice(0, length - chars(end).length).join("");
  if (killwords) return head + end;
  const at = head.lastIndexOf(" ");
  return (at < 0 ? head : head.slice(0, at)) + end;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&#34;").replace(/'/g, "&#39;");
}

function plain(v: unknown): unknown {
  if (isUndefined(v)) return null;
  if (v instanceof Namespace) return plain(v.attrs);
  if (Array.isArray(v)) return v.map(plain);
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function unique(items: unknown[], caseSensitive: boolean, attribute: unknown): unknown[] {
  const get = attrGetter(attribute);
  const key = sortKey(caseSensitive);
  const seen: unknown[] = [];
  const out: unknown[] = [];
  for (const item of items) {
    const k = key(get(item));
    if (seen.some((s) => equals(s, k))) continue;
    seen.push(k);
    out.push(item);
  }
  return out;
}

function minMax(value: unknown, args: unknown[], kwargs: Record<string, unknown>, sign: 1 | -1): unknown {
  const items = iterate(value, "min/max input");
  if (items.length === 0) return new Undefined(sign === 1 ? "min" : "max");
  const caseSensitive = truthy(arg(args, kwargs, 0, "case_sensitive", false));
  const get = attrGetter(arg(args, kwargs, 1, "attribute", null));
  const key = sortKey(caseSensitive);
  let best = items[0];
  for (const item of items.slice(1)) {
    if (sign * compare(key(get(item)), key(get(best))) < 0) best = item;
  }
  return best;
}

/** Applies a filter or test given as a name, for `map('upper')` and `select('odd')`. */
function applyNamedFilter(name: unknown, value: unknown, args: unknown[], kwargs: Record<string, unknown>): unknown {
  const f = FILTERS[str(name)];
  if (!f) throw new TemplateError(`unknown filter '${str(name)}'`);
  return f(value, args, kwargs);
}

function selectOrReject(value: unknown, args: unknown[], keep: boolean, attribute?: unknown): unknown[] {
  const items = iterate(value, "select input");
  const get = attrGetter(attribute);
  const [testName, ...testArgs] = args;
  let test: (v: unknown) => boolean;
  if (isMissing(testName)) test = truthy;
  else {
    const t = TESTS[str(testName)];
    if (!t) throw new TemplateError(`unknown test '${str(testName)}'`);
    test = (v) => t(v, testArgs);
  }
  return items.filter((item) => test(get(item)) === keep);
}

function wordCount(s: string): number {
  return (s.match(/[\p{L}\p{N}_]+/gu) ?? []).length;
}

export const FILTERS: Record<string, Filter> = {
  upper: (v) => str(v).toUpperCase(),
  lower: (v) => str(v).toLowerCase(),
  title: (v) => jinjaTitle(str(v)),
  capitalize: (v) => capitalize(str(v)),
  trim: (v, a, k) => stripChars(str(v), "both", arg(a, k, 0, "chars", null)),
  strip: (v, a, k) => stripChars(str(v), "both", arg(a, k, 0, "chars", null)),
  length: (v) => (typeof v === "string" ? chars(v).length : iterate(v, "length input").length),
  count: (v) => (typeof v === "string" ? chars(v).length : iterate(v, "count input").length),
  default: (v, a, k) => {
    const dflt = arg(a, k, 0, "default_value", "");
    const boolean = truthy(arg(a, k, 1, "boolean", false));
    return isMissing(v) || (boolean && !truthy(v)) ? dflt : v;
  },
  join: (v, a, k) => {
    const sep = str(arg(a, k, 0, "d", ""));
    const get = attrGetter(arg(a, k, 1, "attribute", null));
    return iterate(v, "join input").map((x) => str(get(x))).join(sep);
  },
  replace: (v, a, k) => {
    const count = arg(a, k, 2, "count", null);
    return replaceCount(str(v), str(arg(a, k, 0, "old", "")), str(arg(a, k, 1, "new", "")), isMissing(count) ? -1 : intArg(count, "count"));
  },
  truncate: (v, a, k) =>
    truncate(
      str(v),
      intArg(arg(a, k, 0, "length", 255), "length"),
      truthy(arg(a, k, 1, "killwords", false)),
      str(arg(a, k, 2, "end", "...")),
      intArg(isMissing(arg(a, k, 3, "leeway", null)) ? 5 : arg(a, k, 3, "leeway", null), "leeway"),
    ),
  first: (v) => {
    const items = iterate(v, "first input");
    return items.length ? items[0] : new Undefined("first");
  },
  last: (v) => {
    const items = iterate(v, "last input");
    return items.length ? items[items.length - 1] : new Undefined("last");
  },
  round: (v, a, k) =>
    roundTo(numberArg(v, "round input"), intArg(arg(a, k, 0, "precision", 0), "precision"), str(arg(a, k, 1, "method", "common"))),
  int: (v, a, k) => toInt(v, arg(a, k, 0, "default", 0), intArg(arg(a, k, 1, "base", 10), "base")),
  float: (v, a, k) => toFloat(v, arg(a, k, 0, "default", 0)),
  string: (v) => str(v),
  list: (v) => [...iterate(v, "list input")],
  sort: (v, a, k) => {
    const reverse = truthy(arg(a, k, 0, "reverse", false));
    const key = sortKey(truthy(arg(a, k, 1, "case_sensitive", false)));
    const get = attrGetter(arg(a, k, 2, "attribute", null));
    const sorted = [...iterate(v, "sort input")].sort((x, y) => compare(key(get(x)), key(get(y))));
    return reverse ? sorted.reverse() : sorted;
  },
  reverse: (v) => (typeof v === "string" ? chars(v).reverse().join("") : [...iterate(v, "reverse input")].reverse()),
  unique: (v, a, k) => unique(iterate(v, "unique input"), truthy(arg(a, k, 0, "case_sensitive", false)), arg(a, k, 1, "attribute", null)),
  abs: (v) => Math.abs(numberArg(v, "abs input")),
  tojson: (v, a, k) => {
    const indent = arg(a, k, 0, "indent", null);
    return JSON.stringify(plain(v), null, isMissing(indent) ? undefined : intArg(indent, "indent")) ?? "null";
  },
  min: (v, a, k) => minMax(v, a, k, 1),
  max: (v, a, k) => minMax(v, a, k, -1),
  sum: (v, a, k) => {
    const get = attrGetter(arg(a, k, 0, "attribute", null));
    return iterate(v, "sum input").reduce<number>((acc, x) => acc + numberArg(get(x), "sum item"), numberArg(arg(a, k, 1, "start", 0), "start"));
  },
  map: (v, a, k) => {
    const items = iterate(v, "map input");
    if (Object.hasOwn(k, "attribute")) {
      const get = attrGetter(k.attribute);
      const dflt = k.default;
      return items.map((x) => {
        const r = get(x);
        return isUndefined(r) && dflt !== undefined ? dflt : r;
      });
    }
    const [name, ...rest] = a;
    return items.map((x) => applyNamedFilter(name, x, rest, k));
  },
  select: (v, a) => selectOrReject(v, a, true),
  reject: (v, a) => selectOrReject(v, a, false),
  selectattr: (v, a) => selectOrReject(v, a.slice(1), true, a[0]),
  rejectattr: (v, a) => selectOrReject(v, a.slice(1), false, a[0]),
  items: (v) => {
    if (isMissing(v)) return [];
    const rec = v instanceof Namespace ? v.attrs : v;
    if (!isRecord(rec)) throw new TemplateError(`items expects a dict, got ${typeName(v)}`);
    return Object.entries(rec).map(([key, x]) => [key, x]);
  },
  dictsort: (v, a, k) => {
    if (!isRecord(v)) throw new TemplateError(`dictsort expects a dict, got ${typeName(v)}`);
    const key = sortKey(truthy(arg(a, k, 0, "case_sensitive", false)));
    const byValue = str(arg(a, k, 1, "by", "key")) === "value";
    const reverse = truthy(arg(a, k, 2, "reverse", false));
    const sorted = Object.entries(v)
      .map(([x, y]) => [x, y] as [string, unknown])
      .sort((p, q) => compare(key(byValue ? p[1] : p[0]), key(byValue ? q[1] : q[0])));
    return reverse ? sorted.reverse() : sorted;
  },
  batch: (v, a, k) => {
    const size = intArg(arg(a, k, 0, "linecount", 1), "linecount");
    if (size < 1) throw new TemplateError("batch size must be at least 1");
    const fill = arg(a, k, 1, "fill_with", null);
    const items = iterate(v, "batch input");
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    const lastBatch = out[out.length - 1];
    if (!isMissing(fill) && lastBatch) while (lastBatch.length < size) lastBatch.push(fill);
    return out;
  },
  center: (v, a, k) => {
    const s = str(v);
    const width = intArg(arg(a, k, 0, "width", 80), "width");
    const pad = width - chars(s).length;
    if (pad <= 0) return s;
    const left = Math.floor(pad / 2) + (pad % 2 && width % 2 ? 1 : 0);
    return " ".repeat(left) + s + " ".repeat(pad - left);
  },
  indent: (v, a, k) => {
    const w = arg(a, k, 0, "width", 4);
    const prefix = typeof w === "string" ? w : " ".repeat(intArg(w, "width"));
    const first = truthy(arg(a, k, 1, "first", false));
    const blank = truthy(arg(a, k, 2, "blank", false));
    const lines = str(v).split("\n");
    return lines.map((line, i) => ((i > 0 || first) && (blank || line.trim() !== "") ? prefix + line : line)).join("\n");
  },
  wordcount: (v) => wordCount(str(v)),
  striptags: (v) =>
    str(v)
      .replace(/<!--[\s\S]*?-->/g, "")
      .replace(/<[^>]*>/g, "")
      .replace(/\s+/g, " ")
      .trim(),
  escape: (v) => escapeHtml(str(v)),
  e: (v) => escapeHtml(str(v)),
  safe: (v) => v,
  urlencode: (v) => {
    if (isRecord(v)) return Object.entries(v).map(([key, x]) => `${encodeURIComponent(key)}=${encodeURIComponent(str(x))}`).join("&");
    return encodeURIComponent(str(v)).replace(/%2F/g, "/");
  },
  attr: (v, a) => getAttr(v, str(a[0])),
  wordwrap: (v, a, k) => {
    const width = intArg(arg(a, k, 0, "width", 79), "width");
    const breakLong = truthy(arg(a, k, 1, "break_long_words", true));
    const wrapString = str(arg(a, k, 2, "wrapstring", "\n"));
    const words = str(v).split(/\s+/).filter(Boolean);
    const lines: string[] = [];
    let line = "";
    for (let w of words) {
      while (breakLong && chars(w).length > width) {
        if (line) {
          lines.push(line);
          line = "";
        }
        lines.push(chars(w).slice(0, width).join(""));
        w = chars(w).slice(width).join("");
      }
      if (!w) continue;
      if (!line) line = w;
      else if (chars(line).length + 1 + chars(w).length <= width) line += " " + w;
      else {
        lines.push(line);
        line = w;
      }
    }
    if (line) lines.push(line);
    return lines.join(wrapString);
  },
  format: (v, a, k) => {
    let i = 0;
    return str(v).replace(/%(\([^)]*\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([sdifr%])/g, (_m, key: string | undefined, _flags, _width, prec: string | undefined, conv: string) => {
      if (conv === "%") return "%";
      const value = key ? k[key.slice(1, -1)] : a[i++];
      if (conv === "d" || conv === "i") return String(Math.trunc(numberArg(value, "format argument")));
      if (conv === "f") return numberArg(value, "format argument").toFixed(prec === undefined ? 6 : Number(prec));
      return str(value);
    });
  },
};
FILTERS.d = FILTERS.default;
FILTERS.to_json = FILTERS.tojson;
FILTERS.lstrip = (v, a, k) => stripChars(str(v), "start", arg(a, k, 0, "chars", null));
FILTERS.rstrip = (v, a, k) => stripChars(str(v), "end", arg(a, k, 0, "chars", null));

const isInt = (v: unknown) => typeof v === "number" && Number.isInteger(v);

export const TESTS: Record<string, Test> = {
  defined: (v) => !isUndefined(v),
  undefined: (v) => isUndefined(v),
  none: (v) => v === null || v === undefined,
  boolean: (v) => typeof v === "boolean",
  true: (v) => v === true,
  false: (v) => v === false,
  integer: (v) => isInt(v),
  float: (v) => typeof v === "number" && !Number.isInteger(v),
  number: (v) => typeof v === "number",
  string: (v) => typeof v === "string",
  mapping: (v) => isRecord(v) || v instanceof Namespace,
  iterable: (v) => typeof v === "string" || Array.isArray(v) || isRecord(v),
  sequence: (v) => typeof v === "string" || Array.isArray(v) || isRecord(v),
  callable: (v) => v instanceof TemplateFunction,
  even: (v) => isInt(v) && (v as number) % 2 === 0,
  odd: (v) => isInt(v) && Math.abs((v as number) % 2) === 1,
  divisibleby: (v, [n]) => isNumeric(v) && isNumeric(n) && num(n) !== 0 && num(v) % num(n) === 0,
  eq: (v, [x]) => equals(v, x),
  ne: (v, [x]) => !equals(v, x),
  lt: (v, [x]) => compare(v, x) < 0,
  le: (v, [x]) => compare(v, x) <= 0,
  gt: (v, [x]) => compare(v, x) > 0,
  ge: (v, [x]) => compare(v, x) >= 0,
  in: (v, [x]) => contains(x, v),
  lower: (v) => typeof v === "string" && v === v.toLowerCase(),
  upper: (v) => typeof v === "string" && v === v.toUpperCase(),
  sameas: (v, [x]) => v === x,
  escaped: () => false,
  filter: (v) => typeof v === "string" && v in FILTERS,
  test: (v) => typeof v === "string" && v in TESTS,
};
TESTS.equalto = TESTS.eq;
TESTS["=="] = TESTS.eq;
TESTS["!="] = TESTS.ne;
TESTS.lessthan = TESTS.lt;
TESTS["<"] = TESTS.lt;
TESTS["<="] = TESTS.le;
TESTS.greaterthan = TESTS.gt;
TESTS[">"] = TESTS.gt;
TESTS[">="] = TESTS.ge;
