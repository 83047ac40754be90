import type { Tensor } from "onnxruntime-node";
import { TENSOR_DTYPE_BYTES, TENSOR_DTYPES, type TensorDtype, type WireTensor } from "../../../schema/runner";
import { RunnerFailure } from "../errors";

/**
 * Wire tensors (raw little-endian bytes + dims) to onnxruntime tensors and back, and the row-wise
 * concatenation and split that dynamic batching needs. Runs in worker threads, so copies made here cost the
 * HTTP thread nothing.
 */

type TypedArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | BigInt64Array;
type TypedArrayConstructor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray; BYTES_PER_ELEMENT: number };

const ARRAY_OF: Record<TensorDtype, TypedArrayConstructor> = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
};

/** The typed array onnxruntime wants for a wire tensor; a view when the bytes are aligned, else one copy. */
export function typedDataOf(t: WireTensor): TypedArray {
  const Ctor = ARRAY_OF[t.dtype];
  const width = TENSOR_DTYPE_BYTES[t.dtype];
  const length = t.data.byteLength / width;
  if (t.data.byteOffset % width === 0) return new Ctor(t.data.buffer, t.data.byteOffset, length);
  // msgpack bin fields start wherever they fall in the body; wider element types need an aligned copy.
  const copy = new Uint8Array(t.data.byteLength);
  copy.set(t.data);
  return new Ctor(copy.buffer, 0, length);
}

export function toOrtTensor(TensorCtor: typeof Tensor, t: WireTensor): Tensor {
  return new TensorCtor(t.dtype, typedDataOf(t) as never, t.dims);
}

/** An onnxruntime output as a wire tensor; fails for element types the wire cannot carry (float16, string). */
export function fromOrtTensor(name: string, tensor: Tensor): WireTensor {
  const dtype = tensor.type as string;
  if (!(TENSOR_DTYPES as readonly string[]).includes(dtype)) {
    throw RunnerFailure.invalidInput(`output '${name}' has type ${dtype}, which the runner cannot return; ask for other outputs`);
  }
  const data = tensor.data as TypedArray;
  return { dtype: dtype as TensorDtype, dims: [...tensor.dims], data: new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength) };
}

/** Stacks tensors of equal dtype and trailing dims along the first axis. */
export function concatRows(parts: WireTensor[]): WireTensor {
  if (parts.length === 1) return parts[0];
  const total = parts.reduce((n, p) => n + p.data.byteLength, 0);
  const data = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    data.set(p.data, offset);
    offset += p.data.byteLength;
  }
  const rows = parts.reduce((n, p) => n + p.dims[0], 0);
  return { dtype: parts[0].dtype, dims: [rows, ...parts[0].dims.slice(1)], data };
}

/**
 * Cuts a batched output back into one tensor per request, `rows[i]` rows each, in request order. Returns
 * null when the output's first axis is not the batch (its size is not the sum of the rows).
 */
export function splitRows(whole: WireTensor, rows: number[]): WireTensor[] | null {
  const totalRows = rows.reduce((a, b) => a + b, 0);
  if (whole.dims.length === 0 || whole.dims[0] !== totalRows) return null;
  const rowBytes = totalRows === 0 ? 0 : whole.data.byteLength / totalRows;
  const out: WireTensor[] = [];
  let offset = 0;
  for (const n of rows) {
    // slice() copies into a buffer of its own, which can then be transferred on its own.
    out.push({ dtype: whole.dtype, dims: [n, ...whole.dims.slice(1)], data: whole.data.slice(offset, offset + n * rowBytes) });
    offset += n * rowBytes;
  }
  return out;
}

/** The buffers to transfer with a set of wire tensors (each once). */
export function buffersOf(tensors: Iterable<WireTensor>): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const t of tensors) if (t.data.buffer instanceof ArrayBuffer) set.add(t.data.buffer);
  return [...set];
}

/** Zero-filled input of the smallest shape a model signature allows (symbolic dims as 1), for warm-up runs. */
export function zeroTensor(dtype: TensorDtype, shape: (number | string)[]): WireTensor {
  const dims = shape.map((d) => (typeof d === "number" && d >= 0 ? d : 1));
  const bytes = dims.reduce((n, d) => n * d, 1) * TENSOR_DTYPE_BYTES[dtype];
  return { dtype, dims, data: new Uint8Array(bytes) };
}
