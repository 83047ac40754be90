/**
 * `lib.json.*`: parsing, writing, querying and validating JSON values. Semantics follow NodeTool's Python nodes
 * (nodetool-base src/nodetool/nodes/lib/json.py): dot paths, Python conversions of extracted values,
 * `$name` templates, JSON Schema validation (@cfworker/json-schema: no code generation, so it runs in workerd).
 * LoadJSONAssets streams the JSON assets of an asset folder (engine/media/asset-folders.ts).
 */
import { Validator, type Schema } from "@cfworker/json-schema";
import { pyJsonDumps } from "../json/py-json";
import { folderFiles, readEntry } from "../media/asset-folders";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { pyRepr, pyStr } from "../text/strings";
import { deepEqual, describe, isRecord, toInt, toText } from "../values/coerce";

function parseJson(s: unknown, who: string): unknown {
  try {
    return JSON.parse(toText(s));
  } catch (err) {
    throw new Error(`${who}: invalid JSON: ${(err as Error).message}`);
  }
}

/** NodeTool's dot path: dictionary keys, and list indices written as digits ("items.0.name"). */
export function dotPath(data: unknown, path: string): unknown {
  let result = data;
  for (const key of path.split(".")) {
    if (isRecord(result)) result = Object.hasOwn(result, key) ? result[key] : null;
    else if (Array.isArray(result) && /^\d+$/.test(key)) result = Number(key) < result.length ? result[Number(key)] : null;
    else return null;
  }
  return result ?? null;
}

// Python's int()/float()/bool()/list()/dict() applied to the extracted value.
function pyInt(v: unknown): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`cannot convert ${pyRepr(v)} to integer`);
    return Math.trunc(v);
  }
  if (typeof v === "string" && /^\s*[+-]?\d+(_\d+)*\s*$/.test(v)) return Number(v.replace(/_/g, ""));
  throw new Error(`invalid literal for int(): ${pyRepr(v)}`);
}

function pyFloat(v: unknown): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
    if (/^[+-]?nan$/.test(s)) return NaN;
    if (s !== "" && !Number.isNaN(Number(s))) return Number(s);
  }
  throw new Error(`could not convert to float: ${pyRepr(v)}`);
}

function pyBool(v: unknown): boolean {
  if (typeof v === "string") return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isRecord(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

function pyList(v: unknown): unknown[] {
  if (Array.isArray(v)) return [...v];
  if (typeof v === "string") return Array.from(v);
  if (isRecord(v)) return Object.keys(v);
  throw new Error(`${describe(v)} is not iterable`);
}

function pyDict(v: unknown): Record<string, unknown> {
  if (isRecord(v)) return { ...v };
  if (Array.isArray(v)) {
    const d: Record<string, unknown> = {};
    for (const pair of v) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new Error("dictionary update sequence elements must be pairs");
      d[pyStr(pair[0])] = pair[1];
    }
    return d;
  }
  throw new Error(`cannot convert ${describe(v)} to a dictionary`);
}

function getPath(name: string, type: string, defaultValue: unknown, convert: (v: unknown) => unknown): NodeDecl {
  return defineNode({
    type: `lib.json.GetJSONPath${name}`,
    title: `Get JSON Path ${name}`,
    description: `Extract a ${type} value from a JSON path (dot notation, list indices as digits: "items.0.name").\n    json, path, extract`,
    properties: [
      prop("data", "any", {}, { description: "JSON object to extract from" }),
      prop("path", "str", "", { description: "Path to the desired value (dot notation)" }),
      prop("default", type, defaultValue, { description: "Default value to return if path is not found" }),
    ],
    outputs: [out("output", type)],
    process: (inputs) => {
      const found = dotPath(inputs.data, toText(inputs.path));
      if (found === null) return { output: inputs.default ?? defaultValue };
      try {
        return { output: convert(found) };
      } catch (err) {
        throw new Error(`GetJSONPath${name}: value at '${toText(inputs.path)}': ${(err as Error).message}`);
      }
    },
  });
}

/**
 * NodeTool (nodetool-base nodes/lib/json.py) asks for content types starting with "json", which no stored
 * JSON file has (they are application/json): the intent, JSON files, is matched by type or by name instead.
 */
const isJsonAsset = (e: { contentType: string; name: string }) => /(^|[/+])json(;|$)/i.test(e.contentType) || /\.json$/i.test(e.name);

export const jsonNodes: NodeDecl[] = [
  defineNode({
    type: "lib.json.LoadJSONAssets",
    title: "Load JSON Folder",
    description: "Load JSON files from an asset folder.\n    load, json, file, import",
    properties: [prop("folder", "folder", { type: "folder", uri: "", asset_id: null, data: null, metadata: null }, { description: "The asset folder to load the JSON files from." })],
    outputs: [out("json", "dict"), out("name", "str")],
    gen: async function* (inputs, ctx) {
      const decoder = new TextDecoder();
      for await (const entry of folderFiles(ctx, inputs.folder, "LoadJSONAssets", { accept: isJsonAsset })) {
        const { bytes } = await readEntry(ctx, entry, "LoadJSONAssets");
        let json: unknown;
        try {
          json = JSON.parse(decoder.decode(bytes));
        } catch (err) {
          throw new Error(`LoadJSONAssets: Invalid JSON in file ${entry.name}: ${(err as Error).message}`);
        }
        yield { json, name: entry.name };
      }
    },
  }),
  defineNode({
    type: "lib.json.ParseDict",
    description: "Parse a JSON string into a dictionary (the JSON must be an object).\n    json, parse, decode, dictionary",
    properties: [prop("json_string", "str", "", { description: "JSON string to parse into a dictionary" })],
    outputs: [out("output", "dict")],
    process: (inputs) => {
      const parsed = parseJson(inputs.json_string, "ParseDict");
      if (!isRecord(parsed)) throw new Error("ParseDict: JSON string must represent an object/dictionary");
      return { output: parsed };
    },
  }),
  defineNode({
    type: "lib.json.ParseList",
    description: "Parse a JSON string into a list (the JSON must be an array).\n    json, parse, decode, array, list",
    properties: [prop("json_string", "str", "", { description: "JSON string to parse into a list" })],
    outputs: [out("output", "list")],
    process: (inputs) => {
      const parsed = parseJson(inputs.json_string, "ParseList");
      if (!Array.isArray(parsed)) throw new Error("ParseList: JSON string must represent an array/list");
      return { output: parsed };
    },
  }),
  defineNode({
    type: "lib.json.StringifyJSON",
    title: "Stringify JSON",
    description: "Convert a value to a formatted JSON string (as Python's json.dumps).\n    json, stringify, encode",
    properties: [prop("data", "any", {}, { description: "Data to convert to JSON" }), prop("indent", "int", 2, { description: "Number of spaces for indentation" })],
    outputs: [out("output", "str")],
    process: (inputs) => {
      const indent = Math.max(0, Math.min(32, toInt(inputs.indent ?? 2, "indent")));
      try {
        return { output: pyJsonDumps(inputs.data ?? null, { indent }) };
      } catch (err) {
        throw new Error(`StringifyJSON: ${(err as Error).message}`);
      }
    },
  }),
  getPath("Str", "str", "", pyStr),
  getPath("Int", "int", 0, pyInt),
  getPath("Float", "float", 0, pyFloat),
  getPath("Bool", "bool", false, pyBool),
  getPath("List", "list", [], pyList),
  getPath("Dict", "dict", {}, pyDict),
  // An invalid schema is an error (Python's jsonschema raises SchemaError); invalid data is `false`.
  defineNode({
    type: "lib.json.ValidateJSON",
    title: "Validate JSON",
    description: "Validate JSON data against a JSON Schema (draft 2020-12 unless the schema says otherwise).\n    json, validate, schema",
    properties: [prop("data", "any", {}, { description: "JSON data to validate" }), prop("json_schema", "dict", {}, { description: "JSON schema for validation" })],
    outputs: [out("output", "bool")],
    process: (inputs) => {
      const schema = inputs.json_schema ?? {};
      if (!isRecord(schema) && typeof schema !== "boolean") throw new Error(`ValidateJSON: json_schema must be an object, got ${describe(schema)}`);
      const declared = isRecord(schema) && typeof schema.$schema === "string" ? schema.$schema : "";
      const draft = /draft-04/.test(declared) ? "4" : /draft-07/.test(declared) ? "7" : /2019-09/.test(declared) ? "2019-09" : "2020-12";
      let validator: Validator;
      try {
        validator = new Validator(schema as Schema, draft);
        return { output: validator.validate(inputs.data ?? null).valid };
      } catch (err) {
        throw new Error(`ValidateJSON: invalid schema: ${(err as Error).message}`);
      }
    },
  }),
  defineNode({
    type: "lib.json.FilterJSON",
    title: "Filter JSON",
    description: "Filter a list of objects to those whose value under key equals value.\n    json, filter, array",
    properties: [
      prop("array", "list[dict]", [], { description: "Array of JSON objects to filter" }),
      prop("key", "str", "", { description: "Key to filter on" }),
      prop("value", "any", {}, { description: "Value to match" }),
    ],
    outputs: [out("output", "list[dict]")],
    process: (inputs) => {
      const key = toText(inputs.key);
      const array = inputs.array ?? [];
      if (!Array.isArray(array)) throw new Error(`FilterJSON: array must be a list, got ${describe(array)}`);
      return {
        output: array.filter((item) => {
          if (!isRecord(item)) throw new Error(`FilterJSON: every item must be an object, got ${describe(item)}`);
          return deepEqual(Object.hasOwn(item, key) ? item[key] : null, inputs.value ?? null);
        }),
      };
    },
  }),
  // Python: each `$key` is replaced by str(value) in the values' order, then the text is parsed.
  defineNode({
    type: "lib.json.JSONTemplate",
    title: "JSON Template",
    description: "Fill $variable placeholders in a JSON template, then parse it into a dictionary.\n    json, template, substitute, variables",
    properties: [
      prop("template", "str", "", { description: "JSON template string with $variable placeholders" }),
      prop("values", "dict[str, any]", {}, { description: "Dictionary of values to substitute into the template" }),
    ],
    outputs: [out("output", "dict")],
    process: (inputs) => {
      const values = inputs.values ?? {};
      if (!isRecord(values)) throw new Error(`JSONTemplate: values must be a dictionary, got ${describe(values)}`);
      let result = toText(inputs.template);
      for (const [key, value] of Object.entries(values)) result = result.split(`$${key}`).join(pyStr(value));
      let parsed: unknown;
      try {
        parsed = JSON.parse(result);
      } catch (err) {
        throw new Error(`JSONTemplate: resulting JSON is invalid: ${(err as Error).message}\n${result}`);
      }
      if (!isRecord(parsed)) throw new Error(`JSONTemplate: resulting JSON must be a dictionary: ${result}`);
      return { output: parsed };
    },
  }),
];
