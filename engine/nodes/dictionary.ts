/** `nodetool.dictionary.*`: building, reading and serialising dictionaries. Stream filters: dictionary-filters.ts. */
import { folderId, formatName, saveMedia } from "../media/refs";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { describe, enumValue, isRecord, toList, toNumber, toText } from "../values/coerce";
import { toYaml } from "../yaml/to-yaml";
import { dictionaryFileNodes } from "./dictionary-files";
import { dictionaryFilterNodes } from "./dictionary-filters";
import { DICT, dictOf, has } from "./dictionary-common";

/** NodeTool's `ConflictResolution` enum (ReduceDictionaries). */
export const CONFLICT_RESOLUTION = { FIRST: "first", LAST: "last", ERROR: "error" } as const;
export { FILTER_DICT_NUMBER_TYPE } from "./dictionary-common";

const coreNodes: NodeDecl[] = [
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

];

export const dictionaryNodes: NodeDecl[] = [...coreNodes, ...dictionaryFilterNodes, ...dictionaryFileNodes];
