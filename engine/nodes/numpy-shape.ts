import { NdArrayError, scalarOrArray, toNdArray, toValue, type NdArray } from "../ndarray/ndarray";
import { reduceAxis, type Reduction } from "../ndarray/ops";
import { arraySplit, matmul, reshape, sliceIndices, stack, takeAlong, transpose } from "../ndarray/shape";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeDecl } from "../registry/types";
import { describe, toInt, toText } from "../values/coerce";
import { arrayProp, guarded } from "./numpy-common";

/**
 * `lib.numpy.{manipulation,reshaping,statistics}` (nodetool-base src/nodetool/nodes/lib/numpy/*.py).
 * Reductions return a plain number when one element remains; shape operations always return an array.
 */

const values = (inputs: Inputs, what: string): NdArray => toNdArray(inputs.values, `${what}: values`);
const int = (inputs: Inputs, name: string, fallback: number) => toInt(inputs[name] ?? fallback, name);

function reduction(name: string, kind: Reduction, description: string, output: string): NodeDecl {
  return defineNode({
    type: `lib.numpy.statistics.${name}`,
    description,
    properties: [arrayProp("values", "Input array"), prop("axis", "int", 0, { description: `Axis along which to compute ${kind}` })],
    outputs: [out("output", output)],
    process: (inputs) => guarded(name, () => ({ output: scalarOrArray(reduceAxis(values(inputs, name), int(inputs, "axis", 0), kind, name)) })),
  });
}

function reshapeNode(name: string, description: string, dims: string[]): NodeDecl {
  return defineNode({
    type: `lib.numpy.reshaping.${name}`,
    title: name.replace(/(\d)D$/, " $1D"),
    description,
    properties: [arrayProp("values", "The input array to reshape"), ...dims.map((d) => prop(d, "int", 0, { description: `The number of ${d.replace("num_", "").replace("_", " ")}` }))],
    outputs: [out("output", "np_array")],
    process: (inputs) =>
      guarded(name, () =>
        ({ output: toValue(reshape(values(inputs, name), dims.map((d) => int(inputs, d, 0)), name)) }),
      ),
  });
}

export const numpyShapeNodes: NodeDecl[] = [
  reduction("SumArray", "sum", "Calculate the sum of values along a specified axis of a array.\n    array, summation, reduction, statistics", "np_array|float|int"),
  reduction("MeanArray", "mean", "Compute the mean value along a specified axis of a array.\n    array, average, reduction, statistics", "np_array|float|int"),
  reduction("MaxArray", "max", "Compute the maximum value along a specified axis of a array.\n    array, maximum, reduction, statistics", "np_array|float|int"),
  reduction("MinArray", "min", "Calculate the minimum value along a specified axis of a array.\n    array, minimum, reduction, statistics", "np_array|float|int"),
  reduction("ArgMaxArray", "argmax", "Find indices of maximum values along a specified axis of a array.\n    array, argmax, index, maximum", "np_array|int"),
  reduction("ArgMinArray", "argmin", "Find indices of minimum values along a specified axis of a array.\n    array, argmin, index, minimum", "np_array|int"),

  reshapeNode("Reshape1D", "Reshape an array to a 1D shape without changing its data.\n    array, reshape, vector, flatten", ["num_elements"]),
  reshapeNode("Reshape2D", "Reshape an array to a new shape without changing its data.\n    array, reshape, dimensions, structure", ["num_rows", "num_cols"]),
  reshapeNode("Reshape3D", "Reshape an array to a 3D shape without changing its data.\n    array, reshape, dimensions, volume", ["num_rows", "num_cols", "num_depths"]),
  reshapeNode("Reshape4D", "Reshape an array to a 4D shape without changing its data.\n    array, reshape, dimensions, batch", ["num_rows", "num_cols", "num_depths", "num_channels"]),

  defineNode({
    type: "lib.numpy.manipulation.TransposeArray",
    description: "Transpose the dimensions of the input array.\n    array, transpose, reshape, dimensions",
    properties: [arrayProp("values", "Array to transpose")],
    outputs: [out("output", "np_array")],
    process: (inputs) => guarded("TransposeArray", () => ({ output: toValue(transpose(values(inputs, "TransposeArray"))) })),
  }),
  defineNode({
    type: "lib.numpy.manipulation.MatMul",
    title: "Mat Mul",
    description: "Perform matrix multiplication on two input arrays.\n    array, matrix, multiplication, linear algebra",
    properties: [arrayProp("a", "First input array"), arrayProp("b", "Second input array")],
    outputs: [out("output", "np_array")],
    process: (inputs) => guarded("MatMul", () => ({ output: toValue(matmul(toNdArray(inputs.a, "MatMul: a"), toNdArray(inputs.b, "MatMul: b"), "MatMul")) })),
  }),
  defineNode({
    type: "lib.numpy.manipulation.SliceArray",
    description: "Extract a slice of an array along a specified axis.\n    array, slice, subset, index",
    properties: [
      arrayProp("values", "The input array to slice"),
      prop("start", "int", 0, { description: "Starting index (inclusive)" }),
      prop("stop", "int", 0, { description: "Ending index (exclusive)" }),
      prop("step", "int", 1, { description: "Step size between elements" }),
      prop("axis", "int", 0, { description: "Axis along which to slice" }),
    ],
    outputs: [out("output", "np_array")],
    process: (inputs) =>
      guarded("SliceArray", () => {
        const a = values(inputs, "SliceArray");
        if (a.shape.length === 0) throw new NdArrayError("cannot slice a 0-dimensional array");
        const axis = int(inputs, "axis", 0);
        const len = a.shape[axis < 0 ? axis + a.shape.length : axis] ?? 0;
        const picks = sliceIndices(len, int(inputs, "start", 0), int(inputs, "stop", 0), int(inputs, "step", 1));
        return { output: toValue(takeAlong(a, axis, picks, "SliceArray")) };
      }),
  }),
  defineNode({
    type: "lib.numpy.manipulation.IndexArray",
    description: "Select specific indices from an array along a specified axis.\n    array, index, select, subset",
    properties: [
      arrayProp("values", "The input array to index"),
      prop("indices", "str", "", { description: "The comma separated indices to select" }),
      prop("axis", "int", 0, { description: "Axis along which to index" }),
    ],
    outputs: [out("output", "np_array")],
    process: (inputs) =>
      guarded("IndexArray", () => {
        const picks = toText(inputs.indices)
          .split(",")
          .filter((s) => s.trim() !== "")
          .map((s) => {
            if (!/^\s*[+-]?\d+\s*$/.test(s)) throw new NdArrayError(`invalid index '${s.trim()}' (indices are whole numbers separated by commas)`);
            return Number(s);
          });
        if (picks.length > 1_000_000) throw new NdArrayError("too many indices");
        return { output: toValue(takeAlong(values(inputs, "IndexArray"), int(inputs, "axis", 0), picks, "IndexArray")) };
      }),
  }),
  defineNode({
    type: "lib.numpy.manipulation.SplitArray",
    description: "Split an array into multiple sub-arrays along a specified axis.\n    array, split, divide, partition",
    properties: [
      arrayProp("values", "The input array to split"),
      prop("num_splits", "int", 0, { description: "Number of equal splits to create" }),
      prop("axis", "int", 0, { description: "Axis along which to split" }),
    ],
    outputs: [out("output", "list[np_array]")],
    process: (inputs) =>
      guarded("SplitArray", () => ({ output: arraySplit(values(inputs, "SplitArray"), int(inputs, "num_splits", 0), int(inputs, "axis", 0), "SplitArray").map((p) => toValue(p)) })),
  }),
  defineNode({
    type: "lib.numpy.manipulation.Stack",
    description: "Stack multiple arrays along a specified axis.\n    array, stack, concatenate, join, merge, axis",
    properties: [prop("arrays", "list[np_array]", [], { description: "Arrays to stack" }), prop("axis", "int", 0, { description: "The axis to stack along.", min: 0 })],
    outputs: [out("output", "np_array")],
    process: (inputs) =>
      guarded("Stack", () => {
        const list = inputs.arrays ?? [];
        if (!Array.isArray(list)) throw new NdArrayError(`arrays must be a list, got ${describe(list)}`);
        if (list.length > 10_000) throw new NdArrayError("at most 10000 arrays");
        const axis = int(inputs, "axis", 0);
        if (axis < 0) throw new NdArrayError(`axis must be >= 0, got ${axis}`);
        return { output: toValue(stack(list.map((v, i) => toNdArray(v, `Stack: arrays[${i}]`)), axis, "Stack")) };
      }),
  }),
];
