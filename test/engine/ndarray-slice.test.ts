import { describe, expect, it } from "vitest";
import { parseSlice, sliceFlat, sliceValue } from "../../engine/ndarray/slice";

const flat = Array.from({ length: 24 }, (_, i) => i);

describe("NumPy basic slicing", () => {
  it("parses integers, slices with negative bounds and steps, and one ellipsis", () => {
    expect(parseSlice("0, :, 1:3")).toEqual([
      { kind: "index", index: 0 },
      { kind: "slice", start: null, stop: null, step: null },
      { kind: "slice", start: 1, stop: 3, step: null },
    ]);
    expect(parseSlice("-1,::-2,...")).toEqual([{ kind: "index", index: -1 }, { kind: "slice", start: null, stop: null, step: -2 }, { kind: "ellipsis" }]);
    expect(parseSlice("0,")).toEqual([{ kind: "index", index: 0 }]);
    for (const bad of ["", "0,,1", "1:2:0", "a", "1.5", "...,...", "1:2:3:4", "None"]) expect(() => parseSlice(bad), bad).toThrow();
  });

  it("slices like NumPy (shape [2, 3, 4])", () => {
    expect(sliceFlat(flat, [2, 3, 4], parseSlice("1"))).toEqual({ flat: flat.slice(12), shape: [3, 4] });
    expect(sliceFlat(flat, [2, 3, 4], parseSlice(":,-1,::-1"))).toEqual({ flat: [11, 10, 9, 8, 23, 22, 21, 20], shape: [2, 4] });
    expect(sliceFlat(flat, [2, 3, 4], parseSlice("...,0"))).toEqual({ flat: [0, 4, 8, 12, 16, 20], shape: [2, 3] });
    expect(sliceFlat(flat, [2, 3, 4], parseSlice("0,5:,:"))).toEqual({ flat: [], shape: [0, 4] });
    expect(sliceFlat(flat, [2, 3, 4], parseSlice("-2:10:3,1,-3:"))).toEqual({ flat: [5, 6, 7], shape: [1, 3] });
    expect(() => sliceFlat(flat, [2, 3, 4], parseSlice("2"))).toThrow(/out of bounds for axis 0 with size 2/);
    expect(() => sliceFlat(flat, [2, 3, 4], parseSlice("0,0,0,0"))).toThrow(/too many indices/);
  });

  it("keeps the value's form: tensors stay flat with their dtype, nested lists stay lists", () => {
    const tensor = { type: "tensor", dtype: "int32", shape: [2, 3], value: [1, 2, 3, 4, 5, 6] };
    expect(sliceValue(tensor, ":,1:")).toEqual({ value: { type: "tensor", dtype: "int32", shape: [2, 2], value: [2, 3, 5, 6] }, shape: [2, 2] });
    expect(sliceValue([[1, 2], [3, 4]], "::-1,0")).toEqual({ value: [3, 1], shape: [2] });
    expect(() => sliceValue("text", "0")).toThrow();
  });
});
