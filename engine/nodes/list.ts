import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { nowParts } from "../datetime/calendar";
import { strftime } from "../datetime/strftime";
import { saveMedia } from "../media/refs";
import { pyStr } from "../text/strings";
import { deepEqual, describe, enumValue, isRecord, toInt, toList, toText } from "../values/coerce";

/**
 * `nodetool.list.*`: a list arriving on a handle is one value (docs/architecture.md#7-execution-model); these nodes work on
 * that value. Set-like nodes (Dedupe, Union, ...) keep first-seen order and compare structurally.
 */

/** NodeTool's `SortOrder` enum. */
export const SORT_ORDER = { ASCENDING: "ascending", DESCENDING: "descending" } as const;

/** Upper bound of the list builders (Range, Tile, RepeatEach, RepeatValue) unless a node sets its own. */
export const DEFAULT_MAX_LIST_LENGTH = 10_000;
/** ListRange and GenerateSequence have no limit property; this keeps a typo from exhausting memory. */
const RANGE_LIMIT = 10_000_000;

const LIST = "list[any]";
const valuesProp = (description?: string) => prop("values", LIST, [], description ? { description } : {});

function listOf(value: unknown, what: string): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (isRecord(value) || typeof value !== "object") return toList(value);
  throw new Error(`${what} must be a list, got ${describe(value)}`);
}

/** Python-style index: negative counts from the end; out of range is an error. */
function resolveIndex(length: number, index: number, who: string): number {
  const resolved = index < 0 ? length + index : index;
  if (resolved < 0 || resolved >= length) throw new Error(`${who}: index ${index} is out of range for a list of ${length}`);
  return resolved;
}

/** Python's `range(start, stop, step)`. */
function* range(start: number, stop: number, step: number, who: string): Generator<number> {
  if (step === 0) throw new Error(`${who}: step must not be 0`);
  const count = Math.max(0, Math.ceil((stop - start) / step));
  if (count > RANGE_LIMIT) throw new Error(`${who}: range would produce ${count} items (limit ${RANGE_LIMIT})`);
  for (let i = 0; i < count; i++) yield start + i * step;
}

/** Python's `values[start:stop:step]` where `stop` undefined means "to the end". */
function pySlice<T>(values: T[], start: number, stop: number | undefined, step: number): T[] {
  if (step === 0) throw new Error("Slice: step must not be 0");
  const len = values.length;
  const result: T[] = [];
  if (step > 0) {
    let i = start < 0 ? Math.max(0, len + start) : Math.min(start, len);
    const end = stop === undefined ? len : stop < 0 ? Math.max(0, len + stop) : Math.min(stop, len);
    for (; i < end; i += step) result.push(values[i]);
  } else {
    let i = start < 0 ? len + start : Math.min(start, len - 1);
    const end = stop === undefined ? -1 : stop < 0 ? Math.max(-1, len + stop) : Math.min(stop, len - 1);
    for (; i > end; i += step) if (i >= 0) result.push(values[i]);
  }
  return result;
}

/** Keeps the first occurrence of each value (structural equality), in order. */
function unique(values: unknown[]): unknown[] {
  const seen = new Set<unknown>();
  const objects: unknown[] = [];
  const result: unknown[] = [];
  for (const v of values) {
    if (v !== null && typeof v === "object") {
      if (objects.some((o) => deepEqual(o, v))) continue;
      objects.push(v);
    } else {
      if (seen.has(v)) continue;
      seen.add(v);
    }
    result.push(v);
  }
  return result;
}

const contains = (values: unknown[], v: unknown) => values.some((x) => deepEqual(x, v));

/** Python's ordering for sortable values: numbers (and booleans) numerically, strings, lists element-wise. */
function compare(a: unknown, b: unknown): number {
  const num = (v: unknown) => typeof v === "number" || typeof v === "boolean";
  if (num(a) && num(b)) return Number(a) - Number(b);
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  throw new Error(`Sort: cannot compare ${describe(a)} with ${describe(b)}`);
}

function numbers(value: unknown, who: string, emptyMessage: string): number[] {
  const values = listOf(value, `${who}: values`);
  if (values.length === 0) throw new Error(`${who}: ${emptyMessage}`);
  for (const v of values) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${who}: all values must be numbers, got ${describe(v)}`);
  }
  return values as number[];
}

function flatten(values: unknown[], maxDepth: number, depth = 0): unknown[] {
  const result: unknown[] = [];
  for (const item of values) {
    if (Array.isArray(item) && (maxDepth < 0 || depth < maxDepth)) result.push(...flatten(item, maxDepth, depth + 1));
    else result.push(item);
  }
  return result;
}

function checkLength(length: number, max: unknown, who: string): void {
  const limit = Math.max(1, toInt(max ?? DEFAULT_MAX_LIST_LENGTH, "max_output_length"));
  if (length > limit) throw new Error(`${who} would produce ${length} items, exceeding max_output_length (${limit})`);
}

const times = (value: unknown) => Math.max(0, toInt(value ?? 1, "times"));

const aggregate = (name: string, description: string, empty: string, fn: (values: number[]) => number): NodeDecl =>
  defineNode({
    type: `nodetool.list.${name}`,
    description,
    properties: [prop("values", "list[float]", [])],
    outputs: [out("output", "float")],
    process: (inputs) => ({ output: fn(numbers(inputs.values, name, empty)) }),
  });

const setNode = (name: string, description: string, fn: (a: unknown[], b: unknown[]) => unknown[]): NodeDecl =>
  defineNode({
    type: `nodetool.list.${name}`,
    description,
    properties: [prop("list1", LIST, []), prop("list2", LIST, [])],
    outputs: [out("output", LIST)],
    process: (inputs) => ({ output: fn(listOf(inputs.list1, `${name}: list1`), listOf(inputs.list2, `${name}: list2`)) }),
  });

export const listNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.list.Length",
    description: "Calculates the length of a list.",
    properties: [valuesProp()],
    outputs: [out("output", "int")],
    process: (inputs) => {
      const v = inputs.values;
      if (typeof v === "string") return { output: v.length };
      if (isRecord(v)) return { output: Object.keys(v).length };
      return { output: listOf(v, "Length: values").length };
    },
  }),
  defineNode({
    type: "nodetool.list.ListRange",
    description: "Generates a list of integers like Python's range(start, stop, step).",
    properties: [prop("start", "int", 0), prop("stop", "int", 0), prop("step", "int", 1)],
    outputs: [out("output", "list[int]")],
    process: (inputs) => ({ output: [...range(toInt(inputs.start, "start"), toInt(inputs.stop, "stop"), toInt(inputs.step ?? 1, "step"), "ListRange")] }),
  }),
  defineNode({
    type: "nodetool.list.GenerateSequence",
    description: "Streams the integers of range(start, stop, step) one by one.",
    properties: [prop("start", "int", 0), prop("stop", "int", 0), prop("step", "int", 1)],
    outputs: [out("output", "int")],
    *gen(inputs) {
      for (const i of range(toInt(inputs.start, "start"), toInt(inputs.stop, "stop"), toInt(inputs.step ?? 1, "step"), "GenerateSequence")) {
        yield { output: i };
      }
    },
  }),
  defineNode({
    type: "nodetool.list.Range",
    description: "Builds a list of integers like range(start, stop, step); with stop -1 it builds [0, 1, ..., count-1].",
    properties: [
      prop("start", "int", 0, { description: "First value (inclusive)." }),
      prop("stop", "int", -1, { description: "Exclusive end. When -1 (default), uses Count instead to produce [0, 1, ..., count-1]." }),
      prop("count", "int", 10, { description: "Used when Stop is -1. Produces [0, 1, ..., count-1]." }),
      prop("step", "int", 1, { description: "Increment between values." }),
      prop("max_output_length", "int", DEFAULT_MAX_LIST_LENGTH, { description: "Maximum number of integers to produce." }),
    ],
    outputs: [out("output", "list[int]")],
    process: (inputs) => {
      const stop = toInt(inputs.stop ?? -1, "stop");
      const values =
        stop >= 0
          ? [...range(toInt(inputs.start, "start"), stop, toInt(inputs.step ?? 1, "step"), "Range")]
          : [...range(0, Math.max(0, toInt(inputs.count ?? 0, "count")), 1, "Range")];
      checkLength(values.length, inputs.max_output_length, "Range");
      return { output: values };
    },
  }),
  defineNode({
    type: "nodetool.list.Tile",
    title: "Tile List",
    description: "Repeats a whole list end-to-end N times: [A, B] x 2 -> [A, B, A, B].",
    properties: [
      prop("input_list", LIST, [], { description: "List to repeat." }),
      prop("times", "int", 1, { min: 0, description: "How many times to repeat the full list." }),
      prop("max_output_length", "int", DEFAULT_MAX_LIST_LENGTH, { description: "Maximum number of items in the output list." }),
    ],
    outputs: [out("output", LIST)],
    process: (inputs) => {
      const list = listOf(inputs.input_list, "Tile: input_list");
      const n = times(inputs.times);
      checkLength(list.length * n, inputs.max_output_length, "Tile");
      const output: unknown[] = [];
      for (let t = 0; t < n; t++) output.push(...list);
      return { output };
    },
  }),
  defineNode({
    type: "nodetool.list.RepeatEach",
    description: "Repeats each item consecutively N times: [A, B] x 2 -> [A, A, B, B].",
    properties: [
      prop("input_list", LIST, [], { description: "List whose items are repeated individually." }),
      prop("times", "int", 1, { min: 0, description: "How many times to repeat each item." }),
      prop("max_output_length", "int", DEFAULT_MAX_LIST_LENGTH, { description: "Maximum number of items in the output list." }),
    ],
    outputs: [out("output", LIST)],
    process: (inputs) => {
      const list = listOf(inputs.input_list, "RepeatEach: input_list");
      const n = times(inputs.times);
      checkLength(list.length * n, inputs.max_output_length, "RepeatEach");
      return { output: list.flatMap((item) => Array.from({ length: n }, () => item)) };
    },
  }),
  defineNode({
    type: "nodetool.list.RepeatValue",
    description: "Duplicates a single value into a list N times.",
    properties: [
      prop("value", "any", null, { description: "Single value to repeat." }),
      prop("times", "int", 1, { min: 0, description: "How many copies to produce." }),
      prop("max_output_length", "int", DEFAULT_MAX_LIST_LENGTH, { description: "Maximum number of items in the output list." }),
    ],
    outputs: [out("output", LIST)],
    process: (inputs) => {
      const n = times(inputs.times);
      checkLength(n, inputs.max_output_length, "RepeatValue");
      return { output: Array.from({ length: n }, () => inputs.value ?? null) };
    },
  }),
  defineNode({
    type: "nodetool.list.Slice",
    description: "Extracts values[start:stop:step] as in Python; stop 0 means to the end of the list.",
    properties: [
      valuesProp("The input list to slice."),
      prop("start", "int", 0, { description: "Starting index (inclusive). Negative values count from end." }),
      prop("stop", "int", 0, { description: "Ending index (exclusive). 0 means slice to end of list." }),
      prop("step", "int", 1, { description: "Step between elements. Negative for reverse order." }),
    ],
    outputs: [out("output", LIST)],
    process: (inputs) => {
      const stop = toInt(inputs.stop, "stop");
      return { output: pySlice(listOf(inputs.values, "Slice: values"), toInt(inputs.start, "start"), stop === 0 ? undefined : stop, toInt(inputs.step ?? 1, "step")) };
    },
  }),
  defineNode({
    type: "nodetool.list.SelectElements",
    description: "Selects values by index positions (negative indices count from the end).",
    properties: [valuesProp(), prop("indices", "list[int]", [])],
    outputs: [out("output", LIST)],
    process: (inputs) => {
      const values = listOf(inputs.values, "SelectElements: values");
      const indices = listOf(inputs.indices, "SelectElements: indices").map((i) => toInt(i, "index"));
      return { output: indices.map((i) => values[resolveIndex(values.length, i, "SelectElements")]) };
    },
  }),
  defineNode({
    type: "nodetool.list.GetElement",
    description: "Retrieves the value at an index (negative indices count from the end).",
    properties: [valuesProp(), prop("index", "int", 0)],
    outputs: [out("output", "any")],
    process: (inputs) => {
      const values = listOf(inputs.values, "GetElement: values");
      return { output: values[resolveIndex(values.length, toInt(inputs.index, "index"), "GetElement")] };
    },
  }),
  defineNode({
    type: "nodetool.list.Append",
    description: "Adds a value to the end of a list.",
    properties: [valuesProp(), prop("value", "any", [], { description: "The value to append to the list." })],
    outputs: [out("output", LIST)],
    process: (inputs) => ({ output: [...listOf(inputs.values, "Append: values"), inputs.value ?? null] }),
  }),
  defineNode({
    type: "nodetool.list.Extend",
    description: "Concatenates other_values onto values.",
    properties: [valuesProp(), prop("other_values", LIST, [])],
    outputs: [out("output", LIST)],
    process: (inputs) => ({ output: [...listOf(inputs.values, "Extend: values"), ...listOf(inputs.other_values, "Extend: other_values")] }),
  }),
  defineNode({
    type: "nodetool.list.Dedupe",
    description: "Removes duplicate elements, keeping the first occurrence of each.",
    properties: [valuesProp()],
    outputs: [out("output", LIST)],
    process: (inputs) => ({ output: unique(listOf(inputs.values, "Dedupe: values")) }),
  }),
  defineNode({
    type: "nodetool.list.Reverse",
    description: "Inverts the order of elements in a list.",
    properties: [valuesProp()],
    outputs: [out("output", LIST)],
    process: (inputs) => ({ output: [...listOf(inputs.values, "Reverse: values")].reverse() }),
  }),
  defineNode({
    type: "nodetool.list.Randomize",
    description: "Randomly shuffles the elements of a list.",
    properties: [valuesProp()],
    outputs: [out("output", LIST)],
    process: (inputs) => {
      const shuffled = [...listOf(inputs.values, "Randomize: values")];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      return { output: shuffled };
    },
  }),
  defineNode({
    type: "nodetool.list.Sort",
    description: "Sorts a list in ascending or descending order (numbers numerically, strings by code point).",
    properties: [valuesProp(), prop("order", "enum", SORT_ORDER.ASCENDING, { values: Object.values(SORT_ORDER) })],
    outputs: [out("output", LIST)],
    process: (inputs) => {
      const order = enumValue(inputs.order ?? SORT_ORDER.ASCENDING, SORT_ORDER);
      if (order !== SORT_ORDER.ASCENDING && order !== SORT_ORDER.DESCENDING) throw new Error(`Sort: unknown order '${order}' (expected ascending or descending)`);
      const sorted = [...listOf(inputs.values, "Sort: values")].sort(compare);
      return { output: order === SORT_ORDER.DESCENDING ? sorted.reverse() : sorted };
    },
  }),
  setNode("Intersection", "Finds the unique elements present in both lists.", (a, b) => unique(a).filter((x) => contains(b, x))),
  setNode("Union", "Combines the unique elements of both lists.", (a, b) => unique([...a, ...b])),
  setNode("Difference", "Finds the elements of list1 that are not in list2.", (a, b) => a.filter((x) => !contains(b, x))),
  defineNode({
    type: "nodetool.list.Chunk",
    description: "Splits a list into chunks of chunk_size; the last chunk may be shorter.",
    properties: [valuesProp(), prop("chunk_size", "int", 1, { min: 1 })],
    outputs: [out("output", "list[list[any]]")],
    process: (inputs) => {
      const values = listOf(inputs.values, "Chunk: values");
      const size = toInt(inputs.chunk_size ?? 1, "chunk_size");
      if (size <= 0) throw new Error(`Chunk: chunk_size must be greater than 0, got ${size}`);
      const chunks: unknown[][] = [];
      for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
      return { output: chunks };
    },
  }),
  aggregate("Sum", "Calculates the sum of a list of numbers.", "cannot sum an empty list", (v) => v.reduce((a, b) => a + b, 0)),
  aggregate("Average", "Calculates the arithmetic mean of a list of numbers.", "cannot average an empty list", (v) => v.reduce((a, b) => a + b, 0) / v.length),
  aggregate("Minimum", "Finds the smallest value in a list of numbers.", "cannot find the minimum of an empty list", (v) => v.reduce((a, b) => (Math.min(b , a)))),
  aggregate("Maximum", "Finds the largest value in a list of numbers.", "cannot find the maximum of an empty list", (v) => v.reduce((a, b) => (Math.max(b , a)))),
  aggregate("Product", "Calculates the product of all numbers in a list.", "cannot calculate the product of an empty list", (v) => v.reduce((a, b) => a * b, 1)),
  defineNode({
    type: "nodetool.list.Flatten",
    description: "Flattens nested lists; max_depth -1 flattens completely.",
    properties: [valuesProp(), prop("max_depth", "int", -1, { min: -1 })],
    outputs: [out("output", LIST)],
    process: (inputs) => {
      if (!Array.isArray(inputs.values)) throw new Error(`Flatten: values must be a list, got ${describe(inputs.values)}`);
      return { output: flatten(inputs.values, toInt(inputs.max_depth ?? -1, "max_depth")) };
    },
  }),
  // Each item as Python's str(), one per line, saved as a text asset named by a strftime template.
  defineNode({
    type: "nodetool.list.SaveList",
    description: "Saves a list to a text file among the assets, placing each element on a new line.",
    properties: [valuesProp("The list to save."), prop("name", "str", "text.txt", { description: "Name of the output file; strftime codes (%Y %m %d ...) are replaced by the current date and time (UTC)" })],
    outputs: [out("output", "text")],
    process: async (inputs, ctx) => {
      const text = listOf(inputs.values, "SaveList: values").map(pyStr).join("\n");
      const name = strftime(nowParts(ctx.services.now()), toText(inputs.name) || "text.txt");
      return { output: await saveMedia(ctx, new TextEncoder().encode(text), { type: "text", contentType: "text/plain", kind: "asset", name }, "SaveList") };
    },
  }),
];
