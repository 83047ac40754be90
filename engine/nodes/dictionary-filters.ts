/**
 * `nodetool.dictionary.FilterDict*`: stream filters. Each runs once per arriving `value` and passes it on
 * `output` only when it matches, so a non-matching item simply produces nothing.
 */
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl } from "../registry/types";
import { compileRegex, RegexError, type SafeRegex } from "../regex/safe-regex";
import { enumValue, isRecord, toBool, toNumber, toText } from "../values/coerce";
import { FILTER_TYPE } from "../values/enums";
import { evaluate, parseQuery, type Expr } from "../query/pandas-query";
import { compareValues } from "./boolean";
import { DICT, dictOf, FILTER_DICT_NUMBER_TYPE, has } from "./dictionary-common";

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

function dictFilter(
  name: string,
  description: string,
  extra: ReturnType<typeof prop>[],
  match: (d: Record<string, unknown>, inputs: Record<string, unknown>, ctx: NodeContext) => boolean | Promise<boolean>,
): NodeDecl {
  return defineNode({
    type: `nodetool.dictionary.${name}`,
    description,
    properties: [prop("value", DICT, {}, { description: "Input dictionary stream" }), ...extra],
    outputs: [out("output", DICT)],
    process: async (inputs, ctx) => {
      const d = dictOf(inputs.value, `${name}: value`);
      return (await match(d, inputs, ctx)) ? { output: d } : {};
    },
  });
}

export const dictionaryFilterNodes: NodeDecl[] = [
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
    // NodeTool: re.fullmatch or re.search (Python syntax), run by engine/regex/safe-regex.ts so no pattern can hang.
    (d, inputs, ctx) => {
      const key = toText(inputs.key);
      if (!has(d, key)) return false;
      const pattern = toText(inputs.pattern);
      let re: SafeRegex;
      try {
        re = compileRegex(pattern, { what: "FilterDictRegex", sandbox: ctx.services.code, signal: ctx.signal });
      } catch (err) {
        if (err instanceof RegexError && err.reason === "invalid") throw new Error(`FilterDictRegex: invalid pattern '${pattern}': ${err.message.replace(/^FilterDictRegex: /, "")}`);
        throw err;
      }
      return toBool(inputs.full_match) ? re.fullMatch(toText(d[key])) : re.test(toText(d[key]));
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
        return toBool(evaluate(expr, d, (l, r, op) => compareValues(l, r, op, "FilterDictByQuery")));
      } catch {
        // A row the condition cannot be evaluated on (missing column, incomparable values) does not match.
        return false;
      }
    },
  ),
];
