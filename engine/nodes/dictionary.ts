import { folderId, formatName, saveMedia } from "../media/refs";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { deepEqual, describe, enumValue, isRecord, toBool, toList, toNumber, toText } from "../values/coerce";
import { compareValues } from "./boolean";
import { FILTER_TYPE } from "../values/enums";

/** NodeTool's `ConflictResolution` enum (ReduceDictionaries). */
export const CONFLICT_RESOLUTION = { FIRST: "first", LAST: "last", ERROR: "error" } as const;
/** NodeTool's `FilterDictNumberType` enum (FilterDictByNumber). */
export const FILTER_DICT_NUMBER_TYPE = {
  GREATER_THAN: "greater_than",
  LESS_THAN: "less_than",
  EQUAL_TO: "equal_to",
  EVEN: "even",
  ODD: "odd",
  POSITIVE: "positive",
  NEGATIVE: "negative",
} as const;

const DICT = "dict";

function dictOf(value: unknown, what: string): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (isRecord(value)) return value;
  throw new Error(`${what} must be a dictionary, got ${describe(value)}`);
}

const has = (d: Record<string, unknown>, key: string) => Object.prototype.hasOwnProperty.call(d, key);

// ---------------------------------------------------------------------------------------------------------
// YAML: a small block-style emitter for JSON-like values.

const YAML_RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;
const YAML_PLAIN = /^[A-Za-z_/.][A-Za-z0-9_ ./-]*$/;

function yamlString(s: string): string {
  const plain = YAML_PLAIN.test(s) && !s.endsWith(" ") && !YAML_RESERVED.test(s) && !/^[.]?\d/.test(s) && !/^\.(inf|nan)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}

function yamlScalar(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isNaN(value) ? ".nan" : Number.isFinite(value) ? String(value) : value > 0 ? ".inf" : "-.inf";
  if (typeof value === "string") return yamlString(value);
  if (Array.isArray(value)) return "[]";
  if (isRecord(value)) return "{}";
  return JSON.stringify(toText(value));
}

const nested = (v: unknown) => (Array.isArray(v) && v.length > 0) || (isRecord(v) && Object.keys(v).length > 0);

function yamlLines(value: unknown): string[] {
  if (Array.isArray(value) && value.length > 0) {
    return value.flatMap((item) => {
      if (!nested(item)) return [`- ${yamlScalar(item)}`];
      const [first, ...rest] = yamlLines(item);
      return [`- ${first}`, ...rest.map((l) => `  ${l}`)];
    });
  }
  if (isRecord(value) && Object.keys(value).length > 0) {
    return Object.entries(value).flatMap(([k, v]) =>
      nested(v) ? [`${yamlString(k)}:`, ...yamlLines(v).map((l) => `  ${l}`)] : [`${yamlString(k)}: ${yamlScalar(v)}`],
    );
  }
  return [yamlScalar(value)];
}

/** Block-style YAML for a JSON-like value; strings are quoted (JSON style) only when plain style is ambiguous. */
export function toYaml(value: unknown): string {
  return yamlLines(value).join("\n");
}

// ---------------------------------------------------------------------------------------------------------
// FilterDictByQuery: a small evaluator for pandas-query conditions, without eval (Workers forbid it).
// Supports column names (bare or `back quoted`), numbers, 'strings', True/False/None, lists [..],
// arithmetic (+ - * / % **), comparisons (chained as in Python), in / not in, and/or/not, & | ~.

type Expr =
  | { k: "lit"; v: unknown }
  | { k: "name"; name: string }
  | { k: "list"; items: Expr[] }
  | { k: "not"; e: Expr }
  | { k: "neg"; e: Expr }
  | { k: "bool"; op: "and" | "or"; l: Expr; r: Expr }
  | { k: "arith"; op: string; l: Expr; r: Expr }
  | { k: "cmp"; first: Expr; rest: [string, Expr][] };

type Token = { t: "num" | "str" | "name" | "op"; v: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? ""))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i))!;
      tokens.push({ t: "num", v: m[0] });
      i += m[0].length;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let s = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\" && j + 1 < src.length) j++;
        s += src[j++];
      }
      if (j >= src.length) throw new Error(`unterminated string at position ${i}`);
      tokens.push({ t: "str", v: s });
      i = j + 1;
    } else if (c === "`") {
      const j = src.indexOf("`", i + 1);
      if (j < 0) throw new Error(`unterminated \` at position ${i}`);
      tokens.push({ t: "name", v: src.slice(i + 1, j) });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ t: "name", v: m[0] });
      i += m[0].length;
    } else {
      const op = ["**", "==", "!=", "<=", ">=", "&&", "||"].find((o) => src.startsWith(o, i)) ?? c;
      if (!["**", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",", "&", "|", "~", "!"].includes(op)) {
        throw new Error(`unexpected character '${c}' at position ${i}`);
      }
      tokens.push({ t: "op", v: op });
      i += op.length;
    }
  }
  return tokens;
}

function parseQuery(src: string): Expr {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (v: string) => peek()?.t === "op" && peek().v === v;
  const isWord = (v: string) => peek()?.t === "name" && peek().v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new Error(`expected '${v}' ${peek() ? `but found '${peek().v}'` : "at the end"}`);
    pos++;
  };

  const orExpr = (): Expr => {
    let l = andExpr();
    while (isWord("or") || isOp("|") || isOp("||")) {
      pos++;
      l = { k: "bool", op: "or", l, r: andExpr() };
    }
    return l;
  };
  const andExpr = (): Expr => {
    let l = notExpr();
    while (isWord("and") || isOp("&") || isOp("&&")) {
      pos++;
      l = { k: "bool", op: "and", l, r: notExpr() };
    }
    return l;
  };
  const notExpr = (): Expr => {
    if (isWord("not") || isOp("~") || isOp("!")) {
      pos++;
      return { k: "not", e: notExpr() };
    }
    return comparison();
  };
  const comparison = (): Expr => {
    const first = additive();
    const rest: [string, Expr][] = [];
    for (;;) {
      const tok = peek();
      if (tok?.t === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(tok.v)) {
        pos++;
        rest.push([tok.v, additive()]);
      } else if (isWord("in")) {
        pos++;
        rest.push(["in", additive()]);
      } else if (isWord("not") && tokens[pos + 1]?.t === "name" && tokens[pos + 1].v === "in") {
        pos += 2;
        rest.push(["not in", additive()]);
      } else break;
    }
    return rest.length === 0 ? first : { k: "cmp", first, rest };
  };
  const additive = (): Expr => {
    let l = multiplicative();
    while (isOp("+") || isOp("-")) {
      const op = tokens[pos++].v;
      l = { k: "arith", op, l, r: multiplicative() };
    }
    return l;
  };
  const multiplicative = (): Expr => {
    let l = unary();
    while (isOp("*") || isOp("/") || isOp("%")) {
      const op = tokens[pos++].v;
      l = { k: "arith", op, l, r: unary() };
    }
    return l;
  };
  const unary = (): Expr => {
    if (isOp("-")) {
      pos++;
      return { k: "neg", e: unary() };
    }
    if (isOp("+")) {
      pos++;
      return unary();
    }
    const base = primary();
    if (isOp("**")) {
      pos++;
      return { k: "arith", op: "**", l: base, r: unary() };
    }
    return base;
  };
  const primary = (): Expr => {
    const tok = peek();
    if (!tok) throw new Error("unexpected end of condition");
    pos++;
    if (tok.t === "num") return { k: "lit", v: Number(tok.v) };
    if (tok.t === "str") return { k: "lit", v: tok.v };
    if (tok.t === "name") {
      if (tok.v === "True" || tok.v === "true") return { k: "lit", v: true };
      if (tok.v === "False" || tok.v === "false") return { k: "lit", v: false };
      if (tok.v === "None" || tok.v === "null") return { k: "lit", v: null };
      return { k: "name", name: tok.v };
    }
    if (tok.v === "(" || tok.v === "[") {
      // A parenthesised expression, or a list / tuple literal.
      const close = tok.v === "(" ? ")" : "]";
      const items: Expr[] = [];
      let comma = false;
      while (!isOp(close)) {
        items.push(orExpr());
        if (!isOp(",")) break;
        comma = true;
        pos++;
      }
      expect(close);
      if (close === ")" && items.length === 1 && !comma) return items[0];
      return { k: "list", items };
    }
    throw new Error(`unexpected '${tok.v}'`);
  };

  const e = orExpr();
  if (pos < tokens.length) throw new Error(`unexpected '${tokens[pos].v}'`);
  return e;
}

function evaluate(e: Expr, row: Record<string, unknown>): unknown {
  switch (e.k) {
    case "lit":
      return e.v;
    case "name":
      if (!has(row, e.name)) throw new Error(`unknown column '${e.name}'`);
      return row[e.name];
    case "list":
      return e.items.map((i) => evaluate(i, row));
    case "not":
      return !toBool(evaluate(e.e, row));
    case "neg":
      return -toNumber(evaluate(e.e, row));
    case "bool": {
      const l = toBool(evaluate(e.l, row));
      if (e.op === "and") return l && toBool(evaluate(e.r, row));
      return l || toBool(evaluate(e.r, row));
    }
    case "arith": {
      const l = evaluate(e.l, row);
      const r = evaluate(e.r, row);
      if (e.op === "+" && typeof l === "string" && typeof r === "string") return l + r;
      const a = toNumber(l);
      const b = toNumber(r);
      switch (e.op) {
        case "+":
          return a + b;
        case "-":
          return a - b;
        case "*":
          return a * b;
        case "/":
          return a / b;
        case "%":
          return a % b;
        default:
          return a ** b;
      }
    }
    case "cmp": {
      let left = evaluate(e.first, row);
      for (const [op, expr] of e.rest) {
        const right = evaluate(expr, row);
        let ok: boolean;
        if (op === "in" || op === "not in") {
          const found = typeof right === "string" ? right.includes(toText(left)) : toList(right).some((x) => deepEqual(x, left));
          ok = op === "in" ? found : !found;
        } else {
          ok = compareValues(left, right, op, "FilterDictByQuery");
        }
        if (!ok) return false;
        left = right;
      }
      return true;
    }
  }
}

/** Python-style type names and their JavaScript spellings, for FilterDictByValue's `type_is`. */
function typeNames(v: unknown): string[] {
  if (v === null || v === undefined) return ["none", "nonetype", "null"];
  if (typeof v === "string") return ["str", "string"];
  if (typeof v === "boolean") return ["bool", "boolean"];
  if (typeof v === "number") return Number.isInteger(v) ? ["int", "number"] : ["float", "number"];
  if (Array.isArray(v)) return ["list", "array"];
  return ["dict", "object"];
}

function lengthOf(v: unknown): number | undefined {
  if (typeof v === "string" || Array.isArray(v)) return v.length;
  if (isRecord(v)) return Object.keys(v).length;
  return undefined;
}

/**
 * The FilterDict* nodes filter a stream of dictionaries: they run once per arriving `value` and pass it on
 * `output` only when it matches, so a non-matching item simply produces nothing.
 */
function dictFilter(name: string, description: string, extra: ReturnType<typeof prop>[], match: (d: Record<string, unknown>, inputs: Record<string, unknown>) => boolean): NodeDecl {
  return defineNode({
    type: `nodetool.dictionary.${name}`,
    description,
    properties: [prop("value", DICT, {}, { description: "Input dictionary stream" }), ...extra],
    outputs: [out("output", DICT)],
    process: (inputs) => {
      const d = dictOf(inputs.value, `${name}: value`);
      return match(d, inputs) ? { output: d } : {};
    },
  });
}

export const dictionaryNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.dictionary.GetValue",
    description: "Retrieves the value stored under a key, or the default when the key is missing.",
    properties: [prop("dictionary", DICT, {}), prop("key", "str", ""), prop("default", "any", [])],
    outputs: [out("output", "any")],
    process: (inputs) => {
      const d = dictOf(inputs.dictionary, "GetValue: dictionary");
      const key = toText(inputs.key);
      return { output: has(d, key) ? d[key] : (inputs.default ?? null) };
    },
  }),
  defineNode({
    type: "nodetool.dictionary.Update",
    description: "Returns the dictionary with new_pairs added or overwritten.",
    properties: [prop("dictionary", DICT, {}), prop("new_pairs", DICT, {})],
    outputs: [out("output", DICT)],
    process: (inputs) => ({ output: { ...dictOf(inputs.dictionary, "Update: dictionary"), ...dictOf(inputs.new_pairs, "Update: new_pairs") } }),
  }),
  defineNode({
    type: "nodetool.dictionary.Remove",
    description: "Returns the dictionary without the given key (unchanged when the key is missing).",
    properties: [prop("dictionary", DICT, {}), prop("key", "str", "")],
    outputs: [out("output", DICT)],
    process: (inputs) => {
      const d = { ...dictOf(inputs.dictionary, "Remove: dictionary") };
      delete d[toText(inputs.key)];
      return { output: d };
    },
  }),
  defineNode({
    type: "nodetool.dictionary.ParseJSON",
    title: "Parse JSON",
    description: "Parses a JSON string that holds an object into a dictionary.",
    properties: [prop("json_string", "str", "")],
    outputs: [out("output", DICT)],
    process: (inputs) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(toText(inputs.json_string));
      } catch (err) {
        throw new Error(`ParseJSON: invalid JSON: ${(err as Error).message}`);
      }
      if (!isRecord(parsed)) throw new Error(`ParseJSON: input JSON is not a dictionary (got ${describe(parsed)})`);
      return { output: parsed };
    },
  }),
  defineNode({
    type: "nodetool.dictionary.Zip",
    description: "Creates a dictionary from parallel lists of keys and values (extra items are ignored).",
    properties: [prop("keys", "list[any]", []), prop("values", "list[any]", [])],
    outputs: [out("output", DICT)],
    process: (inputs) => {
      const keys = toList(inputs.keys);
      const values = toList(inputs.values);
      const output: Record<string, unknown> = {};
      for (let i = 0; i < Math.min(keys.length, values.length); i++) output[toText(keys[i])] = values[i];
      return { output };
    },
  }),
  defineNode({
    type: "nodetool.dictionary.Combine",
    description: "Merges two dictionaries; values of dict_b take precedence.",
    properties: [prop("dict_a", DICT, {}), prop("dict_b", DICT, {})],
    outputs: [out("output", DICT)],
    process: (inputs) => ({ output: { ...dictOf(inputs.dict_a, "Combine: dict_a"), ...dictOf(inputs.dict_b, "Combine: dict_b") } }),
  }),
  defineNode({
    type: "nodetool.dictionary.Filter",
    description: "Keeps only the listed keys that exist in the dictionary.",
    properties: [prop("dictionary", DICT, {}), prop("keys", "list[str]", [])],
    outputs: [out("output", DICT)],
    process: (inputs) => {
      const d = dictOf(inputs.dictionary, "Filter: dictionary");
      const output: Record<string, unknown> = {};
      for (const k of toList(inputs.keys).map(toText)) if (has(d, k)) output[k] = d[k];
      return { output };
    },
  }),
  defineNode({
    type: "nodetool.dictionary.ReduceDictionaries",
    description: "Reduces a list of dictionaries into one dictionary keyed by key_field.",
    properties: [
      prop("dictionaries", "list[dict]", [], { description: "List of dictionaries to be reduced" }),
      prop("key_field", "str", "", { description: "The field to use as the key in the resulting dictionary" }),
      prop("value_field", "str", "", {
        description: "Optional field to use as the value. If not specified, the entire dictionary (minus the key field) will be used as the value.",
      }),
      prop("conflict_resolution", "enum", CONFLICT_RESOLUTION.FIRST, {
        values: Object.values(CONFLICT_RESOLUTION),
        description: "How to handle conflicts when the same key appears multiple times",
      }),
    ],
    outputs: [out("output", DICT)],
    process: (inputs) => {
      const keyField = toText(inputs.key_field);
      const valueField = toText(inputs.value_field);
      const conflict = enumValue(inputs.conflict_resolution ?? CONFLICT_RESOLUTION.FIRST, CONFLICT_RESOLUTION);
      if (!(Object.values(CONFLICT_RESOLUTION) as string[]).includes(conflict)) {
        throw new Error(`ReduceDictionaries: unknown conflict_resolution '${conflict}' (expected first, last or error)`);
      }
      const result: Record<string, unknown> = {};
      for (const item of toList(inputs.dictionaries)) {
        const d = dictOf(item, "ReduceDictionaries: each item");
        if (!has(d, keyField)) throw new Error(`ReduceDictionaries: key field '${keyField}' not found in dictionary`);
        const key = toText(d[keyField]);
        let value: unknown;
        if (valueField) {
          if (!has(d, valueField)) throw new Error(`ReduceDictionaries: value field '${valueField}' not found in dictionary`);
          value = d[valueField];
        } else {
          value = Object.fromEntries(Object.entries(d).filter(([k]) => k !== keyField));
        }
        if (has(result, key)) {
          if (conflict === "first") continue;
          if (conflict === "error") throw new Error(`ReduceDictionaries: duplicate key found: ${key}`);
        }
        result[key] = value;
      }
      return { output: result };
    },
  }),
  defineNode({
    type: "nodetool.dictionary.MakeDictionary",
    description: "Builds a dictionary from the node's dynamic inputs (one key per input).",
    isDynamic: true,
    outputs: [out("output", DICT)],
    process: (inputs) => ({ output: { ...inputs } }),
  }),
  defineNode({
    type: "nodetool.dictionary.ArgMax",
    description: "Returns the label with the highest score (the first one on ties).",
    properties: [prop("scores", "dict[str, float]", {}, { description: "Dictionary mapping labels to their corresponding scores/values" })],
    outputs: [out("output", "str")],
    process: (inputs) => {
      const entries = Object.entries(dictOf(inputs.scores, "ArgMax: scores"));
      if (entries.length === 0) throw new Error("ArgMax: input dictionary cannot be empty");
      let best: [string, number] | undefined;
      for (const [label, raw] of entries) {
        const score = toNumber(raw, `ArgMax: score of '${label}'`);
        if (best === undefined || score > best[1]) best = [label, score];
      }
      return { output: best![0] };
    },
  }),
  defineNode({
    type: "nodetool.dictionary.ToJSON",
    title: "To JSON",
    description: "Serialises a dictionary to a compact JSON string.",
    properties: [prop("dictionary", DICT, {})],
    outputs: [out("output", "str")],
    process: (inputs) => ({ output: JSON.stringify(inputs.dictionary ?? {}) }),
  }),
  defineNode({
    type: "nodetool.dictionary.SaveJSON",
    title: "Save JSON",
    description: "Saves a dictionary or list as a JSON file among the user's assets; outputs the file's storage URL.",
    properties: [
      prop("data", "any", {}, { description: "Data to save as JSON (dict or list)" }),
      prop("folder", "str", "", { description: "The asset folder (its id, or a folder reference) to save into; empty for the top level." }),
      prop("name", "str", "%Y-%m-%d-%H-%M-%S.json", { description: "Name of the output file; %Y %m %d %H %M %S are replaced by the current date and time (UTC)." }),
      prop("indent", "int", 2, { description: "JSON indentation level", min: 0, max: 10 }),
    ],
    outputs: [out("output", "str")],
    process: async (inputs, ctx) => {
      const indent = Math.max(0, Math.min(10, Math.trunc(toNumber(inputs.indent ?? 2, "SaveJSON: indent"))));
      const text = JSON.stringify(inputs.data ?? {}, null, indent) ?? "null";
      const name = formatName(toText(inputs.name) || "%Y-%m-%d-%H-%M-%S.json", ctx.services.now());
      const saved = await saveMedia(
        ctx,
        new TextEncoder().encode(text),
        { type: "document", contentType: "application/json", kind: "asset", name, parentId: folderId(inputs.folder) },
        "SaveJSON",
      );
      return { output: saved.uri };
    },
  }),
  defineNode({
    type: "nodetool.dictionary.ToYAML",
    title: "To YAML",
    description: "Serialises a dictionary to a block-style YAML string.",
    properties: [prop("dictionary", DICT, {})],
    outputs: [out("output", "str")],
    process: (inputs) => ({ output: toYaml(inputs.dictionary ?? {}) }),
  }),

  dictFilter(
    "FilterDictByValue",
    "Passes on the dictionaries whose value under key matches the criteria.",
    [
      prop("key", "str", "", { description: "The dictionary key to check" }),
      prop("filter_type", "enum", FILTER_TYPE.CONTAINS, { values: Object.values(FILTER_TYPE), description: "The type of filter to apply" }),
      prop("criteria", "str", "", { description: "The filtering criteria (text to match, type name, or length as string)" }),
    ],
    (d, inputs) => {
      const key = toText(inputs.key);
      if (!has(d, key)) return false;
      const v = d[key];
      const criteria = toText(inputs.criteria);
      const type = enumValue(inputs.filter_type ?? FILTER_TYPE.CONTAINS, FILTER_TYPE);
      switch (type) {
        case "contains":
          return toText(v).includes(criteria);
        case "starts_with":
          return toText(v).startsWith(criteria);
        case "ends_with":
          return toText(v).endsWith(criteria);
        case "equals":
          return toText(v) === criteria;
        case "type_is":
          return typeNames(v).includes(criteria.trim().toLowerCase());
        case "length_greater":
        case "length_less":
        case "exact_length": {
          const target = Number(criteria);
          const len = lengthOf(v);
          if (criteria.trim() === "" || !Number.isFinite(target) || len === undefined) return false;
          return type === "length_greater" ? len > target : type === "length_less" ? len < target : len === target;
        }
        default:
          throw new Error(`FilterDictByValue: unknown filter_type '${type}' (expected one of ${Object.values(FILTER_TYPE).join(", ")})`);
      }
    },
  ),
  dictFilter(
    "FilterDictByNumber",
    "Passes on the dictionaries whose number under key passes the numeric test.",
    [
      prop("key", "str", "", { description: "The dictionary key to check" }),
      prop("filter_type", "enum", FILTER_DICT_NUMBER_TYPE.GREATER_THAN, { values: Object.values(FILTER_DICT_NUMBER_TYPE) }),
      prop("compare_value", "float", 0, { description: "Comparison value" }),
    ],
    (d, inputs) => {
      const key = toText(inputs.key);
      const n = d[key];
      if (!has(d, key) || typeof n !== "number" || !Number.isFinite(n)) return false;
      const c = toNumber(inputs.compare_value, "compare_value");
      const type = enumValue(inputs.filter_type ?? FILTER_DICT_NUMBER_TYPE.GREATER_THAN, FILTER_DICT_NUMBER_TYPE);
      switch (type) {
        case "greater_than":
          return n > c;
        case "less_than":
          return n < c;
        case "equal_to":
          return n === c;
        case "even":
          return Number.isInteger(n) && n % 2 === 0;
        case "odd":
          return Number.isInteger(n) && n % 2 !== 0;
        case "positive":
          return n > 0;
        case "negative":
          return n < 0;
        default:
          throw new Error(`FilterDictByNumber: unknown filter_type '${type}' (expected one of ${Object.values(FILTER_DICT_NUMBER_TYPE).join(", ")})`);
      }
    },
  ),
  dictFilter(
    "FilterDictByRange",
    "Passes on the dictionaries whose number under key lies between min_value and max_value.",
    [
      prop("key", "str", "", { description: "The dictionary key to check for the range" }),
      prop("min_value", "float", 0, { description: "The minimum value (inclusive) of the range" }),
      prop("max_value", "float", 0, { description: "The maximum value (inclusive) of the range" }),
      prop("inclusive", "bool", true, { description: "If True, includes the min and max values in the results" }),
    ],
    (d, inputs) => {
      const key = toText(inputs.key);
      const n = d[key];
      if (!has(d, key) || typeof n !== "number" || !Number.isFinite(n)) return false;
      const lo = toNumber(inputs.min_value, "min_value");
      const hi = toNumber(inputs.max_value, "max_value");
      return toBool(inputs.inclusive ?? true) ? lo <= n && n <= hi : lo < n && n < hi;
    },
  ),
  dictFilter(
    "FilterDictRegex",
    "Passes on the dictionaries whose value under key matches a regular expression.",
    [
      prop("key", "str", "", { description: "The dictionary key to check" }),
      prop("pattern", "str", "", { description: "The regex pattern" }),
      prop("full_match", "bool", false, { description: "Full match or partial" }),
    ],
    (d, inputs) => {
      const key = toText(inputs.key);
      if (!has(d, key)) return false;
      const pattern = toText(inputs.pattern);
      let re: RegExp;
      try {
        re = new RegExp(toBool(inputs.full_match) ? `^(?:${pattern})$` : pattern);
      } catch (err) {
        throw new Error(`FilterDictRegex: invalid pattern '${pattern}': ${(err as Error).message}`);
      }
      return re.test(toText(d[key]));
    },
  ),
  dictFilter(
    "FilterDictByQuery",
    "Passes on the dictionaries that satisfy a pandas-style query condition (e.g. `age > 30 and city == 'Paris'`).",
    [prop("condition", "str", "", { description: "The filtering condition using pandas query syntax." })],
    (d, inputs) => {
      const condition = toText(inputs.condition).trim();
      if (condition === "") return true;
      let expr: Expr;
      try {
        expr = parseQuery(condition);
      } catch (err) {
        throw new Error(`FilterDictByQuery: invalid condition '${condition}': ${(err as Error).message}`);
      }
      try {
        return toBool(evaluate(expr, d));
      } catch {
        // A row the condition cannot be evaluated on (missing column, incomparable values) does not match.
        return false;
      }
    },
  ),
];
