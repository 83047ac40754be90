/** `nodetool.text.*`: Comparing, searching, measuring and filtering text. */
import { defineNode, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { text, cpLength, unitOffset, cpIndex, splitLines, compareCodePoints } from "../text/strings";
import { MATCH_MODE, MEASURE, textProp, strOut, boolOut, intOut, streamFilter, normalizePair } from "./text-common";
import { enumValue, toBool, toInt, toList } from "../values/coerce";
import { FILTER_TYPE } from "../values/enums";

export const textCheckNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.text.Compare",
    title: "Compare Text",
    description: "Compares two text values and reports ordering: less, equal or greater.\n    text, compare, equality, sort, equals, =",
    properties: [
      prop("text_a", "str", ""),
      prop("text_b", "str", ""),
      prop("case_sensitive", "bool", true, { description: "Compare without lowercasing" }),
      prop("trim_whitespace", "bool", false, { description: "Strip leading/trailing whitespace before comparing" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const [a, b] = normalizePair(inputs);
      return { output: a === b ? "equal" : compareCodePoints(a, b) < 0 ? "less" : "greater" };
    },
  }),

  defineNode({
    type: "nodetool.text.Equals",
    description: "Checks if two text inputs are equal.\n    text, compare, equals, match, =",
    properties: [
      prop("text_a", "str", ""),
      prop("text_b", "str", ""),
      prop("case_sensitive", "bool", true, { description: "Disable lowercasing before compare" }),
      prop("trim_whitespace", "bool", false, { description: "Strip leading/trailing whitespace prior to comparison" }),
    ],
    outputs: boolOut,
    process: (inputs) => {
      const [a, b] = normalizePair(inputs);
      return { output: a === b };
    },
  }),

  defineNode({
    type: "nodetool.text.StartsWith",
    description: "Checks if text starts with a specified prefix.\n    text, check, prefix, compare, validate, substring, string",
    properties: [textProp(), prop("prefix", "str", "")],
    outputs: boolOut,
    process: (inputs) => ({ output: text(inputs.text).startsWith(text(inputs.prefix)) }),
  }),

  defineNode({
    type: "nodetool.text.EndsWith",
    description: "Checks if text ends with a specified suffix.\n    text, check, suffix, compare, validate, substring, string",
    properties: [textProp(), prop("suffix", "str", "")],
    outputs: boolOut,
    process: (inputs) => ({ output: text(inputs.text).endsWith(text(inputs.suffix)) }),
  }),

  // With neither a substring nor search values there is nothing to find: false (current NodeTool).
  defineNode({
    type: "nodetool.text.Contains",
    title: "Contains Text",
    description: "Checks if text contains a specified substring.\n    text, compare, validate, substring, string",
    properties: [
      textProp(),
      prop("substring", "str", ""),
      prop("search_values", "list[str]", [], { description: "Optional list of substrings to check instead of `substring`" }),
      prop("case_sensitive", "bool", true),
      prop("match_mode", "enum", "any", { values: Object.values(MATCH_MODE), description: "ANY requires one match, ALL needs every value, NONE ensures none" }),
    ],
    outputs: boolOut,
    process: (inputs) => {
      const search = toList(inputs.search_values).map(text);
      const substring = text(inputs.substring);
      const targets = search.length > 0 ? search : substring !== "" ? [substring] : [];
      if (targets.length === 0) return { output: false };
      const cs = toBool(inputs.case_sensitive);
      const hay = cs ? text(inputs.text) : text(inputs.text).toLowerCase();
      const found = targets.map((t) => hay.includes(cs ? t : t.toLowerCase()));
      const mode = enumValue(inputs.match_mode, MATCH_MODE);
      if (mode === "all") return { output: found.every(Boolean) };
      if (mode === "none") return { output: !found.some(Boolean) };
      if (mode !== "any") throw new Error(`Contains: unknown match_mode '${mode}' (expected any, all or none)`);
      return { output: found.some(Boolean) };
    },
  }),

  defineNode({
    type: "nodetool.text.IsEmpty",
    description: "Checks if text is empty or contains only whitespace.\n    text, check, empty, compare, validate, whitespace, string",
    properties: [textProp(), prop("trim_whitespace", "bool", true)],
    outputs: boolOut,
    process: (inputs) => {
      const s = text(inputs.text);
      return { output: (toBool(inputs.trim_whitespace) ? s.trim() : s).length === 0 };
    },
  }),

  // A bound of 0 is "not set" (NodeTool's defaults); with exact_length set the other bounds are ignored.
  defineNode({
    type: "nodetool.text.HasLength",
    title: "Check Length",
    description: "Checks if text length meets specified conditions.\n    text, check, length, compare, validate, whitespace, string",
    properties: [
      textProp(),
      prop("min_length", "int", 0, { description: "Minimum length; 0 means no minimum" }),
      prop("max_length", "int", 0, { description: "Maximum length; 0 means no maximum" }),
      prop("exact_length", "int", 0, { description: "Exact length; 0 means not checked" }),
    ],
    outputs: boolOut,
    process: (inputs) => {
      const n = cpLength(text(inputs.text));
      const exact = toInt(inputs.exact_length, "exact_length");
      const min = toInt(inputs.min_length, "min_length");
      const max = toInt(inputs.max_length, "max_length");
      if (exact > 0) return { output: n === exact };
      return { output: (min <= 0 || n >= min) && (max <= 0 || n <= max) };
    },
  }),

  defineNode({
    type: "nodetool.text.Length",
    title: "Measure Length",
    description: "Measures text length as characters, words, or lines.\n    text, analyze, length, count",
    properties: [
      textProp(),
      prop("measure", "enum", "characters", { values: Object.values(MEASURE), description: "Count characters, words, or lines" }),
      prop("trim_whitespace", "bool", false, { description: "Strip whitespace before counting" }),
    ],
    outputs: intOut,
    process: (inputs) => {
      const trim = toBool(inputs.trim_whitespace);
      const s = trim ? text(inputs.text).trim() : text(inputs.text);
      const measure = enumValue(inputs.measure, MEASURE);
      if (measure === "words") return { output: s.split(/\s+/).filter(Boolean).length };
      if (measure === "lines") return { output: splitLines(s).filter((line) => line !== "" || !trim).length };
      return { output: cpLength(s) };
    },
  }),

  // `end_index` 0 means "to the end of the text"; a negative one counts from the end.
  defineNode({
    type: "nodetool.text.IndexOf",
    description: "Finds the position of a substring in text (-1 when absent).\n    text, search, find, substring",
    properties: [
      textProp(),
      prop("substring", "str", ""),
      prop("case_sensitive", "bool", true),
      prop("start_index", "int", 0, { min: 0, description: "Index to begin the search from" }),
      prop("end_index", "int", 0, { description: "Exclusive end index for the search; 0 means the end of the text" }),
      prop("search_from_end", "bool", false, { description: "Use the last occurrence instead of the first" }),
    ],
    outputs: intOut,
    process: (inputs) => {
      let hay = text(inputs.text);
      let needle = text(inputs.substring);
      if (!toBool(inputs.case_sensitive)) {
        hay = hay.toLowerCase();
        needle = needle.toLowerCase();
      }
      const len = cpLength(hay);
      const start = Math.min(Math.max(toInt(inputs.start_index, "start_index"), 0), len);
      const endIn = toInt(inputs.end_index, "end_index");
      const end = Math.max(start, Math.min(endIn === 0 ? len : endIn < 0 ? len + endIn : endIn, len));
      const window = hay.slice(unitOffset(hay, start), unitOffset(hay, end));
      const at = toBool(inputs.search_from_end) ? window.lastIndexOf(needle) : window.indexOf(needle);
      return { output: at < 0 ? -1 : start + cpIndex(window, at) };
    },
  }),

  defineNode({
    type: "nodetool.text.FilterString",
    description: "Filters a stream of strings based on various criteria.\n    filter, strings, text, stream",
    properties: [
      prop("value", "str", "", { description: "Input string stream" }),
      prop("filter_type", "enum", "contains", { values: Object.values(FILTER_TYPE), description: "The type of filter to apply" }),
      prop("criteria", "str", "", { description: "The filtering criteria (text to match or length as string)" }),
    ],
    outputs: strOut,
    run: (inputs, outputs) =>
      streamFilter(inputs, outputs, ["filter_type", "criteria"], (state) => {
        const type = enumValue(state.filter_type, FILTER_TYPE);
        const criteria = text(state.criteria);
        const n = /^\s*[-+]?\d+\s*$/.test(criteria) ? Number(criteria) : null;
        switch (type) {
          case "contains":
            return (v) => v.includes(criteria);
          case "starts_with":
            return (v) => v.startsWith(criteria);
          case "ends_with":
            return (v) => v.endsWith(criteria);
          case "equals":
            return (v) => v === criteria;
          case "type_is":
            // Only strings reach the filter, so the only type that matches is the string type.
            return () => ["str", "string", "text"].includes(criteria.trim().toLowerCase());
          case "length_greater":
            return (v) => n !== null && cpLength(v) > n;
          case "length_less":
            return (v) => n !== null && cpLength(v) < n;
          case "exact_length":
            return (v) => n !== null && cpLength(v) === n;
          default:
            throw new Error(`FilterString: unknown filter_type '${type}'`);
        }
      }),
  }),
];
