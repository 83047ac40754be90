/**
 * `nodetool.control.*` branching and fan-out: If, Switch, TryCatch, Reroute, and the nodes that turn a value
 * into a stream (ForEach, Collection, RepeatCount, RepeatValue).
 *
 * Stream semantics: a list arriving on a handle is one item. Only the fan-out nodes
 * here turn a value into a stream; a node ends its own outputs by returning.
 */
import { count, looseEqual, pacer } from "../control/stream-helpers";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { toBool, toInt, toList } from "../values/coerce";

// ---------------------------------------------------------------------------------------------------------
// Branching and pass-through

const ifNode = defineNode({
  type: "nodetool.control.If",
  description:
    "Routes a value to `if_true` or `if_false` depending on a condition. Only the taken branch receives a value; nodes behind the other branch do not run.",
  properties: [
    prop("condition", "bool", false, { description: "The condition to evaluate" }),
    prop("value", "any", [], { description: "The value to pass to the next node" }),
  ],
  outputs: [out("if_true", "any"), out("if_false", "any")],
  process: (inputs) => (toBool(inputs.condition) ? { if_true: inputs.value ?? null } : { if_false: inputs.value ?? null }),
});

const switchNode = defineNode({
  type: "nodetool.control.Switch",
  description:
    "Matches `value` against `cases` and routes `input` to `matched` (with the index of the first matching case) or to `default` (index -1).",
  properties: [
    prop("value", "any", "", { description: "The value to match against the cases" }),
    prop("cases", "list[any]", [], { description: "Values to match; the first match wins" }),
    prop("input", "any", null, { description: "The data to route" }),
  ],
  outputs: [out("matched", "any"), out("default", "any"), out("index", "int")],
  process: (inputs) => {
    const cases = toList(inputs.cases);
    const input = inputs.input ?? null;
    const i = cases.findIndex((c) => looseEqual(inputs.value, c));
    return i >= 0 ? { matched: input, index: i } : { default: input, index: -1 };
  },
});

const tryCatchNode = defineNode({
  type: "nodetool.control.TryCatch",
  title: "Fallback",
  description: "Passes `value` through, or `fallback` with an error flag when the value is null or missing.",
  properties: [
    prop("value", "any", null, { description: "The value to pass through" }),
    prop("fallback", "any", null, { description: "Used when the value is null or missing" }),
  ],
  outputs: [out("output", "any"), out("error", "str"), out("has_error", "bool")],
  process: (inputs) => {
    const value = inputs.value;
    if (value !== null && value !== undefined) return { output: value, error: "", has_error: false };
    return { output: inputs.fallback ?? null, error: "Value is null or undefined", has_error: true };
  },
});

const rerouteNode = defineNode({
  type: "nodetool.control.Reroute",
  description:
    "Passes its input through unchanged (a layout aid; graphs are reconnected around it before a run). One that feeds nothing is a workflow output named by its `name`.",
  properties: [prop("input_value", "any", [], { description: "Value to pass through unchanged" })],
  outputs: [out("output", "any")],
  process: (inputs) => ({ output: inputs.input_value ?? null }),
});

// ---------------------------------------------------------------------------------------------------------
// Fan-out: a value becomes a stream

const forEachNode = defineNode({
  type: "nodetool.control.ForEach",
  description: "Emits each element of a list as one stream item on `output`, with its position on `index`.",
  properties: [
    prop("input_list", "list[any]", [], { description: "The list of items to iterate over" }),
    prop("limit", "int", -1, { description: "Emit at most this many items; -1 emits the whole list" }),
  ],
  outputs: [out("output", "any"), out("index", "int")],
  async *gen(inputs, ctx) {
    const list = toList(inputs.input_list);
    const limit = toInt(inputs.limit ?? -1);
    const end = limit >= 0 ? Math.min(limit, list.length) : list.length;
    const pace = pacer(ctx);
    for (let index = 0; index < end; index++) {
      await pace();
      yield { output: list[index], index };
    }
  },
});

const collectionNode = defineNode({
  type: "nodetool.control.Collection",
  title: "Asset Collection",
  description: "A fixed collection of items (usually assets), emitted one at a time on `output` with `index`.",
  properties: [prop("items", "list[any]", [], { description: "The items, emitted in order" })],
  outputs: [out("output", "any"), out("index", "int")],
  async *gen(inputs, ctx) {
    const list = toList(inputs.items);
    const pace = pacer(ctx);
    for (let index = 0; index < list.length; index++) {
      await pace();
      yield { output: list[index], index };
    }
  },
});

const repeatCountNode = defineNode({
  type: "nodetool.control.RepeatCount",
  description: "Emits the ticks 0 .. count-1 as a stream (on `output` and `index`), without building a list.",
  properties: [prop("count", "int", 1, { min: 0, description: "Number of ticks to emit (0 emits nothing)" })],
  outputs: [out("output", "int"), out("index", "int")],
  async *gen(inputs, ctx) {
    const total = count(inputs.count, 0);
    const pace = pacer(ctx);
    for (let index = 0; index < total; index++) {
      await pace();
      yield { output: index, index };
    }
  },
});

const repeatValueNode = defineNode({
  type: "nodetool.control.RepeatValue",
  description: "Emits the same value `count` times as a stream, with `index`.",
  properties: [
    prop("value", "any", null, { description: "The value to emit on each tick" }),
    prop("count", "int", 1, { min: 0, description: "Number of times to emit the value (0 emits nothing)" }),
  ],
  outputs: [out("output", "any"), out("index", "int")],
  async *gen(inputs, ctx) {
    const value = inputs.value ?? null;
    const total = count(inputs.count, 0);
    const pace = pacer(ctx);
    for (let index = 0; index < total; index++) {
      await pace();
      yield { output: value, index };
    }
  },
});

export const controlFlowNodes: NodeDecl[] = [
  ifNode,
  forEachNode,
  rerouteNode,
  collectionNode,
  repeatCountNode,
  repeatValueNode,
  switchNode,
  tryCatchNode,
];
