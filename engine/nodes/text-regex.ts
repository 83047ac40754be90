/**
 * `nodetool.text.*`: Regular expressions (Python `re` syntax) and JSON extraction from text. Every pattern runs
 * through engine/regex/safe-regex.ts: linear time on RE2, or a time-limited sandbox for backreferences and
 * lookahead, so no pattern can hang the run.
 */
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl } from "../registry/types";
import { text } from "../text/strings";
import { parseReplacement, expandReplacement } from "../regex/python-regex";
import { compileRegex, type RegexFlags, type SafeRegex } from "../regex/safe-regex";
import { jsonPathFind } from "../jsonpath/jsonpath";
import { textProp, strOut, boolOut, listStrOut, streamFilter, regexFlags } from "./text-common";
import { toBool, toInt } from "../values/coerce";

function regex(pattern: unknown, what: string, ctx: NodeContext, flags?: RegexFlags): SafeRegex {
  return compileRegex(text(pattern), { what, flags, sandbox: ctx.services.code, signal: ctx.signal });
}

export const textRegexNodes: NodeDecl[] = [
  // Unmatched optional groups come back as null (Python's None).
  defineNode({
    type: "nodetool.text.ExtractRegex",
    title: "Extract Regex Groups",
    description: "Extracts substrings matching regex groups from text.\n    text, regex, extract",
    properties: [textProp(), prop("regex", "str", ""), prop("dotall", "bool", false), prop("ignorecase", "bool", false), prop("multiline", "bool", false)],
    outputs: listStrOut,
    process: async (inputs, ctx) => {
      const m = await regex(inputs.regex, "ExtractRegex", ctx, regexFlags(inputs)).search(text(inputs.text));
      return { output: m ? m.slice(1).map((g) => g ?? null) : [] };
    },
  }),

  // Every full match (current NodeTool), also when the pattern has groups.
  defineNode({
    type: "nodetool.text.FindAllRegex",
    title: "Find All Regex Matches",
    description: "Finds all regex matches in text as separate substrings.\n    text, regex, find",
    properties: [textProp(), prop("regex", "str", ""), prop("dotall", "bool", false), prop("ignorecase", "bool", false), prop("multiline", "bool", false)],
    outputs: listStrOut,
    process: async (inputs, ctx) => ({ output: (await regex(inputs.regex, "FindAllRegex", ctx, regexFlags(inputs)).findAll(text(inputs.text))).map((m) => m[0]) }),
  }),

  defineNode({
    type: "nodetool.text.ParseJSON",
    title: "Parse JSON String",
    description: "Parses a JSON string into an object.\n    json, parse, convert",
    properties: [prop("text", "str", "", { description: "JSON string" })],
    outputs: [out("output", "any")],
    process: (inputs) => {
      const s = text(inputs.text);
      try {
        return { output: JSON.parse(s) };
      } catch (err) {
        throw new Error(`ParseJSON: invalid JSON: ${(err as Error).message}`);
      }
    },
  }),

  defineNode({
    type: "nodetool.text.ExtractJSON",
    description: "Extracts data from JSON using JSONPath expressions.\n    json, extract, jsonpath",
    properties: [
      prop("text", "str", "", { description: "JSON text" }),
      prop("json_path", "str", "$.*", { description: "JSONPath expression: $, .key, ['key'], [n], [a:b], [*], .*, ..key" }),
      prop("find_all", "bool", false, { description: "Return every match as a list instead of the first" }),
    ],
    outputs: [out("output", "any")],
    process: (inputs) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text(inputs.text));
      } catch (err) {
        throw new Error(`ExtractJSON: invalid JSON: ${(err as Error).message}`);
      }
      const path = text(inputs.json_path);
      const matches = jsonPathFind(path, parsed);
      if (toBool(inputs.find_all)) return { output: matches };
      if (matches.length === 0) throw new Error(`ExtractJSON: JSONPath '${path}' matched nothing`);
      return { output: matches[0] };
    },
  }),

  defineNode({
    type: "nodetool.text.RegexMatch",
    title: "Find Regex Matches",
    description: "Find all matches of a regex pattern in text.\n    regex, search, pattern, match",
    properties: [
      prop("text", "str", "", { description: "Text to search in" }),
      prop("pattern", "str", "", { description: "Regular expression pattern" }),
      prop("group", "int", 0, { description: "Capture group to extract (0 for full match)" }),
    ],
    outputs: listStrOut,
    process: async (inputs, ctx) => {
      const pattern = text(inputs.pattern);
      const re = regex(pattern, "RegexMatch", ctx);
      const group = inputs.group === null || inputs.group === undefined ? 0 : toInt(inputs.group, "group");
      if (group < 0 || group > re.groupCount) throw new Error(`RegexMatch: pattern '${pattern}' has no group ${group}`);
      const matches = await re.findAll(text(inputs.text));
      return { output: matches.map((m) => m[group]).filter((v): v is string => v !== undefined) };
    },
  }),

  defineNode({
    type: "nodetool.text.RegexReplace",
    title: "Replace with Regex",
    description: "Replace text matching a regex pattern.\n    regex, replace, substitute",
    properties: [
      prop("text", "str", "", { description: "Text to perform replacements on" }),
      prop("pattern", "str", "", { description: "Regular expression pattern" }),
      prop("replacement", "str", "", { description: "Replacement text; \\1, \\g<name>, $1 and $<name> refer to groups" }),
      prop("count", "int", 0, { description: "Maximum replacements (0 for unlimited)" }),
    ],
    outputs: strOut,
    process: async (inputs, ctx) => {
      const pattern = text(inputs.pattern);
      const re = regex(pattern, "RegexReplace", ctx);
      const parts = parseReplacement(text(inputs.replacement));
      const count = toInt(inputs.count, "count");
      const s = text(inputs.text);
      let output = "";
      let last = 0;
      let done = 0;
      for (const m of await re.findAll(s)) {
        if (count > 0 && done >= count) break;
        output += s.slice(last, m.index) + expandReplacement(parts, m as unknown as RegExpMatchArray, pattern);
        last = m.index + m[0]!.length;
        done++;
      }
      return { output: output + s.slice(last) };
    },
  }),

  // Python's re.split: captured groups are included, empty matches split too, `maxsplit` bounds the splits.
  defineNode({
    type: "nodetool.text.RegexSplit",
    title: "Split with Regex",
    description: "Split text using a regex pattern as delimiter.\n    regex, split, tokenize",
    properties: [
      prop("text", "str", "", { description: "Text to split" }),
      prop("pattern", "str", "", { description: "Regular expression pattern to split on" }),
      prop("maxsplit", "int", 0, { description: "Maximum number of splits (0 for unlimited)" }),
    ],
    outputs: listStrOut,
    process: async (inputs, ctx) => {
      const s = text(inputs.text);
      const maxsplit = toInt(inputs.maxsplit, "maxsplit");
      const parts: (string | null)[] = [];
      let last = 0;
      let splits = 0;
      for (const m of await regex(inputs.pattern, "RegexSplit", ctx).findAll(s)) {
        if (maxsplit > 0 && splits >= maxsplit) break;
        parts.push(s.slice(last, m.index));
        for (const g of m.slice(1)) parts.push(g ?? null);
        last = m.index + m[0]!.length;
        splits++;
      }
      parts.push(s.slice(last));
      return { output: parts };
    },
  }),

  // Python's re.match: the pattern must match at the start of the text (use `$` to require the whole text).
  defineNode({
    type: "nodetool.text.RegexValidate",
    title: "Validate with Regex",
    description: "Check if text matches a regex pattern (anchored at the start of the text).\n    regex, validate, check",
    properties: [
      prop("text", "str", "", { description: "Text to validate" }),
      prop("pattern", "str", "", { description: "Regular expression pattern" }),
    ],
    outputs: boolOut,
    process: async (inputs, ctx) => ({ output: await regex(inputs.pattern, "RegexValidate", ctx).matchStart(text(inputs.text)) }),
  }),

  defineNode({
    type: "nodetool.text.FilterRegexString",
    description: "Filters a stream of strings using regular expressions.\n    filter, regex, pattern, text, stream",
    properties: [
      prop("value", "str", "", { description: "Input string stream" }),
      prop("pattern", "str", "", { description: "The regular expression pattern to match against." }),
      prop("full_match", "bool", false, { description: "Whether to match the entire string or find pattern anywhere in string" }),
    ],
    outputs: strOut,
    run: (inputs, outputs, ctx) =>
      streamFilter(inputs, outputs, ["pattern", "full_match"], (state) => {
        const re = regex(state.pattern, "FilterRegexString", ctx);
        return toBool(state.full_match) ? (v) => re.fullMatch(v) : (v) => re.test(v);
      }),
  }),
];
