import { describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import { dataframeNodes } from "../../engine/nodes/data-nodes";
import { outputNodes } from "../../engine/nodes/output";
import { NodeRegistry } from "../../engine/registry/registry";
import type { EngineServices } from "../../engine/registry/types";
import { GraphSchema } from "../../schema/workflow";

const registry = new NodeRegistry([...dataframeNodes, ...outputNodes]);

async function runNode(type: string, data: Record<string, unknown>, services: Partial<EngineServices> = {}): Promise<unknown> {
  const g = GraphSchema.parse({
    nodes: [
      { id: "n", type, data },
      { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
    ],
    edges: [{ id: "e", source: "n", sourceHandle: "output", target: "out", targetHandle: "value" }],
  });
  const r = await runWorkflow(g, {}, { registry, services: { now: () => Date.UTC(2026, 4, 6, 7, 8, 9), ...services } });
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return r.result.out;
}

/** A NodeTool NPArray written by hand. */
const np = (value: unknown, shape: number[], dtype = "<i8") => ({ type: "np_array", value, dtype, shape });
const M = np(
  [
    [1, 2, 3],
    [4, 5, 6],
  ],
  [2, 3],
);

describe("lib.numpy.arithmetic", () => {
  it("adds with broadcasting and returns single elements as numbers", async () => {
    expect(await runNode("lib.numpy.arithmetic.AddArray", { a: M, b: np([[10], [20]], [2, 1]) })).toEqual(np([[11, 12, 13], [24, 25, 26]], [2, 3]));
    expect(await runNode("lib.numpy.arithmetic.AddArray", { a: 2, b: 3.5 })).toBe(5.5);
    expect(await runNode("lib.numpy.arithmetic.MultiplyArray", { a: M, b: 2 })).toEqual(np([[2, 4, 6], [8, 10, 12]], [2, 3]));
    expect(await runNode("lib.numpy.arithmetic.SubtractArray", { a: np([5], [1]), b: np([7], [1]) })).toBe(-2);
  });

  it("zero-pads 1-D operands of different lengths as NodeTool's pad_arrays does", async () => {
    expect(await runNode("lib.numpy.arithmetic.AddArray", { a: np([1, 2, 3], [3]), b: np([10, 20], [2]) })).toEqual(np([11, 22, 3], [3]));
    // np.pad(x, (0, k)) pads every axis, so a (2,3) array meeting a length-3 vector becomes (3,4) and cannot broadcast.
    await expect(runNode("lib.numpy.arithmetic.AddArray", { a: M, b: np([10, 20, 30], [3]) })).rejects.toThrow(/shapes \(3,4\) \(3\)/);
  });

  it("divides to floats and takes Python's modulo sign", async () => {
    expect(await runNode("lib.numpy.arithmetic.DivideArray", { a: np([1, 3], [2]), b: np([2, 0], [2]) })).toEqual(np([0.5, Infinity], [2], "<f8"));
    expect(await runNode("lib.numpy.arithmetic.ModulusArray", { a: np([7, -7, 7], [3]), b: np([3, 3, -3], [3]) })).toEqual(np([1, 2, -2], [3]));
  });

  it("reports shapes that cannot broadcast", async () => {
    await expect(runNode("lib.numpy.arithmetic.AddArray", { a: M, b: np([[1, 2], [3, 4]], [2, 2]) })).rejects.toThrow(/could not be broadcast together with shapes \(2,3\) \(2,2\)/);
  });
});

describe("lib.numpy.math", () => {
  it("computes element-wise functions, in float32 where NodeTool casts", async () => {
    expect(await runNode("lib.numpy.math.SqrtArray", { values: np([4, 9], [2]) })).toEqual(np([2, 3], [2], "<f4"));
    // sqrt(2) rounded to float32 is 1.41421353816986083984375.
    expect(await runNode("lib.numpy.math.SqrtArray", { values: np([2], [1]) })).toBe(1.4142135381698608);
    expect(await runNode("lib.numpy.math.AbsArray", { values: np([-1.5, 2], [2], "<f8") })).toEqual(np([1.5, 2], [2], "<f8"));
    expect(await runNode("lib.numpy.math.LogArray", { values: np([1], [1]) })).toBe(0);
    expect(await runNode("lib.numpy.math.ExpArray", { values: np([0, 0], [2]) })).toEqual(np([1, 1], [2], "<f4"));
    expect(await runNode("lib.numpy.math.SineArray", { angle_rad: 0 })).toBe(0);
    expect(await runNode("lib.numpy.math.CosineArray", { angle_rad: np([0, Math.PI], [2], "<f8") })).toEqual(np([1, -1], [2], "<f8"));
  });

  it("PowerArray raises element-wise and refuses negative integer powers of integers", async () => {
    expect(await runNode("lib.numpy.math.PowerArray", { base: np([2, 3], [2]), exponent: 3 })).toEqual(np([8, 27], [2]));
    expect(await runNode("lib.numpy.math.PowerArray", { base: 2, exponent: 0.5 })).toBe(Math.SQRT2);
    await expect(runNode("lib.numpy.math.PowerArray", { base: np([2, 3], [2]), exponent: -1 })).rejects.toThrow(/negative integer powers/);
  });
});

describe("lib.numpy.statistics", () => {
  it("reduces along an axis", async () => {
    expect(await runNode("lib.numpy.statistics.SumArray", { values: M, axis: 0 })).toEqual(np([5, 7, 9], [3]));
    expect(await runNode("lib.numpy.statistics.SumArray", { values: M, axis: 1 })).toEqual(np([6, 15], [2]));
    expect(await runNode("lib.numpy.statistics.MeanArray", { values: M, axis: -1 })).toEqual(np([2, 5], [2], "<f8"));
    expect(await runNode("lib.numpy.statistics.MaxArray", { values: M, axis: 0 })).toEqual(np([4, 5, 6], [3]));
    expect(await runNode("lib.numpy.statistics.MinArray", { values: np([3, 1, 2], [3]) })).toBe(1);
    expect(await runNode("lib.numpy.statistics.ArgMaxArray", { values: np([[1, 9, 3], [7, 2, 8]], [2, 3]), axis: 1 })).toEqual(np([1, 2], [2]));
    expect(await runNode("lib.numpy.statistics.ArgMinArray", { values: np([5, 1, 1, 4], [4]) })).toBe(1);
    await expect(runNode("lib.numpy.statistics.SumArray", { values: M, axis: 2 })).rejects.toThrow(/axis 2 is out of bounds for array of dimension 2/);
  });
});

describe("lib.numpy.manipulation and reshaping", () => {
  it("transposes, multiplies matrices and reshapes", async () => {
    expect(await runNode("lib.numpy.manipulation.TransposeArray", { values: M })).toEqual(np([[1, 4], [2, 5], [3, 6]], [3, 2]));
    // [[1,2,3],[4,5,6]] @ [[1,0],[0,1],[1,1]] = [[4,5],[10,11]]
    expect(await runNode("lib.numpy.manipulation.MatMul", { a: M, b: np([[1, 0], [0, 1], [1, 1]], [3, 2]) })).toEqual(np([[4, 5], [10, 11]], [2, 2]));
    expect(await runNode("lib.numpy.manipulation.MatMul", { a: np([1, 2, 3], [3]), b: np([4, 5, 6], [3]) })).toEqual(np(32, []));
    await expect(runNode("lib.numpy.manipulation.MatMul", { a: M, b: M })).rejects.toThrow(/mismatch in core dimension/);
    expect(await runNode("lib.numpy.reshaping.Reshape2D", { values: np([1, 2, 3, 4, 5, 6], [6]), num_rows: 3, num_cols: -1 })).toEqual(np([[1, 2], [3, 4], [5, 6]], [3, 2]));
    expect(await runNode("lib.numpy.reshaping.Reshape1D", { values: M, num_elements: 6 })).toEqual(np([1, 2, 3, 4, 5, 6], [6]));
    await expect(runNode("lib.numpy.reshaping.Reshape3D", { values: M, num_rows: 2, num_cols: 2, num_depths: 2 })).rejects.toThrow(/cannot reshape array of size 6 into shape \(2, 2, 2\)/);
  });

  it("slices, indexes, splits and stacks along an axis", async () => {
    expect(await runNode("lib.numpy.manipulation.SliceArray", { values: M, start: 0, stop: 3, step: 2, axis: 1 })).toEqual(np([[1, 3], [4, 6]], [2, 2]));
    expect(await runNode("lib.numpy.manipulation.SliceArray", { values: np([1, 2, 3, 4], [4]), start: -1, stop: -5, step: -1 })).toEqual(np([4, 3, 2, 1], [4]));
    expect(await runNode("lib.numpy.manipulation.IndexArray", { values: M, indices: "2, 0", axis: 1 })).toEqual(np([[3, 1], [6, 4]], [2, 2]));
    await expect(runNode("lib.numpy.manipulation.IndexArray", { values: M, indices: "5", axis: 1 })).rejects.toThrow(/index 5 is out of bounds for axis 1 with size 3/);
    expect(await runNode("lib.numpy.manipulation.SplitArray", { values: np([1, 2, 3, 4, 5], [5]), num_splits: 3 })).toEqual([np([1, 2], [2]), np([3, 4], [2]), np([5], [1])]);
    await expect(runNode("lib.numpy.manipulation.SplitArray", { values: M })).rejects.toThrow(/larger than 0/);
    expect(await runNode("lib.numpy.manipulation.Stack", { arrays: [np([1, 2], [2]), np([3, 4], [2])], axis: 1 })).toEqual(np([[1, 3], [2, 4]], [2, 2]));
  });
});

describe("lib.numpy.conversion and io", () => {
  it("converts between lists, scalars and arrays", async () => {
    expect(await runNode("lib.numpy.conversion.ListToArray", { values: [[1, 2], [3, 4.5]] })).toEqual(np([[1, 2], [3, 4.5]], [2, 2], "<f8"));
    expect(await runNode("lib.numpy.conversion.ListToArray", { values: [true, false] })).toEqual(np([true, false], [2], "|b1"));
    await expect(runNode("lib.numpy.conversion.ListToArray", { values: [[1, 2], [3]] })).rejects.toThrow(/ragged/);
    expect(await runNode("lib.numpy.conversion.ArrayToList", { values: M })).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(await runNode("lib.numpy.conversion.ScalarToArray", { value: 7 })).toEqual(np([7], [1]));
    expect(await runNode("lib.numpy.conversion.ArrayToScalar", { values: np([[2.5]], [1, 1], "<f8") })).toBe(2.5);
    await expect(runNode("lib.numpy.conversion.ArrayToScalar", { values: M })).rejects.toThrow(/size 1/);
  });

  it("reads arrays given as flat values with a shape, or as NumPy bytes", async () => {
    expect(await runNode("lib.numpy.conversion.ArrayToList", { values: np([1, 2, 3, 4], [2, 2]) })).toEqual([[1, 2], [3, 4]]);
    const bytes = new Uint8Array(new Float32Array([0.5, -2]).buffer);
    expect(await runNode("lib.numpy.conversion.ArrayToList", { values: { type: "np_array", value: bytes, dtype: "<f4", shape: [2] } })).toEqual([0.5, -2]);
    await expect(runNode("lib.numpy.conversion.ArrayToList", {})).rejects.toThrow(/has no value/);
  });

  it("ConvertToAudio writes mono 16-bit WAV samples of values * 32767", async () => {
    const out = (await runNode("lib.numpy.conversion.ConvertToAudio", { values: np([0, 0.5, -1], [3], "<f8"), sample_rate: 8000 })) as { data: Uint8Array };
    const wav = out.data;
    const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
    expect(new TextDecoder().decode(wav.subarray(0, 4))).toBe("RIFF");
    expect(view.getUint16(22, true)).toBe(1); // channels
    expect(view.getUint32(24, true)).toBe(8000); // sample rate
    expect(view.getUint16(34, true)).toBe(16); // bits per sample
    expect([view.getInt16(44, true), view.getInt16(46, true), view.getInt16(48, true)]).toEqual([0, 16383, -32767]);
  });

  it("SaveArray stores an .npy asset that NumPy can load", async () => {
    const blobs = new MemoryBlobStore();
    const out = (await runNode("lib.numpy.io.SaveArray", { values: np([[1, 2], [3, 4]], [2, 2]) }, { blobs })) as { uri: string; asset_id: string; value: unknown };
    expect(out.value).toEqual([[1, 2], [3, 4]]);
    const stored = blobs.objects.get(out.uri)!;
    expect(stored.name).toBe("2026-05-06_07-08-09.npy");
    const b = stored.bytes;
    expect([...b.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLength = b[8] | (b[9] << 8);
    const header = new TextDecoder().decode(b.subarray(10, 10 + headerLength));
    expect(header.trimEnd()).toBe("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }");
    expect((10 + headerLength) % 64).toBe(0);
    const view = new DataView(b.buffer, b.byteOffset + 10 + headerLength);
    expect([0, 1, 2, 3].map((i) => Number(view.getBigInt64(i * 8, true)))).toEqual([1, 2, 3, 4]);
  });
});
