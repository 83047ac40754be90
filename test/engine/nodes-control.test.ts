import { describe, expect, it } from "vitest";
import { compileItemExpression } from "../../engine/nodes/control";
import { graph, registry, run } from "./helpers";

const LIST = "nodetool.input.StringListInput";
const OUT = "nodetool.output.Output";

type Node = Parameters<typeof graph>[0][number];
type Edge = Parameters<typeof graph>[1] extends (infer E)[] | undefined ? E : never;

/** `Collection(items)` → `op` (input_item) → Output "out": the shape of NodeTool's stream examples. */
function streamThrough(items: unknown[], op: Node, extraEdges: Edge[] = [], extraNodes: Node[] = []) {
  return graph(
    [
      { id: "src", type: "nodetool.control.Collection", data: { items } },
      op,
      { id: "out", type: OUT, data: { name: "out" } },
      ...extraNodes,
    ],
    [["src", "output", op.id, "input_item"], [op.id, "output", "out", "value"], ...extraEdges],
  );
}

describe("control nodes are registered with NodeTool's names", () => {
  it("declares both generations' types, properties and outputs", () => {
    const sig = (type: string) => {
      const d = registry.get(type)!;
      return { props: d.properties.map((p) => p.name), outs: d.outputs.map((o) => o.name) };
    };
    expect(sig("nodetool.control.If")).toEqual({ props: ["condition", "value"], outs: ["if_true", "if_false"] });
    expect(sig("nodetool.control.ForEach")).toEqual({ props: ["input_list", "limit"], outs: ["output", "index"] });
    expect(sig("nodetool.control.Collect")).toEqual({ props: ["input_item"], outs: ["output"] });
    expect(sig("nodetool.control.Collection")).toEqual({ props: ["items"], outs: ["output", "index"] });
    expect(sig("nodetool.control.Chunk")).toEqual({ props: ["input_item", "size"], outs: ["output", "index"] });
    expect(sig("nodetool.control.Cross")).toEqual({ props: ["left", "right", "max_output_count"], outs: ["left", "right"] });
    expect(sig("nodetool.control.Count")).toEqual({ props: ["input_item"], outs: ["output"] });
    expect(sig("nodetool.control.Take")).toEqual({ props: ["input_item", "n"], outs: ["output", "index"] });
    expect(sig("nodetool.control.Drop")).toEqual({ props: ["input_item", "n"], outs: ["output", "index"] });
    expect(sig("nodetool.control.Distinct")).toEqual({ props: ["input_item", "key"], outs: ["output"] });
    expect(registry.get("nodetool.control.Collect")!.isStreamingInput).toBe(true);
    expect(registry.get("nodetool.control.ForEach")!.isStreamingOutput).toBe(true);
  });
});

describe("ForEach and Collect", () => {
  const roundTrip = graph(
    [
      { id: "in", type: LIST, data: { name: "words", value: ["a", "b", "c"] } },
      { id: "each", type: "nodetool.control.ForEach" },
      { id: "collect", type: "nodetool.control.Collect" },
      { id: "idx", type: "nodetool.control.Collect" },
      { id: "items", type: OUT, data: { name: "items" } },
      { id: "indexes", type: OUT, data: { name: "indexes" } },
    ],
    [
      ["in", "output", "each", "input_list"],
      ["each", "output", "collect", "input_item"],
      ["each", "index", "idx", "input_item"],
      ["collect", "output", "items", "value"],
      ["idx", "output", "indexes", "value"],
    ],
  );

  it("fans a list out and collects it back in order, with indexes", async () => {
    const r = await run(roundTrip);
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ items: ["a", "b", "c"], indexes: [0, 1, 2] });
    expect((await run(roundTrip, { words: ["x", "y"] })).result).toEqual({ items: ["x", "y"], indexes: [0, 1] });
  });

  it("collects an empty stream as an empty list", async () => {
    expect((await run(roundTrip, { words: [] })).result).toEqual({ items: [], indexes: [] });
  });

  it("streams each element to a sink, which then holds every value", async () => {
    const g = graph(
      [
        { id: "each", type: "nodetool.control.ForEach", data: { input_list: ["p", "q", "r"] } },
        { id: "o", type: OUT, data: { name: "item" } },
        { id: "i", type: OUT, data: { name: "index" } },
      ],
      [
        ["each", "output", "o", "value"],
        ["each", "index", "i", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ item: ["p", "q", "r"], index: [0, 1, 2] });
  });

  it("honours ForEach.limit", async () => {
    const g = graph(
      [
        { id: "each", type: "nodetool.control.ForEach", data: { input_list: [1, 2, 3, 4], limit: 2 } },
        { id: "c", type: "nodetool.control.Collect" },
        { id: "o", type: OUT, data: { name: "o" } },
      ],
      [
        ["each", "output", "c", "input_item"],
        ["c", "output", "o", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ o: [1, 2] });
  });
});

describe("Chunk", () => {
  it("batches 7 items by 3 and emits the trailing partial batch", async () => {
    const g = graph(
      [
        { id: "src", type: LIST, data: { name: "letters", value: ["a", "b", "c", "d", "e", "f", "g"] } },
        { id: "fan", type: "nodetool.control.Collection", data: { items: [] } },
        { id: "ch", type: "nodetool.control.Chunk", data: { size: 3 } },
        { id: "out", type: OUT, data: { name: "batches" } },
        { id: "idx", type: OUT, data: { name: "batch_index" } },
      ],
      [
        ["src", "output", "fan", "items"],
        ["fan", "output", "ch", "input_item"],
        ["ch", "output", "out", "value"],
        ["ch", "index", "idx", "value"],
      ],
    );
    const r = await run(g);
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ batches: [["a", "b", "c"], ["d", "e", "f"], ["g"]], batch_index: [0, 1, 2] });
  });

  it("treats a whole list arriving without fan-out as one item", async () => {
    const g = graph(
      [
        { id: "src", type: LIST, data: { name: "letters", value: ["a", "b", "c", "d"] } },
        { id: "ch", type: "nodetool.control.Chunk", data: { size: 3 } },
        { id: "out", type: OUT, data: { name: "batches" } },
      ],
      [
        ["src", "output", "ch", "input_item"],
        ["ch", "output", "out", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ batches: [["a", "b", "c", "d"]] });
  });
});

describe("Cross", () => {
  it("emits every pair of a 2 x 3 product, left item outer", async () => {
    const g = graph(
      [
        { id: "a", type: LIST, data: { name: "framings", value: ["portrait", "landscape"] } },
        { id: "b", type: LIST, data: { name: "times", value: ["dawn", "noon", "dusk"] } },
        { id: "fan1", type: "nodetool.control.Collection" },
        { id: "fan2", type: "nodetool.control.Collection" },
        { id: "x", type: "nodetool.control.Cross" },
        { id: "ol", type: OUT, data: { name: "framing" } },
        { id: "or", type: OUT, data: { name: "time_of_day" } },
      ],
      [
        ["a", "output", "fan1", "items"],
        ["b", "output", "fan2", "items"],
        ["fan1", "output", "x", "left"],
        ["fan2", "output", "x", "right"],
        ["x", "left", "ol", "value"],
        ["x", "right", "or", "value"],
      ],
    );
    const r = await run(g);
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({
      framing: ["portrait", "portrait", "portrait", "landscape", "landscape", "landscape"],
      time_of_day: ["dawn", "noon", "dusk", "dawn", "noon", "dusk"],
    });
  });

  it("fails instead of emitting more pairs than max_output_count", async () => {
    const g = graph(
      [
        { id: "fan1", type: "nodetool.control.Collection", data: { items: [1, 2, 3] } },
        { id: "fan2", type: "nodetool.control.Collection", data: { items: [1, 2, 3] } },
        { id: "x", type: "nodetool.control.Cross", data: { max_output_count: 8 } },
        { id: "ol", type: OUT, data: { name: "l" } },
      ],
      [
        ["fan1", "output", "x", "left"],
        ["fan2", "output", "x", "right"],
        ["x", "left", "ol", "value"],
      ],
    );
    const r = await run(g);
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/max_output_count \(8\)/);
    expect(r.result).toEqual({ l: null });
  });
});

describe("Take, Drop, Last", () => {
  const colours = ["red", "green", "blue", "green", "red", "amber"];

  it("Take forwards the first n items", async () => {
    const r = await run(streamThrough(colours, { id: "op", type: "nodetool.control.Take", data: { n: 3 } }));
    expect(r.result).toEqual({ out: ["red", "green", "blue"] });
  });

  it("Take reads n from a connected input", async () => {
    const g = streamThrough(
      colours,
      { id: "op", type: "nodetool.control.Take" },
      [["n", "output", "op", "n"]],
      [{ id: "n", type: "nodetool.input.IntegerInput", data: { name: "how many", value: 2 } }],
    );
    expect((await run(g)).result).toEqual({ out: ["red", "green"] });
    expect((await run(g, { "how many": 4 })).result).toEqual({ out: ["red", "green", "blue", "green"] });
  });

  it("Take ends its output without waiting for a long upstream to finish", async () => {
    const g = graph(
      [
        { id: "ticks", type: "nodetool.control.RepeatCount", data: { count: 200_000 } },
        { id: "take", type: "nodetool.control.Take", data: { n: 2 } },
        { id: "c", type: "nodetool.control.Collect" },
        { id: "out", type: OUT, data: { name: "out" } },
      ],
      [
        ["ticks", "output", "take", "input_item"],
        ["take", "output", "c", "input_item"],
        ["c", "output", "out", "value"],
      ],
    );
    const r = await run(g);
    expect(r.result).toEqual({ out: [0, 1] });
    const order = r.messages
      .filter((m) => m.type === "node_update" && (m as { status: string }).status === "completed")
      .map((m) => (m as { node_id: string }).node_id);
    // Collect finishes as soon as Take has its two items, long before the 200k ticks end.
    expect(order.indexOf("c")).toBeLessThan(order.indexOf("ticks"));
  });

  it("Take of 0 emits nothing", async () => {
    const r = await run(streamThrough(colours, { id: "op", type: "nodetool.control.Take", data: { n: 0 } }));
    expect(r.result).toEqual({ out: null });
  });

  it("Drop skips the first n items", async () => {
    const items = ["alpha", "beta", "gamma", "delta", "epsilon"];
    const r = await run(streamThrough(items, { id: "op", type: "nodetool.control.Drop", data: { n: 2 } }));
    expect(r.result).toEqual({ out: ["gamma", "delta", "epsilon"] });
  });

  it("Last keeps the final item only", async () => {
    const r = await run(streamThrough(colours, { id: "op", type: "nodetool.control.Last" }));
    expect(r.result).toEqual({ out: "amber" });
  });
});

describe("Distinct", () => {
  it("forwards each repeated string once, in first-seen order", async () => {
    const r = await run(
      streamThrough(["red", "green", "blue", "green", "red", "amber"], { id: "op", type: "nodetool.control.Distinct", data: { key: "" } }),
    );
    expect(r.result).toEqual({ out: ["red", "green", "blue", "amber"] });
  });

  it("does not conflate 1 and '1', but does equal objects with different key order", async () => {
    const r = await run(streamThrough([1, "1", { a: 1, b: 2 }, { b: 2, a: 1 }, 1], { id: "op", type: "nodetool.control.Distinct" }));
    expect(r.result).toEqual({ out: [1, "1", { a: 1, b: 2 }] });
  });

  const people = [
    { id: 1, name: "Ada" },
    { id: 2, name: "Grace" },
    { id: 1, name: "Ada L." },
    { id: 3, name: "Edsger" },
    { id: 2, name: "G. Hopper" },
  ];

  it.each(["id", "item.id", "item['id']"])("dedupes objects on a field (key %s)", async (key) => {
    const r = await run(streamThrough(people, { id: "op", type: "nodetool.control.Distinct", data: { key } }));
    expect(r.result).toEqual({ out: [people[0], people[1], people[3]] });
  });
});

describe("Count", () => {
  it("counts a whole list arriving on its handle as one item", async () => {
    const g = graph(
      [
        { id: "src", type: LIST, data: { name: "colours", value: ["red", "green", "blue", "green", "red", "amber"] } },
        { id: "op", type: "nodetool.control.Count" },
        { id: "out", type: OUT, data: { name: "count" } },
      ],
      [
        ["src", "output", "op", "input_item"],
        ["op", "output", "out", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ count: 1 });
  });

  it("counts the items of a fanned-out list", async () => {
    const g = graph(
      [
        { id: "src", type: LIST, data: { name: "colours", value: ["red", "green", "blue", "green", "red", "amber"] } },
        { id: "fan", type: "nodetool.control.Collection" },
        { id: "op", type: "nodetool.control.Count" },
        { id: "out", type: OUT, data: { name: "count" } },
      ],
      [
        ["src", "output", "fan", "items"],
        ["fan", "output", "op", "input_item"],
        ["op", "output", "out", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ count: 6 });
    expect((await run(g, { colours: [] })).result).toEqual({ count: 0 });
  });
});

describe("If, Switch, TryCatch", () => {
  const branch = graph(
    [
      { id: "cond", type: "nodetool.input.BooleanInput", data: { name: "flag", value: true } },
      { id: "val", type: "nodetool.input.StringInput", data: { name: "text", value: "hello" } },
      { id: "if", type: "nodetool.control.If" },
      { id: "yes", type: OUT, data: { name: "yes" } },
      { id: "no", type: OUT, data: { name: "no" } },
    ],
    [
      ["cond", "output", "if", "condition"],
      ["val", "output", "if", "value"],
      ["if", "if_true", "yes", "value"],
      ["if", "if_false", "no", "value"],
    ],
  );

  it("routes the value to the taken branch only", async () => {
    expect((await run(branch)).result).toEqual({ yes: "hello", no: null });
    expect((await run(branch, { flag: false, text: "bye" })).result).toEqual({ yes: null, no: "bye" });
  });

  it("routes each item of a stream on its own condition", async () => {
    const g = graph(
      [
        { id: "each", type: "nodetool.control.ForEach", data: { input_list: [true, false, true] } },
        { id: "if", type: "nodetool.control.If", sync_mode: "zip_all" },
        { id: "yes", type: OUT, data: { name: "yes" } },
        { id: "no", type: OUT, data: { name: "no" } },
      ],
      [
        ["each", "output", "if", "condition"],
        ["each", "index", "if", "value"],
        ["if", "if_true", "yes", "value"],
        ["if", "if_false", "no", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ yes: [0, 2], no: 1 });
  });

  it("Switch routes to matched with the case index, or to default", async () => {
    const sw = (value: unknown) =>
      graph(
        [
          { id: "s", type: "nodetool.control.Switch", data: { value, cases: ["a", "b", 3], input: "payload" } },
          { id: "m", type: OUT, data: { name: "matched" } },
          { id: "d", type: OUT, data: { name: "default" } },
          { id: "i", type: OUT, data: { name: "index" } },
        ],
        [
          ["s", "matched", "m", "value"],
          ["s", "default", "d", "value"],
          ["s", "index", "i", "value"],
        ],
      );
    expect((await run(sw("b"))).result).toEqual({ matched: "payload", default: null, index: 1 });
    expect((await run(sw("3"))).result).toEqual({ matched: "payload", default: null, index: 2 });
    expect((await run(sw("z"))).result).toEqual({ matched: null, default: "payload", index: -1 });
  });

  it("TryCatch substitutes the fallback for a missing value", async () => {
    const tc = (data: Record<string, unknown>) =>
      graph(
        [
          { id: "t", type: "nodetool.control.TryCatch", data },
          { id: "o", type: OUT, data: { name: "o" } },
          { id: "e", type: OUT, data: { name: "e" } },
        ],
        [
          ["t", "output", "o", "value"],
          ["t", "has_error", "e", "value"],
        ],
      );
    expect((await run(tc({ value: "v", fallback: "f" }))).result).toEqual({ o: "v", e: false });
    expect((await run(tc({ value: null, fallback: "f" }))).result).toEqual({ o: "f", e: true });
  });
});

describe("other stream operators", () => {
  it("FilterCode keeps the items matching an expression", async () => {
    const items = [{ score: 0.2 }, { score: 0.9 }, { score: 0.6 }, { other: 1 }];
    const r = await run(streamThrough(items, { id: "op", type: "nodetool.control.FilterCode", data: { predicate: "item.score > 0.5" } }));
    expect(r.result).toEqual({ out: [{ score: 0.9 }, { score: 0.6 }] });
  });

  it("FilterCode fails the job on an invalid predicate", async () => {
    const r = await run(streamThrough([1], { id: "op", type: "nodetool.control.FilterCode", data: { predicate: "process.exit()" } }));
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/invalid predicate/);
  });

  it("FilterEqual keeps equal items, or the others when inverted", async () => {
    const items = ["a", { k: 1 }, "b", { k: 1 }];
    const eq = await run(streamThrough(items, { id: "op", type: "nodetool.control.FilterEqual", data: { value: { k: 1 } } }));
    expect(eq.result).toEqual({ out: [{ k: 1 }, { k: 1 }] });
    const ne = await run(streamThrough(items, { id: "op", type: "nodetool.control.FilterEqual", data: { value: { k: 1 }, invert: true } }));
    expect(ne.result).toEqual({ out: ["a", "b"] });
  });

  it("TakeWhile and DropWhile split a stream at the first failing item", async () => {
    const items = [1, 2, 5, 1, 7];
    const tw = await run(streamThrough(items, { id: "op", type: "nodetool.control.TakeWhile", data: { predicate: "item < 3" } }));
    expect(tw.result).toEqual({ out: [1, 2] });
    const dw = await run(streamThrough(items, { id: "op", type: "nodetool.control.DropWhile", data: { predicate: "item < 3" } }));
    expect(dw.result).toEqual({ out: [5, 1, 7] });
  });

  it("Zip pairs two streams by position and drops the leftover", async () => {
    const g = graph(
      [
        { id: "l", type: "nodetool.control.Collection", data: { items: ["a", "b", "c"] } },
        { id: "r", type: "nodetool.control.Collection", data: { items: [1, 2] } },
        { id: "z", type: "nodetool.control.Zip" },
        { id: "ol", type: OUT, data: { name: "left" } },
        { id: "or", type: OUT, data: { name: "right" } },
        { id: "oi", type: OUT, data: { name: "index" } },
      ],
      [
        ["l", "output", "z", "left"],
        ["r", "output", "z", "right"],
        ["z", "left", "ol", "value"],
        ["z", "right", "or", "value"],
        ["z", "index", "oi", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ left: ["a", "b"], right: [1, 2], index: [0, 1] });
  });

  it("RepeatCount and RepeatValue stream without a list", async () => {
    const g = graph(
      [
        { id: "rc", type: "nodetool.control.RepeatCount", data: { count: 3 } },
        { id: "rv", type: "nodetool.control.RepeatValue", data: { value: { p: "sunset" }, count: 2 } },
        { id: "c1", type: "nodetool.control.Collect" },
        { id: "c2", type: "nodetool.control.Collect" },
        { id: "o1", type: OUT, data: { name: "ticks" } },
        { id: "o2", type: OUT, data: { name: "values" } },
      ],
      [
        ["rc", "output", "c1", "input_item"],
        ["rv", "output", "c2", "input_item"],
        ["c1", "output", "o1", "value"],
        ["c2", "output", "o2", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ ticks: [0, 1, 2], values: [{ p: "sunset" }, { p: "sunset" }] });
  });

  it("Tap passes items through and logs each one", async () => {
    const r = await run(streamThrough(["x", "y"], { id: "op", type: "nodetool.control.Tap", data: { label: "seen" } }));
    expect(r.result).toEqual({ out: ["x", "y"] });
    const logs = r.messages.filter((m) => m.type === "log_update").map((m) => (m as { content: string }).content);
    expect(logs).toEqual(["[seen] x", "[seen] y"]);
  });
});

describe("NodeTool example shapes with constant.List", () => {
  const colours = ["red", "green", "blue", "green", "red", "amber"];
  /** constant.List → [Collection →] op → Output, as NodeTool's example files wire them. */
  function example(op: Node, fanOut: boolean, value: unknown[] = colours) {
    const nodes: Node[] = [{ id: "src", type: "nodetool.constant.List", data: { value } }, op, { id: "out", type: OUT, data: { name: "out" } }];
    const edges: Edge[] = [[op.id, "output", "out", "value"]];
    if (fanOut) {
      nodes.push({ id: "fanout1", type: "nodetool.control.Collection", data: { items: [] } });
      edges.push(["src", "output", "fanout1", "items"], ["fanout1", "output", op.id, "input_item"]);
    } else {
      edges.push(["src", "output", op.id, "input_item"]);
    }
    return graph(nodes, edges);
  }

  it("Count a List counts 1; through Collection it counts the items", async () => {
    expect((await run(example({ id: "op", type: "nodetool.control.Count" }, false))).result).toEqual({ out: 1 });
    expect((await run(example({ id: "op", type: "nodetool.control.Count" }, true))).result).toEqual({ out: 6 });
  });

  it("Take the First Few, Drop Duplicates, Batch a List, Drop the First Few", async () => {
    expect((await run(example({ id: "op", type: "nodetool.control.Take", data: { n: 3 } }, true))).result).toEqual({ out: ["red", "green", "blue"] });
    expect((await run(example({ id: "op", type: "nodetool.control.Distinct", data: { key: "" } }, true))).result).toEqual({
      out: ["red", "green", "blue", "amber"],
    });
    const letters = ["a", "b", "c", "d", "e", "f", "g"];
    expect((await run(example({ id: "op", type: "nodetool.control.Chunk", data: { size: 3 } }, true, letters))).result).toEqual({
      out: [["a", "b", "c"], ["d", "e", "f"], ["g"]],
    });
    const greek = ["alpha", "beta", "gamma", "delta", "epsilon"];
    expect((await run(example({ id: "op", type: "nodetool.control.Drop", data: { n: 2 } }, true, greek))).result).toEqual({
      out: ["gamma", "delta", "epsilon"],
    });
  });
});

describe("item expressions", () => {
  it("evaluates the safe subset", () => {
    const ev = (src: string, item: unknown) => compileItemExpression(src)(item);
    expect(ev("item.a.b + 1", { a: { b: 2 } })).toBe(3);
    expect(ev("item[0] === 'x' && !(item.length > 3)", ["x", "y"])).toBe(true);
    expect(ev("typeof item == 'string' || item % 2 === 1", 3)).toBe(true);
    expect(ev("-item * 2 - 1", 4)).toBe(-9);
    expect(ev("1 + 2 * 3 < 8", null)).toBe(true);
    expect(ev("item.constructor", {})).toBe(undefined);
    expect(ev("item.missing.deeper", {})).toBe(undefined);
  });

  it("rejects anything beyond it", () => {
    for (const src of ["globalThis", "item.f()", "item = 1", "item[x]", "(1", "'open"]) {
      expect(() => compileItemExpression(src), src).toThrow();
    }
  });
});

describe("cancellation", () => {
  async function cancelAfter(g: ReturnType<typeof graph>, ms: number) {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), ms);
    const r = await run(g, {}, ac.signal);
    return { r, elapsed: Date.now() - started };
  }

  it("stops a ForEach over a million items feeding Collect", async () => {
    const g = graph(
      [
        { id: "each", type: "nodetool.control.ForEach", data: { input_list: Array.from({ length: 1_000_000 }, (_, i) => i) } },
        { id: "c", type: "nodetool.control.Collect" },
        { id: "out", type: OUT, data: { name: "out" } },
      ],
      [
        ["each", "output", "c", "input_item"],
        ["each", "index", "c", "input_item"],
        ["c", "output", "out", "value"],
      ],
    );
    const { r, elapsed } = await cancelAfter(g, 20);
    expect(r.status).toBe("cancelled");
    expect(r.result).toEqual({ out: null });
    expect(elapsed).toBeLessThan(1500);
    const last = r.messages[r.messages.length - 1] as { type: string; status: string };
    expect(last).toMatchObject({ type: "job_update", status: "cancelled" });
  });

  it("stops an effectively endless RepeatCount stream", async () => {
    const g = graph(
      [
        { id: "ticks", type: "nodetool.control.RepeatCount", data: { count: 1e12 } },
        { id: "n", type: "nodetool.control.Count" },
        { id: "out", type: OUT, data: { name: "out" } },
      ],
      [
        ["ticks", "output", "n", "input_item"],
        ["n", "output", "out", "value"],
      ],
    );
    const { r, elapsed } = await cancelAfter(g, 30);
    expect(r.status).toBe("cancelled");
    expect(elapsed).toBeLessThan(1500);
  });

  it("stops a Cross that waits on a stream that never ends", async () => {
    const g = graph(
      [
        { id: "ticks", type: "nodetool.control.RepeatCount", data: { count: 1e12 } },
        { id: "fan", type: "nodetool.control.Collection", data: { items: [1, 2] } },
        { id: "x", type: "nodetool.control.Cross", data: { max_output_count: 1e15 } },
        { id: "out", type: OUT, data: { name: "out" } },
      ],
      [
        ["ticks", "output", "x", "left"],
        ["fan", "output", "x", "right"],
        ["x", "left", "out", "value"],
      ],
    );
    const { r, elapsed } = await cancelAfter(g, 30);
    expect(r.status).toBe("cancelled");
    expect(elapsed).toBeLessThan(1500);
  });
});
