import { numpyDtype, type NdArray } from "./ndarray";

/**
 * NumPy's `.npy` file format, version 1.0 (what `np.save` writes for these dtypes): the magic string, a
 * Python-literal header padded with spaces to a multiple of 64 bytes, then the elements little-endian in C
 * order. https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
export function encodeNpy(a: NdArray): Uint8Array {
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(", ")})`;
  let header = `{'descr': '${numpyDtype(a.dtype)}', 'fortran_order': False, 'shape': ${shape}, }`;
  const preamble = 10;
  const total = Math.ceil((preamble + header.length + 1) / 64) * 64;
  header = header.padEnd(total - preamble - 1, " ") + "\n";
  const width = a.dtype === "bool" ? 1 : a.dtype === "float32" ? 4 : 8;
  const out = new Uint8Array(total + a.data.length * width);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  a.data.forEach((v, i) => {
    const o = total + i * width;
    if (a.dtype === "bool") out[o] = v !== 0 ? 1 : 0;
    else if (a.dtype === "float32") view.setFloat32(o, v, true);
    else if (a.dtype === "float") view.setFloat64(o, v, true);
    else view.setBigInt64(o, BigInt(Math.trunc(v)), true);
  });
  return out;
}
