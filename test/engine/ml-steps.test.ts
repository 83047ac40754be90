import { describe, expect, it } from "vitest";
import { applySteps } from "../../engine/tensor-steps/steps";
import type { TensorValue } from "../../engine/inference/tensors";
import { GraphSchema } from "../../schema/workflow";
import { run, runNode } from "./helpers";

const t = (shape: number[], value: number[], dtype: TensorValue["dtype"] = "float32"): TensorValue => ({ type: "tensor", dtype, shape, value });
const close = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 6));
};

describe("tensor steps", () => {
  it("scale, normalize per channel, clip and sigmoid", () => {
    close(applySteps(t([3], [1, 2, 3]), [{ op: "scale", factor: 2, offset: 1 }], "x").value as number[], [3, 5, 7]);
    // [1, 2, 2] NCHW-like: channel axis 1 has 2 entries, each with 2 values.
    const n = applySteps(t([1, 2, 2], [1, 3, 10, 20]), [{ op: "normalize", mean: [2, 15], std: [1, 5], axis: 1 }], "x");
    close(n.value as number[], [-1, 1, -1, 1]);
    close(applySteps(t([3], [-5, 0.5, 9]), [{ op: "clip", min: 0, max: 1 }], "x").value as number[], [0, 0.5, 1]);
    close(applySteps(t([1], [0]), [{ op: "sigmoid" }], "x").value as number[], [0.5]);
    expect(() => applySteps(t([1, 3], [1, 2, 3]), [{ op: "normalize", mean: [1, 2], std: 1, axis: 1 }], "input 'x'")).toThrow(/mean has 2 values but axis 1 has 3 entries/);
  });

  it("transpose, reshape, unsqueeze and squeeze move elements like numpy", () => {
    const x = t([2, 3], [0, 1, 2, 3, 4, 5]);
    const tr = applySteps(x, [{ op: "transpose", perm: [1, 0] }], "x");
    expect(tr.shape).toEqual([3, 2]);
    expect(tr.value).toEqual([0, 3, 1, 4, 2, 5]);
    const hwc = t([1, 2, 3], [0, 1, 2, 3, 4, 5]);
    expect(applySteps(hwc, [{ op: "transpose", perm: [2, 0, 1] }], "x").value).toEqual([0, 3, 1, 4, 2, 5]);
    expect(applySteps(x, [{ op: "reshape", shape: [-1, 2] }], "x").shape).toEqual([3, 2]);
    expect(applySteps(x, [{ op: "unsqueeze", axis: 0 }], "x").shape).toEqual([1, 2, 3]);
    expect(applySteps(t([1, 3], [1, 2, 3]), [{ op: "squeeze", axis: 0 }], "x").shape).toEqual([3]);
    expect(() => applySteps(x, [{ op: "reshape", shape: [4, -1] }], "x")).toThrow(/cannot reshape 6 elements/);
    expect(() => applySteps(x, [{ op: "transpose", perm: [0, 0] }], "x")).toThrow(/not a permutation/);
    expect(() => applySteps(x, [{ op: "squeeze", axis: 1 }], "x")).toThrow(/cannot squeeze axis 1 of size 3/);
  });

  it("softmax and argmax along an axis; cast checks ranges", () => {
    const x = t([2, 3], [1, 2, 3, 3, 1, 3]);
    const s = applySteps(x, [{ op: "softmax", axis: -1 }], "x").value as number[];
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const sum = e[0] + e[1] + e[2];
    close(s.slice(0, 3), e.map((v) => v / sum));
    expect(s.slice(3).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    const am = applySteps(x, [{ op: "argmax", axis: -1 }], "x");
    // Ties go to the first index.
    expect(am).toEqual({ type: "tensor", dtype: "int64", shape: [2], value: [2, 0] });
    expect(applySteps(x, [{ op: "argmax", axis: 0 }], "x").value).toEqual([1, 0, 0]);
    expect(applySteps(t([2], [1.7, -2.2]), [{ op: "cast", dtype: "int32" }], "x")).toEqual({ type: "tensor", dtype: "int32", shape: [2], value: [1, -2] });
    expect(() => applySteps(t([1], [300]), [{ op: "cast", dtype: "uint8" }], "output 'y'")).toThrow(/step 1 \(cast\) of output 'y': 300 is out of range for uint8/);
    expect(() => applySteps(x, [{ op: "softmax", axis: 2 }], "x")).toThrow(/axis 2 is out of range/);
  });
});

describe("edge.ml.PrepareTensors / FinishTensors", () => {
  it("PrepareTensors applies each input's steps and casts to the model's element type", async () => {
    const out = (await runNode("edge.ml.PrepareTensors", { steps: { a: [{ op: "scale", factor: 10 }] }, dtypes: { a: "float32", b: "int64" } }, "inputs", {
      dynamic_properties: { a: [[1, 2]], b: [3.9, 4] },
    })) as Record<string, TensorValue>;
    expect(out.a).toEqual({ type: "tensor", dtype: "float32", shape: [1, 2], value: [10, 20] });
    expect(out.b).toEqual({ type: "tensor", dtype: "int64", shape: [2], value: [3, 4] });
  });

  it("PrepareTensors refuses a missing input and steps outside the fixed set", async () => {
    await expect(runNode("edge.ml.PrepareTensors", {}, "inputs", { dynamic_properties: { a: null } })).rejects.toThrow(/input 'a' is required/);
    await expect(runNode("edge.ml.PrepareTensors", { steps: { a: [{ op: "eval", code: "x" }] } }, "inputs", { dynamic_properties: { a: [1] } })).rejects.toThrow(/steps is invalid/);
  });

  it("FinishTensors splits the outputs dict into dynamic outputs after their steps", async () => {
    const g = GraphSchema.parse({
      nodes: [
        {
          id: "f",
          type: "edge.ml.FinishTensors",
          data: { outputs: { y: t([1, 3], [0.1, 5, 2]), z: t([1], [7]) }, steps: { y: [{ op: "argmax" }] } },
          dynamic_outputs: { y: { type: "tensor" }, z: { type: "tensor" } },
        },
        { id: "oy", type: "nodetool.output.Output", data: { name: "y" } },
        { id: "oz", type: "nodetool.output.Output", data: { name: "z" } },
      ],
      edges: [
        { id: "e1", source: "f", sourceHandle: "y", target: "oy", targetHandle: "value" },
        { id: "e2", source: "f", sourceHandle: "z", target: "oz", targetHandle: "value" },
      ],
    });
    const r = await run(g);
    expect(r.status, r.error).toBe("completed");
    expect(r.result.y).toEqual({ type: "tensor", dtype: "int64", shape: [1], value: [1] });
    expect(r.result.z).toEqual(t([1], [7]));
  });
});
