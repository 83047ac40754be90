import { make, NdArrayError, strides, toNdArray, toNested, toValue } from "./ndarray";
import { sliceIndices } from "./shape";

/**
 * NumPy's basic indexing written as text, as in `a[0, :, 1:3]` without the brackets: comma-separated
 * integers (negative ones count from the end), `start:stop:step` slices (each part optional, negative
 * allowed, step never 0) and at most one `...`. Fewer indices than dimensions leave the trailing dimensions
 * whole, like NumPy. An integer drops its dimension; a slice keeps it. Anything else (fancy indexing,
 * `None`, floats) is refused with a message naming the part.
 */
export type SliceItem = { kind: "index"; index: number } | { kind: "slice"; start: number | null; stop: number | null; step: number | null } | { kind: "ellipsis" };

/** Bounds what a request may ask for: a slice text longer than this is a mistake, not an index. */
export const MAX_SLICE_TEXT = 1024;
const INT = /^[+-]?\d{1,15}$/;

function parseBound(part: string, raw: string, what: string): number | null {
  const t = raw.trim();
  if (t === "") return null;
  if (!INT.test(t)) throw new NdArrayError(`${what}: '${part}' is not a slice: '${t}' is not an integer`);
  return Number(t);
}

export function parseSlice(text: string, what = "slice"): SliceItem[] {
  if (text.length > MAX_SLICE_TEXT) throw new NdArrayError(`${what}: longer than ${MAX_SLICE_TEXT} characters`);
  const items: SliceItem[] = [];
  const parts = text.split(",");
  // NumPy accepts one trailing comma (`a[0,]`); an empty part anywhere else is a syntax error.
  if (parts.length > 1 && parts[parts.length - 1].trim() === "") parts.pop();
  for (const raw of parts) {
    const part = raw.trim();
    if (part === "") throw new NdArrayError(`${what}: empty index in '${text}' (write ':' for a whole dimension)`);
    if (part === "...") {
      if (items.some((i) => i.kind === "ellipsis")) throw new NdArrayError(`${what}: an index can only have a single ellipsis ('...')`);
      items.push({ kind: "ellipsis" });
      continue;
    }
    if (part.includes(":")) {
      const bounds = part.split(":");
      if (bounds.length > 3) throw new NdArrayError(`${what}: '${part}' has more than two ':'`);
      const step = bounds.length === 3 ? parseBound(part, bounds[2], what) : null;
      if (step === 0) throw new NdArrayError(`${what}: '${part}' has a step of 0`);
      items.push({ kind: "slice", start: parseBound(part, bounds[0], what), stop: parseBound(part, bounds[1], what), step });
      continue;
    }
    if (!INT.test(part)) throw new NdArrayError(`${what}: '${part}' is not an integer, a 'start:stop:step' slice or '...'`);
    items.push({ kind: "index", index: Number(part) });
  }
  return items;
}

/** Positions along each dimension, or a single position for an integer index (its dimension is dropped). */
function resolve(items: SliceItem[], shape: readonly number[], what: string): { positions: number[]; keep: boolean }[] {
  const explicit = items.filter((i) => i.kind !== "ellipsis").length;
  if (explicit > shape.length) {
    throw new NdArrayError(`${what}: too many indices for an array of ${shape.length} dimension(s): ${explicit} were given`);
  }
  const expanded: SliceItem[] = [];
  for (const item of items) {
    if (item.kind === "ellipsis") for (let k = 0; k < shape.length - explicit; k++) expanded.push({ kind: "slice", start: null, stop: null, step: null });
    else expanded.push(item);
  }
  while (expanded.length < shape.length) expanded.push({ kind: "slice", start: null, stop: null, step: null });
  return expanded.map((item, axis) => {
    const len = shape[axis];
    if (item.kind === "index") {
      const i = item.index < 0 ? item.index + len : item.index;
      if (i < 0 || i >= len) throw new NdArrayError(`${what}: index ${item.index} is out of bounds for axis ${axis} with size ${len}`);
      return { positions: [i], keep: false };
    }
    if (item.kind === "ellipsis") throw new NdArrayError(`${what}: unexpected ellipsis`);
    const step = item.step ?? 1;
    const start = item.start ?? (step > 0 ? 0 : len - 1);
    // An omitted stop runs to the end in the step's direction; -len-1 is below every negative position.
    const stop = item.stop ?? (step > 0 ? len : -len - 1);
    return { positions: sliceIndices(len, start, stop, step), keep: true };
  });
}

/** `a[items]` of a row-major flat array with `shape`: the picked elements (row-major) and their shape. */
export function sliceFlat<T>(flat: readonly T[], shape: readonly number[], items: SliceItem[], what = "slice"): { flat: T[]; shape: number[] } {
  const axes = resolve(items, shape, what);
  const st = strides(shape);
  const outShape = axes.filter((a) => a.keep).map((a) => a.positions.length);
  const out: T[] = [];
  const walk = (axis: number, offset: number): void => {
    if (axis === axes.length) {
      out.push(flat[offset]);
      return;
    }
    for (const p of axes[axis].positions) walk(axis + 1, offset + p * st[axis]);
  };
  walk(0, 0);
  return { flat: out, shape: outShape };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

/**
 * Slices a captured value in the form it came in: a `{type: "tensor"}` value keeps its dtype and flat
 * `value`; an NPArray stays an NPArray; a nested list of numbers stays a nested list. Anything else is not
 * an array, and slicing it is an NdArrayError.
 */
export function sliceValue(value: unknown, text: string, what = "slice"): { value: unknown; shape: number[] } {
  const items = parseSlice(text, what);
  if (isRecord(value) && value.type === "tensor" && Array.isArray(value.value) && Array.isArray(value.shape)) {
    const shape = value.shape as number[];
    if (shape.reduce((a, b) => a * b, 1) !== value.value.length) throw new NdArrayError(`${what}: the tensor's shape does not match its ${value.value.length} elements`);
    const r = sliceFlat(value.value as unknown[], shape, items, what);
    return { value: { ...value, shape: r.shape, value: r.flat }, shape: r.shape };
  }
  const a = toNdArray(value, "the captured value");
  const r = sliceFlat(a.data, a.shape, items, what);
  const out = make(r.shape, r.flat, a.dtype);
  return { value: isRecord(value) ? toValue(out) : toNested(out), shape: r.shape };
}
