import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { deepEqual, describe, enumValue, toBool, toList, toNumber } from "../values/coerce";

/** NodeTool's `Comparison` enum (member name -> value). */
export const COMPARISON = {
  EQUAL: "==",
  NOT_EQUAL: "!=",
  GREATER_THAN: ">",
  LESS_THAN: "<",
  GREATER_THAN_OR_EQUAL: ">=",
  LESS_THAN_OR_EQUAL: "<=",
} as const;

/** NodeTool's `BooleanOperation` enum. */
export const BOOLEAN_OPERATION = { AND: "and", OR: "or", XOR: "xor", NAND: "nand", NOR: "nor" } as const;

const isNumeric = (v: unknown) => typeof v === "number" || typeof v === "boolean";

/**
 * Compares two values. Numbers (and booleans) compare numerically; two strings compare as strings, as in
 * Python; a number against a numeric string compares numerically. Equality on anything else is structural.
 */
export function compareValues(a: unknown, b: unknown, op: string, who = "Compare"): boolean {
  if (!(Object.values(COMPARISON) as string[]).includes(op)) {
    throw new Error(`${who}: unknown comparison '${op}' (expected one of ${Object.values(COMPARISON).join(", ")})`);
  }
  if (op === "==" || op === "!=") {
    let equal: boolean;
    if (isNumeric(a) || isNumeric(b)) {
      try {
        equal = toNumber(a) === toNumber(b);
      } catch {
        equal = false;
      }
    } else {
      equal = deepEqual(a, b);
    }
    return op === "==" ? equal : !equal;
  }
  let x: number | string;
  let y: number | string;
  if (typeof a === "string" && typeof b === "string") {
    x = a;
    y = b;
  } else if ((isNumeric(a) || typeof a === "string") && (isNumeric(b) || typeof b === "string")) {
    x = toNumber(a, `${who}: a`);
    y = toNumber(b, `${who}: b`);
  } else {
    throw new Error(`${who}: cannot order ${describe(a)} and ${describe(b)} with '${op}'`);
  }
  switch (op) {
    case ">":
      return x > y;
    case "<":
      return x < y;
    case ">=":
      return x >= y;
    default:
      return x <= y;
  }
}

export const booleanNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.boolean.ConditionalSwitch",
    description: "Returns if_true when the condition holds, otherwise if_false.",
    properties: [
      prop("condition", "bool", false, { description: "The condition to check" }),
      prop("if_true", "any", [], { description: "The value to return if the condition is true" }),
      prop("if_false", "any", [], { description: "The value to return if the condition is false" }),
    ],
    outputs: [out("output", "any")],
    process: (inputs) => ({ output: toBool(inputs.condition) ? inputs.if_true : inputs.if_false }),
  }),
  defineNode({
    type: "nodetool.boolean.LogicalOperator",
    description: "Performs a logical operation (and, or, xor, nand, nor) on two booleans.",
    properties: [
      prop("a", "bool", false, { description: "First boolean input" }),
      prop("b", "bool", false, { description: "Second boolean input" }),
      prop("operation", "enum", BOOLEAN_OPERATION.AND, { values: Object.values(BOOLEAN_OPERATION), description: "Logical operation to perform" }),
    ],
    outputs: [out("output", "bool")],
    process: (inputs) => {
      const a = toBool(inputs.a);
      const b = toBool(inputs.b);
      const op = enumValue(inputs.operation ?? BOOLEAN_OPERATION.AND, BOOLEAN_OPERATION);
      switch (op) {
        case "and":
          return { output: a && b };
        case "or":
          return { output: a || b };
        case "xor":
          return { output: a !== b };
        case "nand":
          return { output: !(a && b) };
        case "nor":
          return { output: !(a || b) };
        default:
          throw new Error(`LogicalOperator: unknown operation '${op}' (expected one of ${Object.values(BOOLEAN_OPERATION).join(", ")})`);
      }
    },
  }),
  defineNode({
    type: "nodetool.boolean.Not",
    description: "Negates a boolean.",
    properties: [prop("value", "bool", false, { description: "Boolean input to negate" })],
    outputs: [out("output", "bool")],
    process: (inputs) => ({ output: !toBool(inputs.value) }),
  }),
  defineNode({
    type: "nodetool.boolean.Compare",
    description: "Compares two values with ==, !=, >, <, >= or <=.",
    properties: [
      prop("a", "int|float", 0, { description: "First value to compare" }),
      prop("b", "int|float", 0, { description: "Second value to compare" }),
      prop("comparison", "enum", COMPARISON.EQUAL, { values: Object.values(COMPARISON), description: "Comparison operator to use" }),
    ],
    outputs: [out("output", "bool")],
    process: (inputs) => ({ output: compareValues(inputs.a, inputs.b, enumValue(inputs.comparison ?? COMPARISON.EQUAL, COMPARISON)) }),
  }),
  defineNode({
    type: "nodetool.boolean.IsNone",
    description: "True when the value is None (null).",
    // Current NodeTool defaults `value` to null, so an unset IsNone reports true.
    properties: [prop("value", "any", null, { description: "The value to check for None" })],
    outputs: [out("output", "bool")],
    process: (inputs) => ({ output: inputs.value === null || inputs.value === undefined }),
  }),
  defineNode({
    type: "nodetool.boolean.IsIn",
    description: "True when the value is one of the options (structural equality).",
    properties: [
      prop("value", "any", [], { description: "The value to check for membership" }),
      prop("options", "list[any]", [], { description: "The list of options to check against" }),
    ],
    outputs: [out("output", "bool")],
    process: (inputs) => ({ output: toList(inputs.options).some((o) => deepEqual(o, inputs.value)) }),
  }),
  defineNode({
    type: "nodetool.boolean.All",
    description: "True when every value in the list is true (true for an empty list).",
    properties: [prop("values", "list[bool]", [], { description: "List of boolean values to check" })],
    outputs: [out("output", "bool")],
    process: (inputs) => ({ output: toList(inputs.values).every(toBool) }),
  }),
  defineNode({
    type: "nodetool.boolean.Some",
    description: "True when at least one value in the list is true (false for an empty list).",
    properties: [prop("values", "list[bool]", [], { description: "List of boolean values to check" })],
    outputs: [out("output", "bool")],
    process: (inputs) => ({ output: toList(inputs.values).some(toBool) }),
  }),
];
