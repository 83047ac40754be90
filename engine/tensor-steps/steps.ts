/**
 * The fixed set of tensor operations a custom node may put before and after its model (schema/custom-nodes.ts
 * TensorStep): plain arithmetic on row-major element arrays, no code from users. Each step checks its
 * arguments against the tensor it meets and throws a TensorError naming the problem.
 */
import type { TensorStep } from "../../schema/custom-nodes";
import type { TensorDtype } from "../../schema/runner";
import { TensorError, type TensorValue } from "../inference/tensors";

/** The largest tensor a step works on (the runner's own limits apply to what reaches the model). */
export const MAX_STEP_ELEMENTS = 16_000_000;

interface Work {
  dtype: TensorDtype;
  shape: number[];
  data: Float64Array;
}

const INTEGER: ReadonlySet<TensorDtype> = new Set(["int8", "uint8", "int16", "uint16", "int32", "int64"]);
const RANGES: Partial<Record<TensorDtype, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
};

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function toWork(t: TensorValue, what: string): Work {
  const n = size(t.shape);
  if (n > MAX_STEP_ELEMENTS) throw new TensorError(`${what}: ${n} elements, more than the ${MAX_STEP_ELEMENTS} steps work on`);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = t.value[i];
    data[i] = typeof v === "boolean" ? (v ? 1 : 0) : Number(v);
  }
  return { dtype: t.dtype, shape: [...t.shape], data };
}

function fromWork(w: Work): TensorValue {
  const value = w.dtype === "bool" ? Array.from(w.data, (x) => x !== 0) : Array.from(w.data);
  return { type: "tensor", dtype: w.dtype, shape: w.shape, value };
}

function axisOf(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new TensorError(`${what}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  return a;
}

/** Sizes around an axis: elements before it (outer), along it, and after it (inner). */
function around(shape: readonly number[], axis: number): [number, number, number] {
  return [size(shape.slice(0, axis)), shape[axis], size(shape.slice(axis + 1))];
}

/** Float results of arithmetic: integer tensors become float32, float tensors keep their type. */
const floatType = (d: TensorDtype): TensorDtype => (d === "float64" ? "float64" : "float32");

function perChannel(value: number | number[], w: Work, axis: number, name: string, what: string): (i: number) => number {
  if (typeof value === "number") return () => value;
  const a = axisOf(axis, w.shape.length, what);
  const [, len, inner] = around(w.shape, a);
  if (value.length !== len) throw new TensorError(`${what}: ${name} has ${value.length} values but axis ${axis} has ${len} entries`);
  return (i) => value[Math.floor(i / inner) % len];
}

function transpose(w: Work, perm: number[], what: string): Work {
  const rank = w.shape.length;
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new TensorError(`${what}: perm ${JSON.stringify(perm)} is not a permutation of the ${rank} axes`);
  }
  const shape = perm.map((p) => w.shape[p]);
  const srcStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) (srcStrides[i] = s), (s *= w.shape[i]);
  const out = new Float64Array(w.data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d] * srcStrides[perm[d]];
    out[o] = w.data[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { ...w, shape, data: out };
}

function reshape(w: Work, dims: number[], what: string): Work {
  const free = dims.filter((d) => d === -1).length;
  if (free > 1) throw new TensorError(`${what}: only one dimension may be -1`);
  const known = size(dims.filter((d) => d !== -1));
  const total = w.data.length;
  const shape = dims.map((d) => (d === -1 ? (known === 0 ? 0 : total / known) : d));
  if (size(shape) !== total || shape.some((d) => !Number.isInteger(d))) {
    throw new TensorError(`${what}: cannot reshape ${total} elements (shape ${JSON.stringify(w.shape)}) to ${JSON.stringify(dims)}`);
  }
  return { ...w, shape };
}

function softmax(w: Work, axis: number, what: string): Work {
  const a = axisOf(axis, w.shape.length, what);
  const [outer, len, inner] = around(w.shape, a);
  const out = new Float64Array(w.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (k: number) => o * len * inner + k * inner + i;
      let max = -Infinity;
      for (let k = 0; k < len; k++) max = Math.max(max, w.data[at(k)]);
      let sum = 0;
      for (let k = 0; k < len; k++) sum += out[at(k)] = Math.exp(w.data[at(k)] - max);
      for (let k = 0; k < len; k++) out[at(k)] /= sum;
    }
  }
  return { dtype: floatType(w.dtype), shape: w.shape, data: out };
}

function argmax(w: Work, axis: number, what: string): Work {
  const a = axisOf(axis, w.shape.length, what);
  const [outer, len, inner] = around(w.shape, a);
  if (len === 0) throw new TensorError(`${what}: argmax over an empty axis`);
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      // The first index wins ties, as numpy's argmax.
      for (let k = 1; k < len; k++) if (w.data[o * len * inner + k * inner + i] > w.data[o * len * inner + best * inner + i]) best = k;
      out[o * inner + i] = best;
    }
  }
  return { dtype: "int64", shape: w.shape.filter((_, d) => d !== a), data: out };
}

function cast(w: Work, dtype: TensorDtype, what: string): Work {
  const data = new Float64Array(w.data.length);
  const range = RANGES[dtype];
  for (let i = 0; i < data.length; i++) {
    let v = w.data[i];
    if (dtype === "bool") v = v !== 0 ? 1 : 0;
    else if (INTEGER.has(dtype)) {
      if (!Number.isFinite(v)) throw new TensorError(`${what}: cannot cast ${v} to ${dtype}`);
      v = Math.trunc(v);
      if (range && (v < range[0] || v > range[1])) throw new TensorError(`${what}: ${v} is out of range for ${dtype}`);
    } else if (dtype === "float32") v = Math.fround(v);
    data[i] = v;
  }
  return { dtype, shape: w.shape, data };
}

function map(w: Work, fn: (x: number, i: number) => number): Work {
  const data = new Float64Array(w.data.length);
  for (let i = 0; i < data.length; i++) data[i] = fn(w.data[i], i);
  return { dtype: floatType(w.dtype), shape: w.shape, data };
}

function applyStep(w: Work, step: TensorStep, what: string): Work {
  switch (step.op) {
    case "scale":
      return map(w, (x) => x * step.factor + step.offset);
    case "normalize": {
      const mean = perChannel(step.mean, w, step.axis, "mean", what);
      const std = perChannel(step.std, w, step.axis, "std", what);
      return map(w, (x, i) => {
        const s = std(i);
        if (s === 0) throw new TensorError(`${what}: std is 0`);
        return (x - mean(i)) / s;
      });
    }
    case "clip":
      return map(w, (x) => Math.min(step.max ?? Infinity, Math.max(step.min ?? -Infinity, x)));
    case "sigmoid":
      return map(w, (x) => 1 / (1 + Math.exp(-x)));
    case "transpose":
      return transpose(w, step.perm, what);
    case "reshape":
      return reshape(w, step.shape, what);
    case "unsqueeze": {
      const a = axisOf(step.axis, w.shape.length + 1, what);
      return { ...w, shape: [...w.shape.slice(0, a), 1, ...w.shape.slice(a)] };
    }
    case "squeeze": {
      const a = axisOf(step.axis, w.shape.length, what);
      if (w.shape[a] !== 1) throw new TensorError(`${what}: cannot squeeze axis ${step.axis} of size ${w.shape[a]}`);
      return { ...w, shape: w.shape.filter((_, d) => d !== a) };
    }
    case "softmax":
      return softmax(w, step.axis, what);
    case "argmax":
      return argmax(w, step.axis, what);
    case "cast":
      return cast(w, step.dtype, what);
  }
}

/** Applies `steps` in order; `what` names the port in errors (`step 2 (softmax) of output 'y'`). */
export function applySteps(tensor: TensorValue, steps: readonly TensorStep[], what: string): TensorValue {
  if (steps.length === 0) return tensor;
  let w = toWork(tensor, what);
  steps.forEach((step, i) => {
    w = applyStep(w, step, `step ${i + 1} (${step.op}) of ${what}`);
  });
  return fromWork(w);
}

/** Casts to the model's element type when the value has another (a plain list arrives as float32). */
export function castTo(tensor: TensorValue, dtype: TensorDtype, what: string): TensorValue {
  return tensor.dtype === dtype ? tensor : fromWork(cast(toWork(tensor, what), dtype, what));
}
