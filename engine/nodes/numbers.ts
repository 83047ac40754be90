/**
 * `nodetool.numbers.*`: filters over a stream of numbers. Settings connected by edges take effect as they
 * arrive; numbers that arrive before every connected setting has are held back until then, so the result
 * does not depend on which edge delivers first. Items that are not numbers are skipped, as in NodeTool
 * (nodetool-base src/nodetool/nodes/nodetool/numbers.py).
 */
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl, NodeInputs, NodeOutputs } from "../registry/types";
import { enumValue, toBool, toNumber } from "../values/coerce";
import { FILTER_DICT_NUMBER_TYPE as FILTER_NUMBER_TYPE } from "./dictionary-common";

type Test = (n: number, settings: Record<string, unknown>) => boolean;

async function filterNumbers(inputs: NodeInputs, outputs: NodeOutputs, settings: string[], test: Test): Promise<void> {
  const state: Record<string, unknown> = {};
  for (const s of settings) state[s] = inputs.value(s);
  const waiting = new Set(settings.filter((s) => inputs.connected(s)));
  const pending: number[] = [];
  const check = (n: number) => {
    if (test(n, state)) outputs.emit("output", n);
  };
  for await (const [handle, item] of inputs.any()) {
    if (handle === "value") {
      if (typeof item !== "number" && typeof item !== "boolean") continue;
      const n = Number(item);
      if (waiting.size > 0) pending.push(n);
      else check(n);
    } else if (settings.includes(handle)) {
      state[handle] = item;
      waiting.delete(handle);
      if (waiting.size === 0) for (const n of pending.splice(0)) check(n);
    }
  }
  for (const n of pending.splice(0)) check(n);
}

export const numbersNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.numbers.FilterNumber",
    description: "Filters a stream of numbers based on various numerical conditions.\n    filter, numbers, numeric, stream",
    properties: [
      prop("value", "float", 0, { description: "Input number stream" }),
      prop("filter_type", "enum", FILTER_NUMBER_TYPE.GREATER_THAN, { values: Object.values(FILTER_NUMBER_TYPE), description: "The type of filter to apply" }),
      prop("compare_value", "float", 0, { description: "The comparison value (for greater_than, less_than, equal_to)" }),
    ],
    outputs: [out("output", "float")],
    run: (inputs, outputs) =>
      filterNumbers(inputs, outputs, ["filter_type", "compare_value"], (n, s) => {
        const type = enumValue(s.filter_type ?? FILTER_NUMBER_TYPE.GREATER_THAN, FILTER_NUMBER_TYPE);
        const c = s.compare_value === null || s.compare_value === undefined ? null : toNumber(s.compare_value, "compare_value");
        switch (type) {
          case "greater_than":
            return c !== null && n > c;
          case "less_than":
            return c !== null && n < c;
          case "equal_to":
            return c !== null && n === c;
          case "even":
            return n % 2 === 0;
          case "odd":
            return Number.isFinite(n) && n % 2 !== 0;
          case "positive":
            return n > 0;
          case "negative":
            return n < 0;
          default:
            throw new Error(`FilterNumber: unknown filter_type '${type}' (expected one of ${Object.values(FILTER_NUMBER_TYPE).join(", ")})`);
        }
      }),
  }),
  defineNode({
    type: "nodetool.numbers.FilterNumberRange",
    description: "Filters a stream of numbers to find values within a specified range.\n    filter, numbers, range, between, stream",
    properties: [
      prop("value", "float", 0, { description: "Input number stream" }),
      prop("min_value", "float", 0, { description: "Minimum value" }),
      prop("max_value", "float", 0, { description: "Maximum value" }),
      prop("inclusive", "bool", true, { description: "Inclusive bounds" }),
    ],
    outputs: [out("output", "float")],
    run: (inputs, outputs) =>
      filterNumbers(inputs, outputs, ["min_value", "max_value", "inclusive"], (n, s) => {
        const lo = toNumber(s.min_value ?? 0, "min_value");
        const hi = toNumber(s.max_value ?? 0, "max_value");
        return toBool(s.inclusive ?? true) ? lo <= n && n <= hi : lo < n && n < hi;
      }),
  }),
];
