import { describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { listNodes } from "../../engine/nodes/list";
import { numbersNodes } from "../../engine/nodes/numbers";
import { outputNodes } from "../../engine/nodes/output";
import { NodeRegistry } from "../../engine/registry/registry";
import { GraphSchema } from "../../schema/workflow";

const registry = new NodeRegistry([...numbersNodes, ...listNodes, ...outputNodes]);

/** Streams start..stop-1 (GenerateSequence) into a numbers filter and returns what passed. */
async function filter(type: string, data: Record<string, unknown>, start = -3, stop = 6): Promise<unknown[]> {
  const g = GraphSchema.parse({
    nodes: [
      { id: "seq", type: "nodetool.list.GenerateSequence", data: { start, stop } },
      { id: "f", type: `nodetool.numbers.${type}`, data },
      { id: "o", type: "nodetool.output.Output", data: { name: "kept" } },
    ],
    edges: [
      { id: "e1", source: "seq", sourceHandle: "output", target: "f", targetHandle: "value" },
      { id: "e2", source: "f", sourceHandle: "output", target: "o", targetHandle: "value" },
    ],
  });
  const r = await runWorkflow(g, {}, { registry, emit: () => {} });
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return r.outputs.kept;
}

describe("nodetool.numbers filters", () => {
  it("FilterNumber applies each filter type to the stream", async () => {
    expect(await filter("FilterNumber", { filter_type: "greater_than", compare_value: 2 })).toEqual([3, 4, 5]);
    expect(await filter("FilterNumber", { filter_type: "less_than", compare_value: -1 })).toEqual([-3, -2]);
    expect(await filter("FilterNumber", { filter_type: "equal_to", compare_value: 4 })).toEqual([4]);
    expect(await filter("FilterNumber", { filter_type: "FilterNumberType.EVEN" })).toEqual([-2, 0, 2, 4]);
    expect(await filter("FilterNumber", { filter_type: "odd" })).toEqual([-3, -1, 1, 3, 5]);
    expect(await filter("FilterNumber", { filter_type: "positive" })).toEqual([1, 2, 3, 4, 5]);
    expect(await filter("FilterNumber", { filter_type: "negative" })).toEqual([-3, -2, -1]);
    await expect(filter("FilterNumber", { filter_type: "bogus" })).rejects.toThrow(/unknown filter_type 'bogus'/);
  });

  it("FilterNumberRange keeps values inside the bounds", async () => {
    expect(await filter("FilterNumberRange", { min_value: 0, max_value: 3 })).toEqual([0, 1, 2, 3]);
    expect(await filter("FilterNumberRange", { min_value: 0, max_value: 3, inclusive: false })).toEqual([1, 2]);
  });
});
