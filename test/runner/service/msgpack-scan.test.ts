import { encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { firstLargeBinOffset } from "../../../gpu-runner/src/http/msgpack-scan";

describe("firstLargeBinOffset (where the body reader aligns the first tensor)", () => {
  it("finds the payload of the first large bin behind maps, strings, numbers and small bins", () => {
    const data = new Uint8Array(4096).map((_, i) => i % 251);
    const body = encode({ kernel: "tensor", model: { key: "1/m.onnx", name: "m.onnx", size: 123456, sha256: "a".repeat(64) }, small: new Uint8Array(3), inputs: { x: { dtype: "float32", dims: [1, 1024], data } } });
    const at = firstLargeBinOffset(body);
    expect(at).toBeDefined();
    expect(body.subarray(at!, at! + data.length)).toEqual(data);
  });

  it("answers undefined when the prefix ends first, or holds no large bin", () => {
    const body = encode({ inputs: { x: { dtype: "float32", dims: [1, 1024], data: new Uint8Array(4096) } } });
    expect(firstLargeBinOffset(body.subarray(0, 10))).toBeUndefined();
    expect(firstLargeBinOffset(encode({ a: 1, b: "text", c: new Uint8Array(8) }))).toBeUndefined();
  });
});
