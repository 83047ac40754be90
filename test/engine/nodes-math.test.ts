import { describe, expect, it } from "vitest";
import { graph, registry, run, runNode } from "./helpers";

describe("lib.math.*", () => {
  it("Add, Subtract, Multiply", async () => {
    expect(await runNode("lib.math.Add", { a: 2, b: 3.5 })).toBe(5.5);
    expect(await runNode("lib.math.Subtract", { a: 2, b: 5 })).toBe(-3);
    expect(await runNode("lib.math.Multiply", { a: -4, b: 2.5 })).toBe(-10);
    expect(await runNode("lib.math.Add", {})).toBe(0);
  });

  it("Divide", async () => {
    expect(await runNode("lib.math.Divide", { a: 7, b: 2 })).toBe(3.5);
    // b defaults to 1
    expect(await runNode("lib.math.Divide", { a: 9 })).toBe(9);
  });

  it("division by zero fails the run with a clear error", async () => {
    const g = graph(
      [
        { id: "d", type: "lib.math.Divide", data: { a: 1, b: 0 } },
        { id: "o", type: "nodetool.output.Output", data: { name: "q" } },
      ],
      [["d", "output", "o", "value"]],
    );
    const r = await run(g);
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/division by zero/);
    await expect(runNode("lib.math.Modulus", { a: 1, b: 0 })).rejects.toThrow(/modulo by zero/);
  });

  it("Modulus follows Python's sign rule", async () => {
    expect(await runNode("lib.math.Modulus", { a: 7, b: 3 })).toBe(1);
    expect(await runNode("lib.math.Modulus", { a: -7, b: 3 })).toBe(2);
    expect(await runNode("lib.math.Modulus", { a: 7, b: -3 })).toBe(-2);
    expect(await runNode("lib.math.Modulus", { a: 5.5, b: 2 })).toBe(1.5);
  });

  it("MathFunction covers every Operation", async () => {
    const cases: [string, number, number][] = [
      ["negate", 3, -3],
      ["absolute", -3, 3],
      ["square", 4, 16],
      ["cube", -2, -8],
      ["square_root", 9, 3],
      ["cube_root", -27, -3],
      ["sine", 0, 0],
      ["cosine", 0, 1],
      ["tangent", 0, 0],
      ["arcsin", 1, Math.PI / 2],
      ["arccos", 1, 0],
      ["arctan", 1, Math.PI / 4],
      ["log", Math.E, 1],
    ];
    for (const [operation, input, expected] of cases) {
      expect(await runNode("lib.math.MathFunction", { input, operation })).toBeCloseTo(expected, 12);
    }
  });

  it("MathFunction accepts Operation.X spellings and defaults to negate", async () => {
    expect(await runNode("lib.math.MathFunction", { input: 16, operation: "Operation.SQUARE_ROOT" })).toBe(4);
    expect(await runNode("lib.math.MathFunction", { input: 0.5, operation: "Operation.ARCSINE" })).toBeCloseTo(Math.asin(0.5), 12);
    expect(await runNode("lib.math.MathFunction", { input: 5 })).toBe(-5);
    await expect(runNode("lib.math.MathFunction", { input: 1, operation: "exp" })).rejects.toThrow(/unknown operation 'exp'/);
  });

  it("domain errors fail instead of producing NaN", async () => {
    await expect(runNode("lib.math.MathFunction", { input: -1, operation: "square_root" })).rejects.toThrow(/math domain error/);
    await expect(runNode("lib.math.MathFunction", { input: 0, operation: "log" })).rejects.toThrow(/math domain error/);
    await expect(runNode("lib.math.Sqrt", { x: -4 })).rejects.toThrow(/Sqrt: math domain error/);
    await expect(runNode("lib.math.Power", { base: -8, exponent: 1 / 3 })).rejects.toThrow(/Power: math domain error/);
  });

  it("Sine and Cosine take radians", async () => {
    expect(await runNode("lib.math.Sine", { angle_rad: Math.PI / 2 })).toBeCloseTo(1, 12);
    expect(await runNode("lib.math.Cosine", { angle_rad: Math.PI })).toBeCloseTo(-1, 12);
  });

  it("Power and Sqrt", async () => {
    expect(await runNode("lib.math.Power", { base: 2, exponent: 10 })).toBe(1024);
    expect(await runNode("lib.math.Power", { base: 3 })).toBe(3);
    expect(await runNode("lib.math.Sqrt", { x: 2.25 })).toBe(1.5);
  });

  it("numeric strings coerce, other text fails clearly", async () => {
    expect(await runNode("lib.math.Add", { a: "2", b: 3 })).toBe(5);
    await expect(runNode("lib.math.Add", { a: "two", b: 3 })).rejects.toThrow(/Add: a must be a number/);
  });

  it("chains through edges", async () => {
    const g = graph(
      [
        { id: "x", type: "nodetool.constant.Float", data: { value: 3 } },
        { id: "sq", type: "lib.math.Power", data: { exponent: 2 } },
        { id: "add", type: "lib.math.Add", data: { b: 16 } },
        { id: "root", type: "lib.math.Sqrt" },
        { id: "o", type: "nodetool.output.Output", data: { name: "hyp" } },
      ],
      [
        ["x", "output", "sq", "base"],
        ["sq", "output", "add", "a"],
        ["add", "output", "root", "x"],
        ["root", "output", "o", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ hyp: 5 });
  });

  it("declares NodeTool's names and defaults", () => {
    expect(registry.get("lib.math.Divide")!.properties.map((p) => [p.name, p.default])).toEqual([
      ["a", 0],
      ["b", 1],
    ]);
    expect(registry.get("lib.math.Power")!.properties.map((p) => [p.name, p.default])).toEqual([
      ["base", 0],
      ["exponent", 1],
    ]);
    expect(registry.get("lib.math.MathFunction")!.properties.find((p) => p.name === "operation")!.values).toContain("arcsin");
  });
});
