import onnxProto from "onnx-proto";
import type { CustomNodePort } from "../../schema/custom-nodes";
import type { TensorDtype } from "../../schema/runner";
import { InvalidModelError } from "../models/onnx-check";

/**
 * A model's graph inputs and outputs, read from its stored bytes as they stream: the walk descends into the
 * ModelProto's `graph` (field 7) only, decodes its `input` (11) and `output` (12) ValueInfoProtos with
 * onnx-proto, reads the names of its initializers (5; older IR versions list them among the inputs too, and
 * they are weights, not inputs) and skips everything else, weights included, without buffering. It stops at
 * the end of the graph. The upload's own check (edge/models/onnx-check.ts) has already vouched for the top level.
 */
const { onnx } = onnxProto;

/** The largest ValueInfoProto read (a name and a shape: tiny in any real model). */
const MAX_VALUE_INFO_BYTES = 64 * 1024;
const MAX_NAME_BYTES = 4096;
/** The most inputs or outputs a custom node takes from a model: each is a property or an output in the catalog. */
export const MAX_PORTS = 256;

/** onnx.proto TensorProto.DataType -> the runner's tensor element types. */
const ELEM_TYPES: Record<number, TensorDtype> = { 1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 9: "bool", 11: "float64" };
const ELEM_NAMES: Record<number, string> = { 0: "undefined", 8: "string", 10: "float16", 12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128", 16: "bfloat16" };

const bad = (why: string): never => {
  throw new InvalidModelError(`Not a usable ONNX model: ${why}`);
};

class ByteReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  offset = 0;
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  private async fill(): Promise<void> {
    while (this.pos >= this.chunk.length) {
      const { done, value } = await this.reader.read();
      if (done) bad(`the file ends inside a field at byte ${this.offset} (truncated?)`);
      this.chunk = value!;
      this.pos = 0;
    }
  }

  async varint(): Promise<number> {
    let value = 0;
    for (let i = 0; i < 10; i++) {
      await this.fill();
      const b = this.chunk[this.pos++];
      this.offset++;
      value += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return value;
    }
    return bad(`a varint at byte ${this.offset} is longer than 10 bytes`);
  }

  async skip(n: number): Promise<void> {
    while (n > 0) {
      await this.fill();
      const take = Math.min(n, this.chunk.length - this.pos);
      this.pos += take;
      this.offset += take;
      n -= take;
    }
  }

  async bytes(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      await this.fill();
      const take = Math.min(n - at, this.chunk.length - this.pos);
      out.set(this.chunk.subarray(this.pos, this.pos + take), at);
      this.pos += take;
      this.offset += take;
      at += take;
    }
    return out;
  }
}

/** Walks the fields of one message up to byte `end`, handing length-delimited ones to `onField`. */
async function walk(r: ByteReader, end: number, onField: (field: number, length: number) => Promise<boolean>): Promise<void> {
  while (r.offset < end) {
    const tag = await r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) await r.varint();
    else if (wire === 1) await r.skip(8);
    else if (wire === 5) await r.skip(4);
    else if (wire === 2) {
      const length = await r.varint();
      if (r.offset + length > end) bad(`field ${field} at byte ${r.offset} runs past the end of its message`);
      const start = r.offset;
      if (!(await onField(field, length))) await r.skip(length);
      else if (r.offset !== start + length) bad(`field ${field} at byte ${start} was not read to its end`);
    } else bad(`wire type ${wire} at byte ${r.offset}, which ONNX never uses`);
  }
  if (r.offset !== end) bad(`a message overruns its length at byte ${end}`);
}

function dimOf(d: onnxProto.onnx.TensorShapeProto.IDimension): number | string | null {
  if (d.dimParam) return d.dimParam;
  if (d.dimValue !== null && d.dimValue !== undefined) {
    const v = Number(d.dimValue);
    return Number.isSafeInteger(v) ? v : null;
  }
  return null;
}

function portOf(raw: Uint8Array, way: "input" | "output", index: number): CustomNodePort {
  let info: onnxProto.onnx.ValueInfoProto;
  try {
    info = onnx.ValueInfoProto.decode(raw);
  } catch (err) {
    return bad(`graph ${way} ${index} cannot be decoded (${err instanceof Error ? err.message : String(err)})`);
  }
  const name = info.name;
  if (!name) bad(`graph ${way} ${index} has no name`);
  const tensor = info.type?.tensorType;
  if (!tensor) bad(`graph ${way} '${name}' is not a tensor (sequences, maps and optionals cannot be node ports)`);
  const elem = tensor!.elemType ?? 0;
  const dtype = ELEM_TYPES[elem];
  if (!dtype) bad(`graph ${way} '${name}' has element type ${ELEM_NAMES[elem] ?? elem}, which the runner's tensors do not support`);
  const dims = tensor!.shape?.dim;
  return { name, dtype: dtype!, shape: tensor!.shape ? (dims ?? []).map(dimOf) : null };
}

export interface ModelSignature {
  inputs: CustomNodePort[];
  outputs: CustomNodePort[];
}

/** Reads the signature of the model in `body`; an InvalidModelError names what is wrong. Cancels the stream when done. */
export async function readSignature(body: ReadableStream<Uint8Array>, size: number): Promise<ModelSignature> {
  const reader = body.getReader();
  const r = new ByteReader(reader);
  const inputs: Uint8Array[] = [];
  const outputs: Uint8Array[] = [];
  const initializers = new Set<string>();
  let graphSeen = false;
  try {
    const readPort = async (list: Uint8Array[], length: number, way: string) => {
      if (length > MAX_VALUE_INFO_BYTES) bad(`a graph ${way} is described in ${length} bytes, more than ${MAX_VALUE_INFO_BYTES}`);
      if (list.length >= MAX_PORTS) bad(`the graph has more than ${MAX_PORTS} ${way}s`);
      list.push(await r.bytes(length));
      return true;
    };
    await walk(r, size, async (field, length) => {
      if (field !== 7 || graphSeen) return false;
      graphSeen = true;
      await walk(r, r.offset + length, async (gField, gLength) => {
        if (gField === 11) return readPort(inputs, gLength, "input");
        if (gField === 12) return readPort(outputs, gLength, "output");
        if (gField !== 5) return false;
        // TensorProto: only its name (field 8) is read; its data is skipped as it streams.
        await walk(r, r.offset + gLength, async (tField, tLength) => {
          if (tField !== 8) return false;
          if (tLength > MAX_NAME_BYTES) bad(`an initializer's name is longer than ${MAX_NAME_BYTES} bytes`);
          initializers.add(new TextDecoder().decode(await r.bytes(tLength)));
          return true;
        });
        return true;
      });
      // Nothing after the graph matters here.
      throw new GraphDone();
    });
  } catch (err) {
    if (!(err instanceof GraphDone)) throw err;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (!graphSeen) bad("no graph (field 7)");
  const ins = inputs.map((b, i) => portOf(b, "input", i)).filter((p) => !initializers.has(p.name));
  const outs = outputs.map((b, i) => portOf(b, "output", i));
  if (outs.length === 0) bad("the graph has no outputs");
  for (const [list, way] of [[ins, "input"], [outs, "output"]] as const) {
    const seen = new Set<string>();
    for (const p of list) {
      if (seen.has(p.name)) bad(`two graph ${way}s are named '${p.name}'`);
      seen.add(p.name);
    }
  }
  return { inputs: ins, outputs: outs };
}

class GraphDone extends Error {}
