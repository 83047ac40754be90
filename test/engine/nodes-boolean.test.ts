import { describe, expect, it } from "vitest";
import { graph, registry, run, runNode } from "./helpers";

describe("nodetool.boolean.*", () => {
  it("ConditionalSwitch picks if_true or if_false", async () => {
    expect(await runNode("nodetool.boolean.ConditionalSwitch", { condition: true, if_true: "yes", if_false: "no" })).toBe("yes");
    expect(await runNode("nodetool.boolean.ConditionalSwitch", { condition: false, if_true: "yes", if_false: "no" })).toBe("no");
    expect(await runNode("nodetool.boolean.ConditionalSwitch", { condition: "false", if_true: 1, if_false: 2 })).toBe(2);
    // Unset branches default to [] as in NodeTool.
    expect(await runNode("nodetool.boolean.ConditionalSwitch", { condition: true })).toEqual([]);
  });

  it("LogicalOperator implements and/or/xor/nand/nor", async () => {
    const table: [string, boolean, boolean, boolean][] = [
      ["and", true, false, false],
      ["and", true, true, true],
      ["or", false, true, true],
      ["or", false, false, false],
      ["xor", true, true, false],
      ["xor", true, false, true],
      ["nand", true, true, false],
      ["nand", false, true, true],
      ["nor", false, false, true],
      ["nor", true, false, false],
    ];
    for (const [operation, a, b, expected] of table) {
      expect(await runNode("nodetool.boolean.LogicalOperator", { a, b, operation })).toBe(expected);
    }
  });

  it("LogicalOperator accepts the enum member spelling and defaults to and", async () => {
    expect(await runNode("nodetool.boolean.LogicalOperator", { a: true, b: false, operation: "BooleanOperation.OR" })).toBe(true);
    expect(await runNode("nodetool.boolean.LogicalOperator", { a: true, b: false })).toBe(false);
    await expect(runNode("nodetool.boolean.LogicalOperator", { operation: "implies" })).rejects.toThrow(/unknown operation 'implies'/);
  });

  it("Not negates", async () => {
    expect(await runNode("nodetool.boolean.Not", { value: true })).toBe(false);
    expect(await runNode("nodetool.boolean.Not", {})).toBe(true);
  });

  it("Compare supports every Comparison value", async () => {
    const cases: [string, number, number, boolean][] = [
      ["==", 3, 3, true],
      ["!=", 3, 3, false],
      [">", 5, 3, true],
      ["<", 5, 3, false],
      [">=", 3, 3, true],
      ["<=", 4, 3, false],
    ];
    for (const [comparison, a, b, expected] of cases) {
      expect(await runNode("nodetool.boolean.Compare", { a, b, comparison })).toBe(expected);
    }
  });

  it("Compare accepts both enum spellings", async () => {
    expect(await runNode("nodetool.boolean.Compare", { a: 101, b: 100, comparison: "Comparison.GREATER_THAN" })).toBe(true);
    expect(await runNode("nodetool.boolean.Compare", { a: 101, b: 100, comparison: ">" })).toBe(true);
    expect(await runNode("nodetool.boolean.Compare", { a: 2, b: 2, comparison: "Comparison.LESS_THAN_OR_EQUAL" })).toBe(true);
    // Default is EQUAL with a = b = 0.
    expect(await runNode("nodetool.boolean.Compare", {})).toBe(true);
  });

  it("Compare handles strings and numeric strings", async () => {
    expect(await runNode("nodetool.boolean.Compare", { a: "apple", b: "banana", comparison: "<" })).toBe(true);
    expect(await runNode("nodetool.boolean.Compare", { a: "10", b: 9, comparison: ">" })).toBe(true);
    expect(await runNode("nodetool.boolean.Compare", { a: "x", b: "x", comparison: "==" })).toBe(true);
  });

  it("Compare fails clearly on an unknown operator", async () => {
    await expect(runNode("nodetool.boolean.Compare", { a: 1, b: 2, comparison: "<>" })).rejects.toThrow(/unknown comparison '<>'/);
  });

  it("IsNone", async () => {
    expect(await runNode("nodetool.boolean.IsNone", { value: null })).toBe(true);
    expect(await runNode("nodetool.boolean.IsNone", {})).toBe(true);
    expect(await runNode("nodetool.boolean.IsNone", { value: 0 })).toBe(false);
    expect(await runNode("nodetool.boolean.IsNone", { value: "" })).toBe(false);
  });

  it("IsIn compares structurally", async () => {
    expect(await runNode("nodetool.boolean.IsIn", { value: "b", options: ["a", "b"] })).toBe(true);
    expect(await runNode("nodetool.boolean.IsIn", { value: "c", options: ["a", "b"] })).toBe(false);
    expect(await runNode("nodetool.boolean.IsIn", { value: { k: 1 }, options: [{ k: 1 }] })).toBe(true);
    expect(await runNode("nodetool.boolean.IsIn", { value: 1, options: [] })).toBe(false);
  });

  it("All and Some, including empty lists", async () => {
    expect(await runNode("nodetool.boolean.All", { values: [true, true] })).toBe(true);
    expect(await runNode("nodetool.boolean.All", { values: [true, false] })).toBe(false);
    expect(await runNode("nodetool.boolean.All", { values: [] })).toBe(true);
    expect(await runNode("nodetool.boolean.Some", { values: [false, true] })).toBe(true);
    expect(await runNode("nodetool.boolean.Some", { values: [false, false] })).toBe(false);
    expect(await runNode("nodetool.boolean.Some", { values: [] })).toBe(false);
  });

  it("declares bool outputs and NodeTool's enum values", () => {
    expect(registry.get("nodetool.boolean.Compare")!.outputs).toEqual([{ name: "output", type: "bool" }]);
    expect(registry.get("nodetool.boolean.Compare")!.properties.find((p) => p.name === "comparison")!.values).toEqual(["==", "!=", ">", "<", ">=", "<="]);
    expect(registry.get("nodetool.boolean.LogicalOperator")!.properties.find((p) => p.name === "operation")!.values).toEqual(["and", "or", "xor", "nand", "nor"]);
  });

  it("routes a value through Compare, LogicalOperator and ConditionalSwitch (Conditional Logic Engine shape)", async () => {
    const g = graph(
      [
        { id: "in", type: "nodetool.input.IntegerInput", data: { name: "value", value: 75, min: 0, max: 1000 } },
        { id: "gt", type: "nodetool.boolean.Compare", data: { b: 100, comparison: ">" } },
        { id: "lt", type: "nodetool.boolean.Compare", data: { b: 50, comparison: "<" } },
        { id: "or", type: "nodetool.boolean.LogicalOperator", data: { operation: "or" } },
        { id: "sw", type: "nodetool.boolean.ConditionalSwitch", data: { if_true: "EXTREME_VALUE", if_false: "MEDIUM_VALUE" } },
        { id: "o", type: "nodetool.output.Output", data: { name: "route" } },
      ],
      [
        ["in", "output", "gt", "a"],
        ["in", "output", "lt", "a"],
        ["gt", "output", "or", "a"],
        ["lt", "output", "or", "b"],
        ["or", "output", "sw", "condition"],
        ["sw", "output", "o", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ route: "MEDIUM_VALUE" });
    expect((await run(g, { value: 150 })).result).toEqual({ route: "EXTREME_VALUE" });
    expect((await run(g, { value: 10 })).result).toEqual({ route: "EXTREME_VALUE" });
  });
});
