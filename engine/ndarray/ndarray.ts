import { describe, isRecord } from "../values/coerce";

/**
 * A small n-dimensional array for the `lib.numpy` nodes: row-major numbers with a shape and a dtype family.
 * Booleans are stored as 0/1 with dtype "bool"; "float32" values are rounded to single precision (NumPy's
 * `astype(np.float32)`, which SqrtArray, ExpArray and LogArray apply).
 *
 * Workflow values are NodeTool's `NPArray` (nodetool-core metadata/types.py):
 * `{type: "np_array", value, dtype, shape}`. Python NodeTool keeps `value` as raw bytes; JSON workflows and
 * NodeTool's TypeScript nodes carry numbers instead. Accepted here: `value` as nested lists, as a flat list
 * with `shape`, as little- or big-endian bytes described by `dtype`/`shape`, or a scalar; also bare numbers
 * and nested lists, and `{data, shape}`. Produced: `value` as nested lists (NumPy's `tolist()`), `dtype` as
 * NumPy spells it (`<i8`, `<f8`, `<f4`, `|b1`) and `shape`.
 */
export type Dtype = "int" | "float" | "float32" | "bool";

export interface NdArray {
  shape: number[];
  data: number[];
  dtype: Dtype;
}

/** Every array a node builds or reads is bounded, so a typo in a shape cannot exhaust memory. */
export const MAX_ELEMENTS = 2_000_000;
export const MAX_RANK = 32;

export class NdArrayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NdArrayError";
  }
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function checkElements(count: number, what: string): void {
  if (count > MAX_ELEMENTS) throw new NdArrayError(`${what}: ${count} elements exceed the limit of ${MAX_ELEMENTS}`);
}

export function make(shape: number[], data: number[], dtype: Dtype): NdArray {
  return { shape, data: dtype === "float32" ? data.map(Math.fround) : data, dtype };
}

/** Row-major strides (in elements). */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** NumPy's dtype string for our family. */
export const numpyDtype = (d: Dtype): string => (d === "int" ? "<i8" : d === "float" ? "<f8" : d === "float32" ? "<f4" : "|b1");

/** Our family for a NumPy dtype string (`<f4`, `int64`, `bool` ...). */
export function parseDtype(raw: unknown, what: string): Dtype {
  if (raw === undefined || raw === null || raw === "") return "float";
  const s = String(raw).trim().toLowerCase();
  const code = /^[<>=|]?([fiub])(\d+)$/.exec(s);
  if (code) {
    if (code[1] === "b") return "bool";
    if (code[1] === "f") return code[2] === "4" || code[2] === "2" ? "float32" : "float";
    return "int";
  }
  if (s === "bool" || s === "boolean") return "bool";
  if (/^u?int(8|16|32|64)?$/.test(s)) return "int";
  if (s === "float32" || s === "float16") return "float32";
  if (s === "float64" || s === "float" || s === "double") return "float";
  throw new NdArrayError(`${what}: unsupported dtype '${String(raw)}'`);
}

/** Nested lists as flat data and shape; ragged nesting or non-numbers are errors (NumPy would make an object array). */
function fromNested(value: unknown, what: string): { data: number[]; shape: number[]; dtype: Dtype } {
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) {
    shape.push(level.length);
    if (shape.length > MAX_RANK) throw new NdArrayError(`${what}: more than ${MAX_RANK} dimensions`);
    if (level.length === 0) break;
  }
  checkElements(sizeOf(shape), what);
  const data: number[] = [];
  let floats = false;
  let bools = 0;
  const walk = (v: unknown, depth: number) => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new NdArrayError(`${what}: the nested lists are ragged (not every row has the same length)`);
      if (typeof v === "boolean") {
        bools++;
        data.push(v ? 1 : 0);
      } else if (typeof v === "number") {
        if (!Number.isInteger(v)) floats = true;
        data.push(v);
      } else if (v === null) {
        floats = true;
        data.push(NaN);
      } else throw new NdArrayError(`${what}: array elements must be numbers or booleans, got ${describe(v)}`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) throw new NdArrayError(`${what}: the nested lists are ragged (not every row has the same length)`);
    for (const item of v) walk(item, depth + 1);
  };
  walk(value, 0);
  const dtype: Dtype = floats ? "float" : data.length > 0 && bools === data.length ? "bool" : "int";
  return { data, shape, dtype };
}

function fromBytes(bytes: Uint8Array, rawDtype: unknown, shape: number[], what: string): NdArray {
  const s = String(rawDtype ?? "<i8").trim().toLowerCase();
  const code = /^([<>=|]?)([fiub])(\d+)$/.exec(s);
  if (!code) throw new NdArrayError(`${what}: unsupported dtype '${s}' for byte data`);
  const little = code[1] !== ">";
  const width = Number(code[3]);
  const count = Math.floor(bytes.byteLength / width);
  if (count * width !== bytes.byteLength) throw new NdArrayError(`${what}: ${bytes.byteLength} bytes are not a whole number of ${s} elements`);
  checkElements(count, what);
  if (sizeOf(shape) !== count) throw new NdArrayError(`${what}: shape ${JSON.stringify(shape)} needs ${sizeOf(shape)} elements, the bytes hold ${count}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = (i: number): number => {
    const o = i * width;
    switch (`${code[2]}${width}`) {
      case "f4": return view.getFloat32(o, little);
      case "f8": return view.getFloat64(o, little);
      case "i1": return view.getInt8(o);
      case "u1": case "b1": return view.getUint8(o);
      case "i2": return view.getInt16(o, little);
      case "u2": return view.getUint16(o, little);
      case "i4": return view.getInt32(o, little);
      case "u4": return view.getUint32(o, little);
      case "i8": return Number(view.getBigInt64(o, little));
      case "u8": return Number(view.getBigUint64(o, little));
      default: throw new NdArrayError(`${what}: unsupported dtype '${s}' for byte data`);
    }
  };
  return make(shape, Array.from({ length: count }, (_, i) => read(i)), parseDtype(s, what));
}

function parseShape(raw: unknown, what: string): number[] | null {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw) || raw.length > MAX_RANK || !raw.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new NdArrayError(`${what}: shape must be a list of non-negative whole numbers, got ${JSON.stringify(raw)}`);
  }
  return raw as number[];
}

/** A workflow value as an array (NumPy's `to_numpy`): NPArray, number, boolean or nested lists. */
export function toNdArray(value: unknown, what: string): NdArray {
  if (typeof value === "number") return make([], [value], Number.isInteger(value) ? "int" : "float");
  if (typeof value === "boolean") return make([], [value ? 1 : 0], "bool");
  if (Array.isArray(value)) {
    const n = fromNested(value, what);
    return make(n.shape, n.data, n.dtype);
  }
  if (!isRecord(value)) throw new NdArrayError(`${what}: expected an array ({type: "np_array", value, dtype, shape}), a number or a list, got ${describe(value)}`);
  const inner = value.type === "np_array" || value.type === "tensor" || "value" in value ? value.value : value.data;
  if (inner === null || inner === undefined) throw new NdArrayError(`${what}: the array has no value (is the input connected?)`);
  const shape = parseShape(value.shape, what);
  if (inner instanceof Uint8Array) return fromBytes(inner, value.dtype, shape ?? [Math.floor(inner.byteLength / 8)], what);
  const declared = value.dtype === undefined || value.dtype === null ? null : parseDtype(value.dtype, what);
  const nested = Array.isArray(inner) ? fromNested(inner, what) : typeof inner === "number" || typeof inner === "boolean" ? { data: [Number(inner)], shape: [], dtype: (typeof inner === "boolean" ? "bool" : Number.isInteger(inner) ? "int" : "float") as Dtype } : null;
  if (!nested) throw new NdArrayError(`${what}: value must be a list of numbers, bytes or a number, got ${describe(inner)}`);
  let dims = nested.shape;
  if (shape && sizeOf(shape) === nested.data.length) dims = shape;
  else if (shape) throw new NdArrayError(`${what}: shape ${JSON.stringify(shape)} needs ${sizeOf(shape)} elements, the value has ${nested.data.length}`);
  const dtype = declared === null ? nested.dtype : declared === "int" && nested.dtype === "float" ? "float" : declared;
  return make(dims, nested.data, dtype);
}

/** One element as NumPy's `.item()` gives it (booleans as booleans). */
export const item = (a: NdArray, i: number): number | boolean => (a.dtype === "bool" ? a.data[i] !== 0 : a.data[i]);

/** NumPy's `tolist()`: nested lists, or a scalar for a 0-d array. */
export function toNested(a: NdArray): unknown {
  if (a.shape.length === 0) return item(a, 0);
  const build = (depth: number, offset: number, stride: number[]): unknown[] =>
    Array.from({ length: a.shape[depth] }, (_, i) => (depth === a.shape.length - 1 ? item(a, offset + i) : build(depth + 1, offset + i * stride[depth], stride)));
  return build(0, 0, strides(a.shape));
}

export interface NpArrayValue {
  type: "np_array";
  value: unknown;
  dtype: string;
  shape: number[];
  [key: string]: unknown;
}

/** NodeTool's `NPArray.from_numpy`. */
export const toValue = (a: NdArray, extra: Record<string, unknown> = {}): NpArrayValue => ({ type: "np_array", value: toNested(a), dtype: numpyDtype(a.dtype), shape: [...a.shape], ...extra });

/** NodeTool's `convert_output`: a single element becomes a plain number, anything else an NPArray. */
export const scalarOrArray = (a: NdArray): unknown => (a.data.length === 1 ? item(a, 0) : toValue(a));
