import { checkElements, make, NdArrayError, sizeOf, strides, type NdArray } from "./ndarray";
import { broadcastShape, promote, resolveAxis } from "./ops";

/** Shape operations of the `lib.numpy` manipulation and reshaping nodes, with NumPy's rules and errors. */

/** Copies elements by a function from output coordinates to an input flat index. */
function gather(shape: number[], source: NdArray, index: (coords: number[]) => number): NdArray {
  const size = sizeOf(shape);
  checkElements(size, "result");
  const st = strides(shape);
  const data = new Array<number>(size);
  const coords = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    let rem = i;
    for (let d = 0; d < shape.length; d++) {
      coords[d] = Math.floor(rem / st[d]);
      rem -= coords[d] * st[d];
    }
    data[i] = source.data[index(coords)];
  }
  return make(shape, data, source.dtype);
}

const flatIndex = (coords: number[], st: number[]) => coords.reduce((s, c, d) => s + c * st[d], 0);

/** `np.transpose(a)`: the axes reversed. */
export function transpose(a: NdArray): NdArray {
  const st = strides(a.shape);
  const shape = [...a.shape].reverse();
  return gather(shape, a, (c) => flatIndex([...c].reverse(), st));
}

/** Python's `range(*slice(start, stop, step).indices(length))`. */
export function sliceIndices(length: number, start: number, stop: number, step: number): number[] {
  if (step === 0) throw new NdArrayError("slice step cannot be zero");
  const norm = (i: number, lo: number, hi: number) => (i < 0 ? Math.max(lo, i + length) : Math.min(i, hi));
  const out: number[] = [];
  if (step > 0) {
    for (let i = norm(start, 0, length); i < norm(stop, 0, length); i += step) out.push(i);
  } else {
    for (let i = norm(start, -1, length - 1); i > norm(stop, -1, length - 1); i += step) out.push(i);
  }
  return out;
}

/** Picks positions along one axis (NumPy's `take`, and slicing along an axis). */
export function takeAlong(a: NdArray, axis: number, positions: readonly number[], what: string): NdArray {
  if (a.shape.length === 0) throw new NdArrayError(`${what}: cannot index a 0-dimensional array`);
  const ax = resolveAxis(axis, a.shape.length, what);
  const len = a.shape[ax];
  const resolved = positions.map((p) => {
    const q = p < 0 ? p + len : p;
    if (q < 0 || q >= len) throw new NdArrayError(`${what}: index ${p} is out of bounds for axis ${ax} with size ${len}`);
    return q;
  });
  const shape = [...a.shape];
  shape[ax] = resolved.length;
  const st = strides(a.shape);
  return gather(shape, a, (c) => {
    const src = [...c];
    src[ax] = resolved[c[ax]];
    return flatIndex(src, st);
  });
}

/** `np.array_split(a, n, axis)`: the first `len % n` parts get one extra element. */
export function arraySplit(a: NdArray, parts: number, axis: number, what: string): NdArray[] {
  if (!Number.isInteger(parts) || parts <= 0) throw new NdArrayError(`${what}: number of sections must be larger than 0`);
  if (a.shape.length === 0) throw new NdArrayError(`${what}: cannot split a 0-dimensional array`);
  const ax = resolveAxis(axis, a.shape.length, what);
  const len = a.shape[ax];
  if (parts > 10_000) throw new NdArrayError(`${what}: at most 10000 parts`);
  const base = Math.floor(len / parts);
  const extra = len % parts;
  const out: NdArray[] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const n = base + (p < extra ? 1 : 0);
    out.push(takeAlong(a, ax, Array.from({ length: n }, (_, i) => start + i), what));
    start += n;
  }
  return out;
}

/** `np.stack(arrays, axis)`: same-shaped arrays joined along a new axis. */
export function stack(arrays: NdArray[], axis: number, what: string): NdArray {
  if (arrays.length === 0) throw new NdArrayError(`${what}: need at least one array to stack`);
  const first = arrays[0].shape;
  for (const a of arrays) {
    if (a.shape.length !== first.length || a.shape.some((d, i) => d !== first[i])) throw new NdArrayError(`${what}: all input arrays must have the same shape`);
  }
  const ax = resolveAxis(axis, first.length + 1, what);
  const shape = [...first.slice(0, ax), arrays.length, ...first.slice(ax)];
  const dtype = arrays.map((a) => a.dtype).reduce((x, y) => (x === y ? x : promote(x, y)));
  const st = strides(first);
  const size = sizeOf(shape);
  checkElements(size, what);
  const outSt = strides(shape);
  const data = new Array<number>(size);
  for (let i = 0; i < size; i++) {
    let rem = i;
    const coords: number[] = [];
    for (let d = 0; d < shape.length; d++) {
      coords.push(Math.floor(rem / outSt[d]));
      rem -= coords[d] * outSt[d];
    }
    const which = coords[ax];
    coords.splice(ax, 1);
    data[i] = arrays[which].data[flatIndex(coords, st)];
  }
  return make(shape, data, dtype);
}

/** `a.reshape(dims)`, one dimension may be -1. */
export function reshape(a: NdArray, dims: number[], what: string): NdArray {
  const unknown = dims.filter((d) => d === -1).length;
  if (unknown > 1) throw new NdArrayError(`${what}: can only specify one unknown dimension`);
  if (dims.some((d) => !Number.isInteger(d) || d < -1)) throw new NdArrayError(`${what}: dimensions must be whole numbers >= 0 (or -1), got (${dims.join(", ")})`);
  const known = dims.filter((d) => d !== -1).reduce((x, y) => x * y, 1);
  const shape = dims.map((d) => (d === -1 ? (known === 0 ? -1 : a.data.length / known) : d));
  if (shape.some((d) => d < 0 || !Number.isInteger(d)) || sizeOf(shape) !== a.data.length) {
    throw new NdArrayError(`${what}: cannot reshape array of size ${a.data.length} into shape (${dims.join(", ")})`);
  }
  return make(shape, [...a.data], a.dtype);
}

/**
 * `np.matmul(a, b)`: 1-D operands are promoted to a row (a) or column (b) vector and the added axis is removed
 * from the result; operands with more than two dimensions are stacks of matrices, broadcast against each other.
 */
export function matmul(a: NdArray, b: NdArray, what: string): NdArray {
  if (a.shape.length === 0 || b.shape.length === 0) throw new NdArrayError(`${what}: matmul: input operand does not have enough dimensions`);
  const aShape = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const [m, k] = aShape.slice(-2);
  const [k2, n] = bShape.slice(-2);
  if (k !== k2) throw new NdArrayError(`${what}: matmul: mismatch in core dimension (size ${k} is different from ${k2})`);
  const batch = broadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
  const batches = sizeOf(batch);
  checkElements(batches * m * n, what);
  if (batches * m * n * k > 200_000_000) throw new NdArrayError(`${what}: the product needs more than 200000000 multiplications`);
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const batchSt = strides(batch);
  const offsetOf = (coords: number[], own: number[]) => {
    const st = strides(own);
    const shift = batch.length - own.length;
    return own.reduce((s, d, i) => s + (d === 1 ? 0 : coords[i + shift] * st[i]), 0);
  };
  const data = new Array<number>(batches * m * n);
  for (let t = 0; t < batches; t++) {
    let rem = t;
    const coords = batchSt.map((s) => {
      const c = Math.floor(rem / s);
      rem -= c * s;
      return c;
    });
    const ao = offsetOf(coords, aBatch) * m * k;
    const bo = offsetOf(coords, bBatch) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.data[ao + i * k + p] * b.data[bo + p * n + j];
        data[(t * m + i) * n + j] = s;
      }
    }
  }
  let shape = [...batch, m, n];
  if (a.shape.length === 1) shape = [...batch, n];
  if (b.shape.length === 1) shape = a.shape.length === 1 ? [...batch] : [...batch, m];
  const dtype = promote(a.dtype, b.dtype);
  return make(shape, data, dtype === "int" && a.dtype === "bool" && b.dtype === "bool" ? "bool" : dtype);
}
