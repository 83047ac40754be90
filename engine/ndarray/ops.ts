import { checkElements, make, NdArrayError, sizeOf, strides, type Dtype, type NdArray } from "./ndarray";

/** Element-wise arithmetic with NumPy broadcasting, NodeTool's zero padding, and reductions along an axis. */

/** NumPy's result shape for two broadcast operands, or an error like NumPy's. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new NdArrayError(`operands could not be broadcast together with shapes (${a.join(",")}) (${b.join(",")})`);
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** For each element of `shape`, the index into an operand of shape `from` broadcast to it. */
function broadcastIndex(from: readonly number[], shape: readonly number[]): number[] {
  const size = sizeOf(shape);
  const outStrides = strides(shape);
  const fromStrides = strides(from);
  const offset = shape.length - from.length;
  const idx = new Array<number>(size);
  for (let i = 0; i < size; i++) {
    let rem = i;
    let j = 0;
    for (let d = 0; d < shape.length; d++) {
      const coord = Math.floor(rem / outStrides[d]);
      rem -= coord * outStrides[d];
      const fd = d - offset;
      if (fd >= 0 && from[fd] !== 1) j += coord * fromStrides[fd];
    }
    idx[i] = j;
  }
  return idx;
}

/**
 * NodeTool's `pad_arrays` (nodetool-base lib/numpy/utils.py): when both operands have more than one element
 * and different lengths, the shorter is padded with zeros; `np.pad(x, (0, k))` pads every axis by k.
 */
export function padForBinary(a: NdArray, b: NdArray): [NdArray, NdArray] {
  if (a.data.length <= 1 || b.data.length <= 1 || a.shape.length === 0 || b.shape.length === 0) return [a, b];
  const la = a.shape[0];
  const lb = b.shape[0];
  if (la === lb) return [a, b];
  return la > lb ? [a, padEnd(b, la - lb)] : [padEnd(a, lb - la), b];
}

function padEnd(x: NdArray, k: number): NdArray {
  const shape = x.shape.map((d) => d + k);
  checkElements(sizeOf(shape), "pad");
  const data = new Array<number>(sizeOf(shape)).fill(0);
  const src = strides(x.shape);
  const dst = strides(shape);
  for (let i = 0; i < x.data.length; i++) {
    let rem = i;
    let j = 0;
    for (let d = 0; d < x.shape.length; d++) {
      const c = Math.floor(rem / src[d]);
      rem -= c * src[d];
      j += c * dst[d];
    }
    data[j] = x.data[i];
  }
  return make(shape, data, x.dtype);
}

/** NumPy's promotion for our families: booleans count as integers in arithmetic. */
export function promote(a: Dtype, b: Dtype): Dtype {
  if (a === "float" || b === "float") return "float";
  if (a === "float32" || b === "float32") return a === "int" || b === "int" ? "float" : "float32";
  return "int";
}

export function binary(a: NdArray, b: NdArray, fn: (x: number, y: number) => number, dtype: Dtype): NdArray {
  const shape = broadcastShape(a.shape, b.shape);
  checkElements(sizeOf(shape), "result");
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  return make(shape, ia.map((j, i) => fn(a.data[j], b.data[ib[i]])), dtype);
}

export function unary(a: NdArray, fn: (x: number) => number, dtype: Dtype): NdArray {
  return make([...a.shape], a.data.map(fn), dtype);
}

/** Python's (and NumPy's) modulo: the result takes the divisor's sign. */
export function pyMod(x: number, y: number, integer: boolean): number {
  if (y === 0) return integer ? 0 : NaN;
  const m = x % y;
  return m !== 0 && m < 0 !== y < 0 ? m + y : m;
}

/** An axis as NumPy resolves it (negative counts from the end). */
export function resolveAxis(axis: number, ndim: number, what: string): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(a) || a < 0 || a >= ndim) throw new NdArrayError(`${what}: axis ${axis} is out of bounds for array of dimension ${ndim}`);
  return a;
}

export type Reduction = "sum" | "mean" | "max" | "min" | "argmax" | "argmin";

function reduceLine(values: number[], kind: Reduction, what: string): number {
  switch (kind) {
    case "sum":
      return values.reduce((s, v) => s + v, 0);
    case "mean":
      return values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length;
    case "max":
    case "min": {
      if (values.length === 0) throw new NdArrayError(`${what}: zero-size array to reduction operation ${kind === "max" ? "maximum" : "minimum"} which has no identity`);
      let best = values[0];
      for (const v of values) {
        if (Number.isNaN(v)) return NaN;
        if (kind === "max" ? v > best : v < best) best = v;
      }
      return best;
    }
    default: {
      if (values.length === 0) throw new NdArrayError(`${what}: attempt to get ${kind} of an empty sequence`);
      let at = 0;
      for (let i = 0; i < values.length; i++) {
        if (Number.isNaN(values[i])) return i;
        if (kind === "argmax" ? values[i] > values[at] : values[i] < values[at]) at = i;
      }
      return at;
    }
  }
}

/** `np.<kind>(a, axis=axis)`: the axis disappears from the shape. */
export function reduceAxis(a: NdArray, axis: number, kind: Reduction, what: string): NdArray {
  if (a.shape.length === 0) throw new NdArrayError(`${what}: axis ${axis} is out of bounds for array of dimension 0`);
  const ax = resolveAxis(axis, a.shape.length, what);
  const outer = sizeOf(a.shape.slice(0, ax));
  const len = a.shape[ax];
  const inner = sizeOf(a.shape.slice(ax + 1));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const line = Array.from({ length: len }, (_, k) => a.data[(o * len + k) * inner + i]);
      out.push(reduceLine(line, kind, what));
    }
  }
  const shape = a.shape.filter((_, d) => d !== ax);
  const dtype: Dtype = kind === "argmax" || kind === "argmin" ? "int" : kind === "mean" ? (a.dtype === "float32" ? "float32" : "float") : kind === "sum" && a.dtype === "bool" ? "int" : a.dtype;
  return make(shape, out, dtype);
}
