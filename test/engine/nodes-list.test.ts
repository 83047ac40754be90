import { describe, expect, it } from "vitest";
import { graph, registry, run, runNode } from "./helpers";

const L = (type: string) => `nodetool.list.${type}`;

describe("nodetool.list.*", () => {
  it("Length", async () => {
    expect(await runNode(L("Length"), { values: [1, 2, 3] })).toBe(3);
    expect(await runNode(L("Length"), { values: [] })).toBe(0);
    expect(await runNode(L("Length"), {})).toBe(0);
  });

  it("ListRange follows Python's range", async () => {
    expect(await runNode(L("ListRange"), { start: 0, stop: 5 })).toEqual([0, 1, 2, 3, 4]);
    expect(await runNode(L("ListRange"), { start: 10, stop: 0, step: -3 })).toEqual([10, 7, 4, 1]);
    expect(await runNode(L("ListRange"), { start: 0, stop: 10, step: 3 })).toEqual([0, 3, 6, 9]);
    expect(await runNode(L("ListRange"), {})).toEqual([]);
    await expect(runNode(L("ListRange"), { stop: 3, step: 0 })).rejects.toThrow(/step must not be 0/);
  });

  it("GenerateSequence streams one item per integer", async () => {
    const g = graph(
      [
        { id: "s", type: L("GenerateSequence"), data: { start: 1, stop: 7, step: 2 } },
        { id: "o", type: "nodetool.output.Output", data: { name: "items" } },
      ],
      [["s", "output", "o", "value"]],
    );
    const r = await run(g);
    expect(r.result).toEqual({ items: [1, 3, 5] });
    expect(r.outputs.items).toEqual([1, 3, 5]);
    expect(registry.get(L("GenerateSequence"))!.isStreamingOutput).toBe(true);
  });

  it("GenerateSequence with an empty range emits nothing", async () => {
    const g = graph(
      [
        { id: "s", type: L("GenerateSequence"), data: { start: 5, stop: 5 } },
        { id: "o", type: "nodetool.output.Output", data: { name: "items" } },
      ],
      [["s", "output", "o", "value"]],
    );
    const r = await run(g);
    expect(r.status).toBe("completed");
    expect(r.outputs.items).toEqual([]);
  });

  it("each streamed item fires a downstream node once", async () => {
    const g = graph(
      [
        { id: "s", type: L("GenerateSequence"), data: { start: 0, stop: 3 } },
        { id: "m", type: "lib.math.Multiply", data: { b: 10 } },
        { id: "o", type: "nodetool.output.Output", data: { name: "tens" } },
      ],
      [
        ["s", "output", "m", "a"],
        ["m", "output", "o", "value"],
      ],
    );
    expect((await run(g)).outputs.tens).toEqual([0, 10, 20]);
  });

  it("Range (current NodeTool) uses count when stop is -1", async () => {
    expect(await runNode(L("Range"), {})).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await runNode(L("Range"), { count: 3 })).toEqual([0, 1, 2]);
    expect(await runNode(L("Range"), { start: 2, stop: 8, step: 2 })).toEqual([2, 4, 6]);
    await expect(runNode(L("Range"), { count: 50, max_output_length: 10 })).rejects.toThrow(/exceeding max_output_length \(10\)/);
  });

  it("Tile, RepeatEach and RepeatValue", async () => {
    expect(await runNode(L("Tile"), { input_list: ["a", "b"], times: 3 })).toEqual(["a", "b", "a", "b", "a", "b"]);
    expect(await runNode(L("Tile"), { input_list: ["a"], times: 0 })).toEqual([]);
    expect(await runNode(L("RepeatEach"), { input_list: ["a", "b"], times: 2 })).toEqual(["a", "a", "b", "b"]);
    expect(await runNode(L("RepeatValue"), { value: { k: 1 }, times: 2 })).toEqual([{ k: 1 }, { k: 1 }]);
    await expect(runNode(L("RepeatValue"), { value: 1, times: 11, max_output_length: 10 })).rejects.toThrow(/RepeatValue would produce 11 items/);
  });

  it("Slice follows Python slicing with stop 0 meaning the end", async () => {
    const values = [0, 1, 2, 3, 4, 5];
    expect(await runNode(L("Slice"), { values, start: 1, stop: 4 })).toEqual([1, 2, 3]);
    expect(await runNode(L("Slice"), { values, start: 2 })).toEqual([2, 3, 4, 5]);
    expect(await runNode(L("Slice"), { values, start: -3 })).toEqual([3, 4, 5]);
    expect(await runNode(L("Slice"), { values, start: 0, stop: -2 })).toEqual([0, 1, 2, 3]);
    expect(await runNode(L("Slice"), { values, step: 2 })).toEqual([0, 2, 4]);
    expect(await runNode(L("Slice"), { values, start: -1, step: -1 })).toEqual([5, 4, 3, 2, 1, 0]);
    expect(await runNode(L("Slice"), { values, start: 4, stop: 1, step: -2 })).toEqual([4, 2]);
    expect(await runNode(L("Slice"), { values: [], start: 1, stop: 3 })).toEqual([]);
    await expect(runNode(L("Slice"), { values, step: 0 })).rejects.toThrow(/step must not be 0/);
  });

  it("SelectElements and GetElement use Python indices", async () => {
    expect(await runNode(L("SelectElements"), { values: ["a", "b", "c"], indices: [2, 0, -1] })).toEqual(["c", "a", "c"]);
    expect(await runNode(L("GetElement"), { values: ["a", "b", "c"], index: 1 })).toBe("b");
    expect(await runNode(L("GetElement"), { values: ["a", "b", "c"], index: -1 })).toBe("c");
    await expect(runNode(L("GetElement"), { values: [], index: 0 })).rejects.toThrow(/index 0 is out of range for a list of 0/);
    await expect(runNode(L("SelectElements"), { values: ["a"], indices: [3] })).rejects.toThrow(/out of range/);
  });

  it("Append and Extend", async () => {
    expect(await runNode(L("Append"), { values: [1, 2], value: 3 })).toEqual([1, 2, 3]);
    expect(await runNode(L("Append"), { values: [], value: [4] })).toEqual([[4]]);
    expect(await runNode(L("Extend"), { values: [1], other_values: [2, 3] })).toEqual([1, 2, 3]);
    expect(await runNode(L("Extend"), {})).toEqual([]);
  });

  it("Dedupe keeps first occurrences in order, structurally", async () => {
    expect(await runNode(L("Dedupe"), { values: [3, 1, 3, 2, 1] })).toEqual([3, 1, 2]);
    expect(await runNode(L("Dedupe"), { values: [{ a: 1 }, { a: 1 }, { a: 2 }] })).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await runNode(L("Dedupe"), { values: [] })).toEqual([]);
  });

  it("Reverse and Randomize", async () => {
    expect(await runNode(L("Reverse"), { values: [1, 2, 3] })).toEqual([3, 2, 1]);
    const shuffled = (await runNode(L("Randomize"), { values: [1, 2, 3, 4, 5] })) as number[];
    expect([...shuffled].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await runNode(L("Randomize"), { values: [] })).toEqual([]);
  });

  it("Sort orders numbers numerically and accepts both enum spellings", async () => {
    expect(await runNode(L("Sort"), { values: [10, 9, 1, 100] })).toEqual([1, 9, 10, 100]);
    expect(await runNode(L("Sort"), { values: [10, 9, 1], order: "descending" })).toEqual([10, 9, 1]);
    expect(await runNode(L("Sort"), { values: [2, 3, 1], order: "SortOrder.DESCENDING" })).toEqual([3, 2, 1]);
    expect(await runNode(L("Sort"), { values: ["pear", "apple", "fig"] })).toEqual(["apple", "fig", "pear"]);
    await expect(runNode(L("Sort"), { values: [1, "a"] })).rejects.toThrow(/cannot compare/);
  });

  it("Intersection, Union, Difference", async () => {
    expect(await runNode(L("Intersection"), { list1: [1, 2, 2, 3], list2: [2, 3, 4] })).toEqual([2, 3]);
    expect(await runNode(L("Union"), { list1: [1, 2], list2: [2, 3] })).toEqual([1, 2, 3]);
    expect(await runNode(L("Difference"), { list1: [1, 2, 3], list2: [2] })).toEqual([1, 3]);
    expect(await runNode(L("Intersection"), { list1: [], list2: [1] })).toEqual([]);
  });

  it("Chunk keeps the trailing partial chunk", async () => {
    expect(await runNode(L("Chunk"), { values: [1, 2, 3, 4, 5], chunk_size: 2 })).toEqual([[1, 2], [3, 4], [5]]);
    expect(await runNode(L("Chunk"), { values: [], chunk_size: 3 })).toEqual([]);
    await expect(runNode(L("Chunk"), { values: [1], chunk_size: 0 })).rejects.toThrow(/chunk_size must be greater than 0/);
  });

  it("Sum, Average, Minimum, Maximum, Product", async () => {
    const values = [2, 4, 1.5];
    expect(await runNode(L("Sum"), { values })).toBe(7.5);
    expect(await runNode(L("Average"), { values })).toBe(2.5);
    expect(await runNode(L("Minimum"), { values })).toBe(1.5);
    expect(await runNode(L("Maximum"), { values })).toBe(4);
    expect(await runNode(L("Product"), { values })).toBe(12);
  });

  it("aggregates fail clearly on empty or non-numeric lists", async () => {
    await expect(runNode(L("Sum"), { values: [] })).rejects.toThrow(/cannot sum an empty list/);
    await expect(runNode(L("Average"), {})).rejects.toThrow(/cannot average an empty list/);
    await expect(runNode(L("Maximum"), { values: [1, "x"] })).rejects.toThrow(/all values must be numbers/);
  });

  it("Flatten with and without max_depth", async () => {
    expect(await runNode(L("Flatten"), { values: [[1, [2, 3]], [4, [5, [6]]]] })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await runNode(L("Flatten"), { values: [[1, [2, 3]], [4]], max_depth: 1 })).toEqual([1, [2, 3], 4]);
    expect(await runNode(L("Flatten"), { values: [] })).toEqual([]);
  });

  it("a list from a constant is one value: Chunk then Length counts chunks", async () => {
    const g = graph(
      [
        { id: "c", type: "nodetool.constant.List", data: { value: [1, 2, 3, 4, 5] } },
        { id: "ch", type: L("Chunk"), data: { chunk_size: 2 } },
        { id: "n", type: L("Length") },
        { id: "o", type: "nodetool.output.Output", data: { name: "chunks" } },
      ],
      [
        ["c", "output", "ch", "values"],
        ["ch", "output", "n", "values"],
        ["n", "output", "o", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ chunks: 3 });
  });

  it("declares NodeTool's property names and output types", () => {
    expect(registry.get(L("Sum"))!.outputs).toEqual([{ name: "output", type: "float" }]);
    expect(registry.get(L("Length"))!.outputs).toEqual([{ name: "output", type: "int" }]);
    expect(registry.get(L("Flatten"))!.properties.find((p) => p.name === "max_depth")).toMatchObject({ default: -1, min: -1 });
    expect(registry.get(L("Sort"))!.properties.find((p) => p.name === "order")!.values).toEqual(["ascending", "descending"]);
    expect(registry.get(L("SaveList"))!.outputs).toEqual([{ name: "output", type: "text" }]);
  });
});
