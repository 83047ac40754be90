import type { TensorDtype, WireTensor } from "../../../schema/runner";

/** A float32 wire tensor from values and dims. */
export function f32(values: ArrayLike<number>, dims: number[]): WireTensor {
  const data = Float32Array.from(values);
  return { dtype: "float32", dims, data: new Uint8Array(data.buffer) };
}

export function tensor(dtype: TensorDtype, data: ArrayBufferView, dims: number[]): WireTensor {
  return { dtype, dims, data: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer) };
}

/** The float32 values of a wire tensor (copied: msgpack bins are unaligned views). */
export function floatsOf(t: WireTensor): Float32Array {
  return new Float32Array(t.data.slice().buffer);
}

/** Max absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
