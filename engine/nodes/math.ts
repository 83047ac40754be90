import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeDecl } from "../registry/types";
import { enumValue, toNumber } from "../values/coerce";

/** NodeTool's `Operation` enum of lib.math.MathFunction (member name -> value). */
export const MATH_OPERATION = {
  NEGATE: "negate",
  ABSOLUTE: "absolute",
  SQUARE: "square",
  CUBE: "cube",
  SQUARE_ROOT: "square_root",
  CUBE_ROOT: "cube_root",
  SINE: "sine",
  COSINE: "cosine",
  TANGENT: "tangent",
  ARCSINE: "arcsin",
  ARCCOSINE: "arccos",
  ARCTANGENT: "arctan",
  LOG: "log",
} as const;

const NUM = "int|float";

/**
 * Like Python's math module, a result outside the real numbers (sqrt(-1), log(0), asin(2)) is an error
 * rather than NaN or Infinity, which would not survive JSON anyway.
 */
function real(value: number, what: string, input: string): number {
  if (Number.isNaN(value) || !Number.isFinite(value)) throw new Error(`${what}: math domain error for ${input}`);
  return value;
}

function unary(name: string, operation: (x: number) => number): (x: number) => number {
  return (x) => real(operation(x), name, `input ${x}`);
}

const UNARY: Record<string, (x: number) => number> = {
  negate: (x) => -x,
  absolute: Math.abs,
  square: (x) => x * x,
  cube: (x) => x * x * x,
  square_root: unary("square_root", Math.sqrt),
  cube_root: Math.cbrt,
  sine: Math.sin,
  cosine: Math.cos,
  tangent: Math.tan,
  arcsin: unary("arcsin", Math.asin),
  arccos: unary("arccos", Math.acos),
  arctan: Math.atan,
  log: unary("log", Math.log),
};

function binary(name: string, description: string, defaultB: number, op: (a: number, b: number) => number): NodeDecl {
  return defineNode({
    type: `lib.math.${name}`,
    description,
    properties: [prop("a", NUM, 0, { title: "A" }), prop("b", NUM, defaultB, { title: "B" })],
    outputs: [out("output", NUM)],
    process: (inputs: Inputs) => ({ output: op(toNumber(inputs.a, `${name}: a`), toNumber(inputs.b, `${name}: b`)) }),
  });
}

export const mathNodes: NodeDecl[] = [
  binary("Add", "Adds two numbers together.", 0, (a, b) => a + b),
  binary("Subtract", "Subtracts B from A.", 0, (a, b) => a - b),
  binary("Multiply", "Multiplies two numbers together.", 0, (a, b) => a * b),
  binary("Divide", "Divides A by B to calculate the quotient.", 1, (a, b) => {
    if (b === 0) throw new Error(`Divide: division by zero (${a} / 0)`);
    return a / b;
  }),
  // Python's modulo (the result takes the sign of B, so -7 mod 3 is 2), as in NodeTool's Python node and
  // what cyclic uses (wrapping indices) want; JavaScript's `%` would give -1.
  binary("Modulus", "Computes A modulo B to find the remainder after division.", 1, (a, b) => {
    if (b === 0) throw new Error(`Modulus: modulo by zero (${a} mod 0)`);
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r;
  }),
  defineNode({
    type: "lib.math.MathFunction",
    description: "Performs a selected unary math operation (negate, absolute, square, cube, square_root, cube_root, sine, cosine, tangent, arcsin, arccos, arctan, log).",
    properties: [
      prop("input", NUM, 0, { title: "Input" }),
      prop("operation", "enum", MATH_OPERATION.NEGATE, { values: Object.values(MATH_OPERATION), description: "Unary operation to perform" }),
    ],
    outputs: [out("output", NUM)],
    process: (inputs) => {
      const op = enumValue(inputs.operation ?? MATH_OPERATION.NEGATE, MATH_OPERATION);
      const fn = UNARY[op];
      if (!fn) throw new Error(`MathFunction: unknown operation '${op}' (expected one of ${Object.values(MATH_OPERATION).join(", ")})`);
      return { output: fn(toNumber(inputs.input, "MathFunction: input")) };
    },
  }),
  defineNode({
    type: "lib.math.Sine",
    description: "Computes sine of the given angle in radians.",
    properties: [prop("angle_rad", NUM, 0, { title: "Angle (rad)" })],
    outputs: [out("output", NUM)],
    process: (inputs) => ({ output: Math.sin(toNumber(inputs.angle_rad, "Sine: angle_rad")) }),
  }),
  defineNode({
    type: "lib.math.Cosine",
    description: "Computes cosine of the given angle in radians.",
    properties: [prop("angle_rad", NUM, 0, { title: "Angle (rad)" })],
    outputs: [out("output", NUM)],
    process: (inputs) => ({ output: Math.cos(toNumber(inputs.angle_rad, "Cosine: angle_rad")) }),
  }),
  defineNode({
    type: "lib.math.Power",
    description: "Raises base to the given exponent.",
    properties: [prop("base", NUM, 0, { title: "Base" }), prop("exponent", NUM, 1, { title: "Exponent" })],
    outputs: [out("output", NUM)],
    process: (inputs) => {
      const base = toNumber(inputs.base, "Power: base");
      const exponent = toNumber(inputs.exponent, "Power: exponent");
      return { output: real(base ** exponent, "Power", `${base} ** ${exponent}`) };
    },
  }),
  defineNode({
    type: "lib.math.Sqrt",
    description: "Computes square root of x.",
    properties: [prop("x", NUM, 0, { title: "X" })],
    outputs: [out("output", NUM)],
    process: (inputs) => {
      const x = toNumber(inputs.x, "Sqrt: x");
      return { output: real(Math.sqrt(x), "Sqrt", `x = ${x}`) };
    },
  }),
];
