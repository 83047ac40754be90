/**
 * WAV samples as pydub sees them, for NodeTool's array nodes (nodetool.audio.ConvertToArray, NumpyToAudio):
 * reading follows pydub's AudioSegment (8-bit made signed by a -128 bias, 24-bit widened to 32-bit by a zero low
 * byte), writing follows `AudioSegment(array.tobytes(), sample_width=itemsize)` exported as WAV: the array's
 * bytes as they are, the item size as the sample width.
 */

/** A pydub AudioSegment's samples: interleaved integers of `width` bytes (24-bit sources widened to 4). */
export interface PcmSamples {
  samples: number[];
  width: number;
  channels: number;
  sampleRate: number;
}

/** The samples of a PCM WAV, or null when the bytes are not a PCM WAV pydub reads itself. */
export function pcmWavSamples(bytes: Uint8Array, maxSamples: number): PcmSamples | null {
  if (bytes.length < 12) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (at: number) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
  if (ascii(0) !== "RIFF" || ascii(8) !== "WAVE") return null;
  let width = 0;
  let channels = 0;
  let sampleRate = 0;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = ascii(at);
    const size = view.getUint32(at + 4, true);
    if (id === "fmt ") {
      const format = view.getUint16(at + 8, true);
      // WAVE_FORMAT_EXTENSIBLE carries the real format in its sub-format GUID's first two bytes.
      const real = format === 0xfffe && size >= 26 ? view.getUint16(at + 32, true) : format;
      if (real !== 1) return null;
      channels = view.getUint16(at + 10, true);
      sampleRate = view.getUint32(at + 12, true);
      width = view.getUint16(at + 22, true) / 8;
      if (![1, 2, 3, 4].includes(width)) return null;
    } else if (id === "data" && width > 0) {
      const end = Math.min(bytes.length, at + 8 + size);
      const count = Math.floor((end - at - 8) / width);
      if (count > maxSamples) throw new RangeError(`the audio has ${count} samples; at most ${maxSamples} fit in one array`);
      const out = new Array<number>(count);
      for (let i = 0, p = at + 8; i < count; i++, p += width) {
        if (width === 1) out[i] = bytes[p] - 128;
        else if (width === 2) out[i] = view.getInt16(p, true);
        else if (width === 3) out[i] = ((bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16)) << 8) | 0;
        else out[i] = view.getInt32(p, true);
      }
      return { samples: out, width: width === 3 ? 4 : width, channels: Math.max(1, channels), sampleRate };
    }
    at += 8 + size + (size % 2);
  }
  return null;
}

interface Dtype {
  kind: "i" | "u" | "f";
  size: number;
  littleEndian: boolean;
}

const NAMED: Record<string, string> = {
  int8: "i1", int16: "i2", int32: "i4", int64: "i8", uint8: "u1", uint16: "u2", uint32: "u4", uint64: "u8",
  float16: "f2", float32: "f4", float64: "f8", float: "f8", int: "i8",
};

/** A numpy dtype string ("<i2", "int16", "|u1", ">f4", ...). */
export function parseDtype(text: string): Dtype {
  const code = NAMED[text] ?? text;
  const m = /^([<>|=]?)([iuf])(\d)$/.exec(code);
  if (!m) throw new TypeError(`unsupported dtype '${text}': expected an integer or float dtype such as int16 or <i2`);
  return { kind: m[2] as Dtype["kind"], size: Number(m[3]), littleEndian: m[1] !== ">" };
}

/** Every number of a nested list, in C order (numpy's tobytes order). */
export function flatten(value: unknown, maxValues: number, what: string): number[] {
  const out: number[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    const n = typeof v === "number" ? v : typeof v === "boolean" ? Number(v) : NaN;
    if (!Number.isFinite(n)) throw new TypeError(`${what}: element ${out.length} is not a finite number`);
    if (out.length >= maxValues) throw new RangeError(`${what}: at most ${maxValues} values are accepted`);
    out.push(n);
  };
  walk(value);
  return out;
}

/** The bytes of `np.array(values, dtype)`: integers truncated toward zero and range-checked, floats as IEEE. */
export function arrayBytes(values: number[], dtype: Dtype): Uint8Array {
  const out = new Uint8Array(values.length * dtype.size);
  const view = new DataView(out.buffer);
  const le = dtype.littleEndian;
  values.forEach((raw, i) => {
    const at = i * dtype.size;
    if (dtype.kind === "f") {
      if (dtype.size === 4) view.setFloat32(at, raw, le);
      else if (dtype.size === 8) view.setFloat64(at, raw, le);
      else throw new TypeError("float16 arrays are not supported");
      return;
    }
    const v = Math.trunc(raw);
    const bits = dtype.size * 8;
    const min = dtype.kind === "u" ? 0 : -(2 ** (bits - 1));
    const max = dtype.kind === "u" ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
    if (v < min || v > max) throw new RangeError(`value ${raw} at index ${i} is out of bounds for ${dtype.kind === "u" ? "uint" : "int"}${bits}`);
    if (dtype.size === 1) view.setUint8(at, v & 0xff);
    else if (dtype.size === 2) view.setUint16(at, v & 0xffff, le);
    else if (dtype.size === 4) view.setUint32(at, v >>> 0, le);
    else view.setBigUint64(at, BigInt.asUintN(64, BigInt(v)), le);
  });
  return out;
}
