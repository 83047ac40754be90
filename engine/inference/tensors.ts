import { TENSOR_DTYPE_BYTES, TENSOR_DTYPES, type TensorDtype, type WireTensor } from "../../schema/runner";

/**
 * Tensors between workflow values and the runner wire format (schema/runner.ts WireTensor: little-endian
 * element bytes, row-major, with dims).
 *
 * Accepted as input:
 * - NodeTool's NPArray `{type: "np_array", value, dtype, shape}` and our own `{type: "tensor", ...}`: `value`
 *   flat (with `shape`) or nested lists, a typed array, or a scalar; `dtype` as a name (`float32`) or a NumPy
 *   dtype string (`<f4`, `<i8`, `|b1`, what NodeTool's `NPArray.from_numpy` stores); float32 when absent.
 * - plain numbers and nested lists of numbers: float32, shape from the nesting;
 * - typed arrays: their own dtype, one dimension;
 * - a wire tensor itself `{dtype, dims, data: bytes}`.
 *
 * Produced as output: `{type: "tensor", dtype, shape, value}` with `value` flat and row-major. int64 elements
 * are numbers when every element of the tensor is a safe integer, otherwise every element is a decimal
 * string (one type per tensor, so consumers never have to check element by element); bool elements are
 * booleans.
 */
export interface TensorValue {
  type: "tensor";
  dtype: TensorDtype;
  shape: number[];
  value: number[] | string[] | boolean[];
}

/** A value that cannot be turned into a tensor; the message names the problem and where. */
export class TensorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TensorError";
  }
}

const MAX_RANK = 16;

const NUMPY_CODES: Record<string, TensorDtype> = {
  f4: "float32",
  f8: "float64",
  i1: "int8",
  u1: "uint8",
  i2: "int16",
  u2: "uint16",
  i4: "int32",
  i8: "int64",
  b1: "bool",
};

const ALIASES: Record<string, TensorDtype> = { boolean: "bool", double: "float64" };

/** A dtype name (`float32`) or NumPy dtype string (`<f4`, `|u1`, `=i8`) as a wire dtype. */
export function parseDtype(raw: unknown, what: string): TensorDtype {
  if (typeof raw !== "string") throw new TensorError(`${what}: dtype must be a string, got ${typeof raw}`);
  const name = raw.trim().toLowerCase();
  if ((TENSOR_DTYPES as readonly string[]).includes(name)) return name as TensorDtype;
  if (name in ALIASES) return ALIASES[name];
  const numpy = /^[<>=|]?([a-z]\d)$/.exec(name);
  if (numpy && numpy[1] in NUMPY_CODES) return NUMPY_CODES[numpy[1]];
  throw new TensorError(`${what}: unsupported dtype '${raw}' (use one of ${TENSOR_DTYPES.join(", ")})`);
}

function dtypeOfTypedArray(v: ArrayBufferView): TensorDtype | null {
  if (v instanceof Float32Array) return "float32";
  if (v instanceof Float64Array) return "float64";
  if (v instanceof Int8Array) return "int8";
  if (v instanceof Uint8Array) return "uint8";
  if (v instanceof Int16Array) return "int16";
  if (v instanceof Uint16Array) return "uint16";
  if (v instanceof Int32Array) return "int32";
  if (v instanceof BigInt64Array) return "int64";
  return null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

/** Flattens nested lists row-major and infers their shape; ragged nesting is an error. */
function flatten(value: unknown, what: string): { flat: unknown[]; shape: number[] } {
  if (!Array.isArray(value)) return { flat: [value], shape: [] };
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) {
    shape.push(level.length);
    if (shape.length > MAX_RANK) throw new TensorError(`${what}: more than ${MAX_RANK} dimensions`);
    if (level.length === 0) break;
  }
  const flat: unknown[] = [];
  const walk = (node: unknown, depth: number, path: string) => {
    if (depth === shape.length) {
      if (Array.isArray(node)) throw new TensorError(`${what}: ragged nested lists at ${path} (expected a value, got a list)`);
      flat.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new TensorError(`${what}: ragged nested lists at ${path} (expected a list of ${shape[depth]})`);
    }
    for (let i = 0; i < node.length; i++) walk(node[i], depth + 1, `${path}[${i}]`);
  };
  walk(value, 0, "value");
  return { flat, shape };
}

function parseShape(raw: unknown, what: string): number[] {
  if (!Array.isArray(raw)) throw new TensorError(`${what}: shape must be a list of non-negative integers`);
  if (raw.length > MAX_RANK) throw new TensorError(`${what}: more than ${MAX_RANK} dimensions`);
  return raw.map((d) => {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) throw new TensorError(`${what}: shape must be a list of non-negative integers, got ${JSON.stringify(raw)}`);
    return d;
  });
}

const INT_RANGES: Partial<Record<TensorDtype, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
};
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function elementProblem(v: unknown, dtype: TensorDtype): string {
  return `${typeof v === "string" ? JSON.stringify(v.slice(0, 40)) : String(v)} is not a valid ${dtype} value`;
}

/** Writes `flat` into little-endian element bytes, checking each value against the dtype. */
function encodeElements(flat: ArrayLike<unknown>, dtype: TensorDtype, what: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(flat.length * TENSOR_DTYPE_BYTES[dtype]);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    const bad = () => new TensorError(`${what}: element ${i}: ${elementProblem(v, dtype)}`);
    switch (dtype) {
      case "float32":
      case "float64": {
        let n: number;
        if (typeof v === "number") n = v;
        else if (v === "NaN" || v === "Infinity" || v === "-Infinity") n = Number(v); // JSON cannot carry these as numbers
        else throw bad();
        if (dtype === "float32") view.setFloat32(i * 4, n, true);
        else view.setFloat64(i * 8, n, true);
        break;
      }
      case "bool":
        if (v === true || v === 1) bytes[i] = 1;
        else if (v === false || v === 0) bytes[i] = 0;
        else throw bad();
        break;
      case "int64": {
        let b: bigint;
        if (typeof v === "bigint") b = v;
        else if (typeof v === "number" && Number.isSafeInteger(v)) b = BigInt(v);
        else if (typeof v === "string" && /^-?\d{1,19}$/.test(v.trim())) b = BigInt(v.trim());
        else throw bad();
        if (b < INT64_MIN || b > INT64_MAX) throw bad();
        view.setBigInt64(i * 8, b, true);
        break;
      }
      default: {
        const [min, max] = INT_RANGES[dtype]!;
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw bad();
        if (dtype === "int8") view.setInt8(i, v);
        else if (dtype === "uint8") view.setUint8(i, v);
        else if (dtype === "int16") view.setInt16(i * 2, v, true);
        else if (dtype === "uint16") view.setUint16(i * 2, v, true);
        else view.setInt32(i * 4, v, true);
      }
    }
  }
  return bytes;
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function fromTypedArray(v: ArrayBufferView, dtype: TensorDtype | null, shape: number[] | null, what: string): WireTensor {
  const own = dtypeOfTypedArray(v);
  if (!own) throw new TensorError(`${what}: unsupported typed array ${v.constructor.name}`);
  const length = v.byteLength / TENSOR_DTYPE_BYTES[own];
  const dims = shape ?? [length];
  if (elementCount(dims) !== length) throw new TensorError(`${what}: shape ${JSON.stringify(dims)} needs ${elementCount(dims)} elements, got ${length}`);
  if (dtype === null || dtype === own) {
    // Typed arrays are little-endian on every platform this runs on; copy so later edits cannot change what is sent.
    return { dtype: own, dims, data: new Uint8Array(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  }
  const elements = own === "int64" ? Array.from(v as BigInt64Array) : Array.from(v as unknown as ArrayLike<number>);
  return { dtype, dims, data: encodeElements(elements, dtype, what) };
}

function fromWireLike(v: Record<string, unknown>, what: string): WireTensor {
  const dtype = parseDtype(v.dtype, what);
  const dims = parseShape(v.dims, what);
  const data = v.data;
  if (!(data instanceof Uint8Array)) throw new TensorError(`${what}: data must be bytes`);
  const expected = elementCount(dims) * TENSOR_DTYPE_BYTES[dtype];
  if (data.byteLength !== expected) throw new TensorError(`${what}: ${data.byteLength} data bytes do not match ${dtype} ${JSON.stringify(dims)} (${expected} bytes)`);
  return { dtype, dims, data: new Uint8Array(data) };
}

/** A workflow value as a wire tensor; throws a TensorError naming `what` and the problem. */
export function toWireTensor(value: unknown, what = "tensor"): WireTensor {
  if (ArrayBuffer.isView(value)) return fromTypedArray(value, null, null, what);
  if (isRecord(value)) {
    if (value.data instanceof Uint8Array && "dims" in value) return fromWireLike(value, what);
    if (value.type !== "np_array" && value.type !== "tensor") {
      throw new TensorError(`${what}: expected a tensor ({type: "tensor" | "np_array", value, dtype, shape}), nested lists of numbers or a typed array, got an object with type ${JSON.stringify(value.type ?? null)}`);
    }
    const dtype = value.dtype === undefined || value.dtype === null || value.dtype === "" ? null : parseDtype(value.dtype, what);
    const shape = value.shape === undefined || value.shape === null ? null : parseShape(value.shape, what);
    const inner = value.value;
    if (inner === undefined || inner === null) throw new TensorError(`${what}: the tensor has no value`);
    if (ArrayBuffer.isView(inner)) return fromTypedArray(inner, dtype, shape, what);
    const { flat, shape: nested } = flatten(inner, what);
    const dims = shape ?? nested;
    if (elementCount(dims) !== flat.length) {
      throw new TensorError(`${what}: shape ${JSON.stringify(dims)} needs ${elementCount(dims)} elements, the value has ${flat.length}`);
    }
    const type = dtype ?? "float32";
    return { dtype: type, dims, data: encodeElements(flat, type, what) };
  }
  if (Array.isArray(value) || typeof value === "number") {
    const { flat, shape } = flatten(value, what);
    return { dtype: "float32", dims: shape, data: encodeElements(flat, "float32", what) };
  }
  throw new TensorError(`${what}: expected a tensor ({type: "tensor" | "np_array", value, dtype, shape}), nested lists of numbers or a typed array, got ${value === null ? "null" : typeof value}`);
}

/** A wire tensor as a workflow value: `{type: "tensor", dtype, shape, value}` with `value` flat. */
export function fromWireTensor(tensor: { dtype: TensorDtype; dims: readonly number[]; data: Uint8Array }): TensorValue {
  const { dtype, dims, data } = tensor;
  const count = elementCount(dims);
  const width = TENSOR_DTYPE_BYTES[dtype];
  if (data.byteLength !== count * width) throw new TensorError(`a ${dtype} tensor of shape ${JSON.stringify(dims)} arrived with ${data.byteLength} bytes`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const shape = [...dims];
  switch (dtype) {
    case "bool":
      return { type: "tensor", dtype, shape, value: Array.from(data, (b) => b !== 0) };
    case "int64": {
      const big = Array.from({ length: count }, (_, i) => view.getBigInt64(i * 8, true));
      const safe = big.every((b) => b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER));
      return { type: "tensor", dtype, shape, value: safe ? big.map(Number) : big.map(String) };
    }
    default: {
      const read: (i: number) => number = {
        float32: (i: number) => view.getFloat32(i * 4, true),
        float64: (i: number) => view.getFloat64(i * 8, true),
        int8: (i: number) => view.getInt8(i),
        uint8: (i: number) => view.getUint8(i),
        int16: (i: number) => view.getInt16(i * 2, true),
        uint16: (i: number) => view.getUint16(i * 2, true),
        int32: (i: number) => view.getInt32(i * 4, true),
      }[dtype];
      return { type: "tensor", dtype, shape, value: Array.from({ length: count }, (_, i) => read(i)) };
    }
  }
}
