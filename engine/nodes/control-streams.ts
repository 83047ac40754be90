/**
 * `nodetool.control.*` stream operators and joins: they consume `input_item` (or `left`/`right`) item by item
 * and see a stream's end when every upstream producer finished. A list arriving on a
 * handle is one item.
 */
import { compileKey, compilePredicate } from "../control/item-expression";
import { count, drainInBackground, pacer, setting, stableKey } from "../control/stream-helpers";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl, NodeInputs } from "../registry/types";
import { deepEqual, toBool, toText } from "../values/coerce";

// ---------------------------------------------------------------------------------------------------------
// Stream operators: consume `input_item` item by item

const inputItem = (description: string, defaultValue: unknown = null) => prop("input_item", "any", defaultValue, { description });

const collectNode = defineNode({
  type: "nodetool.control.Collect",
  description: "Gathers every item of its input stream and emits them as one list when the stream ends.",
  properties: [inputItem("The items to collect", [])],
  outputs: [out("output", "list[any]")],
  async run(inputs, outputs) {
    const items: unknown[] = [];
    for await (const item of inputs.stream("input_item")) items.push(item);
    outputs.emit("output", items);
  },
});

const countNode = defineNode({
  type: "nodetool.control.Count",
  description: "Emits how many items its input stream carried, when the stream ends. A list arriving whole counts as one item.",
  properties: [inputItem("The items to count")],
  outputs: [out("output", "int")],
  async run(inputs, outputs) {
    let n = 0;
    for await (const _ of inputs.stream("input_item")) n++;
    outputs.emit("output", n);
  },
});

const lastNode = defineNode({
  type: "nodetool.control.Last",
  description: "Emits only the final item of its input stream (nothing for an empty stream).",
  properties: [inputItem("The stream whose last item is kept")],
  outputs: [out("output", "any")],
  async run(inputs, outputs) {
    let last: unknown;
    let seen = false;
    for await (const item of inputs.stream("input_item")) {
      last = item;
      seen = true;
    }
    if (seen) outputs.emit("output", last);
  },
});

const chunkNode = defineNode({
  type: "nodetool.control.Chunk",
  description:
    "Groups the items of its input stream into lists of `size` and emits each batch; the trailing partial batch is emitted at end of stream.",
  properties: [inputItem("The items to batch"), prop("size", "int", 10, { min: 1, description: "Number of items per batch" })],
  outputs: [out("output", "list[any]"), out("index", "int")],
  async run(inputs, outputs) {
    const size = Math.max(1, count(await setting(inputs, "size"), 10));
    let batch: unknown[] = [];
    let index = 0;
    for await (const item of inputs.stream("input_item")) {
      batch.push(item);
      if (batch.length >= size) {
        outputs.emit("output", batch);
        outputs.emit("index", index++);
        batch = [];
      }
    }
    if (batch.length > 0) {
      outputs.emit("output", batch);
      outputs.emit("index", index);
    }
  },
});

const takeNode = defineNode({
  type: "nodetool.control.Take",
  description: "Forwards the first `n` items of its input stream, then ends its output.",
  properties: [inputItem("The stream to cut"), prop("n", "int", 1, { min: 0, description: "Number of items to take" })],
  outputs: [out("output", "any"), out("index", "int")],
  async run(inputs, outputs) {
    const n = count(await setting(inputs, "n"), 1);
    let taken = 0;
    if (n > 0) {
      for await (const item of inputs.stream("input_item")) {
        outputs.emit("output", item);
        outputs.emit("index", taken);
        if (++taken >= n) break;
      }
    }
    drainInBackground(inputs, "input_item");
  },
});

const dropNode = defineNode({
  type: "nodetool.control.Drop",
  description: "Skips the first `n` items of its input stream and forwards the rest.",
  properties: [inputItem("The stream to skip into"), prop("n", "int", 1, { min: 0, description: "Number of items to skip" })],
  outputs: [out("output", "any"), out("index", "int")],
  async run(inputs, outputs) {
    const n = count(await setting(inputs, "n"), 0);
    let seen = 0;
    let index = 0;
    for await (const item of inputs.stream("input_item")) {
      if (seen < n) {
        seen++;
        continue;
      }
      outputs.emit("output", item);
      outputs.emit("index", index++);
    }
  },
});

const takeWhileNode = defineNode({
  type: "nodetool.control.TakeWhile",
  description: "Forwards items while `predicate` (an expression over `item`) holds; ends its output at the first item where it fails.",
  properties: [inputItem("The stream to cut"), prop("predicate", "str", "true", { description: "Expression over `item`, e.g. `item.score > 0.5`" })],
  outputs: [out("output", "any")],
  async run(inputs, outputs) {
    const test = compilePredicate(await setting(inputs, "predicate"), "TakeWhile");
    for await (const item of inputs.stream("input_item")) {
      if (!test(item)) break;
      outputs.emit("output", item);
    }
    drainInBackground(inputs, "input_item");
  },
});

const dropWhileNode = defineNode({
  type: "nodetool.control.DropWhile",
  description: "Skips items while `predicate` (an expression over `item`) holds, then forwards everything after.",
  properties: [inputItem("The stream to skip into"), prop("predicate", "str", "false", { description: "Expression over `item`, e.g. `item < 10`" })],
  outputs: [out("output", "any")],
  async run(inputs, outputs) {
    const test = compilePredicate(await setting(inputs, "predicate"), "DropWhile");
    let dropping = true;
    for await (const item of inputs.stream("input_item")) {
      if (dropping && test(item)) continue;
      dropping = false;
      outputs.emit("output", item);
    }
  },
});

const filterEqualNode = defineNode({
  type: "nodetool.control.FilterEqual",
  description: "Forwards the items equal to `value` (or, with `invert`, the items that differ).",
  properties: [
    inputItem("The stream to filter"),
    prop("value", "any", null, { description: "Items deep-equal to this pass" }),
    prop("invert", "bool", false, { description: "Pass the items that are NOT equal instead" }),
  ],
  outputs: [out("output", "any")],
  async run(inputs, outputs) {
    const target = await setting(inputs, "value");
    const invert = toBool(await setting(inputs, "invert"));
    for await (const item of inputs.stream("input_item")) {
      if (deepEqual(item, target) !== invert) outputs.emit("output", item);
    }
  },
});

const filterCodeNode = defineNode({
  type: "nodetool.control.FilterCode",
  title: "Filter (Expression)",
  description:
    "Forwards the items for which `predicate` holds: an expression over `item` with property access, comparisons, arithmetic and `&& || !`.",
  properties: [inputItem("The stream to filter"), prop("predicate", "str", "true", { description: "Expression over `item`, e.g. `item.score > 0.5`" })],
  outputs: [out("output", "any")],
  async run(inputs, outputs) {
    const test = compilePredicate(await setting(inputs, "predicate"), "FilterCode");
    for await (const item of inputs.stream("input_item")) {
      if (test(item)) outputs.emit("output", item);
    }
  },
});

const distinctNode = defineNode({
  type: "nodetool.control.Distinct",
  description:
    "Forwards each distinct item once, in order of first sighting. `key` dedupes on a field (`id`) or an expression (`item.url`); empty compares whole items.",
  properties: [inputItem("The stream to dedupe"), prop("key", "str", "", { description: "Field name or expression over `item`; empty uses the whole item" })],
  outputs: [out("output", "any")],
  async run(inputs, outputs) {
    const keyFn = compileKey(await setting(inputs, "key"));
    const seen = new Set<string>();
    for await (const item of inputs.stream("input_item")) {
      let k: unknown;
      if (keyFn) {
        try {
          k = keyFn(item);
        } catch {
          k = undefined;
        }
      }
      // Items without the key fall back to whole-item comparison, as NodeTool does.
      const s = k === undefined ? `i:${stableKey(item)}` : `k:${stableKey(k)}`;
      if (seen.has(s)) continue;
      seen.add(s);
      outputs.emit("output", item);
    }
  },
});

const tapNode = defineNode({
  type: "nodetool.control.Tap",
  description: "Passes its input stream through unchanged and logs each item (as a log update of the job).",
  properties: [inputItem("The stream to inspect"), prop("label", "str", "tap", { description: "Label put before each logged item" })],
  outputs: [out("output", "any")],
  async run(inputs, outputs, ctx) {
    const label = toText(await setting(inputs, "label"));
    for await (const item of inputs.stream("input_item")) {
      ctx.log(`[${label}] ${toText(item)}`);
      outputs.emit("output", item);
    }
  },
});

// ---------------------------------------------------------------------------------------------------------
// Joins of two streams

/** The items of a join side: its stream when connected, else the stored property as one item (if set). */
async function sideItems(inputs: NodeInputs, handle: string, into: unknown[], pace: () => Promise<void> | void): Promise<void> {
  if (!inputs.connected(handle)) {
    const v = inputs.value(handle);
    if (v !== null && v !== undefined) into.push(v);
    return;
  }
  for await (const v of inputs.stream(handle)) {
    into.push(v);
    await pace();
  }
}

const crossNode = defineNode({
  type: "nodetool.control.Cross",
  description:
    "Cartesian product of two streams: waits for both to end, then emits every pair on `left` and `right`, left item outer.",
  properties: [
    prop("left", "any", null, { description: "Left stream" }),
    prop("right", "any", null, { description: "Right stream" }),
    prop("max_output_count", "int", 1024, { min: 1, description: "Fail rather than emit more pairs than this" }),
  ],
  outputs: [out("left", "any"), out("right", "any")],
  async run(inputs, outputs, ctx) {
    const limit = Math.max(1, count(await setting(inputs, "max_output_count"), 1024));
    const pace = pacer(ctx);
    const lefts: unknown[] = [];
    const rights: unknown[] = [];
    // The inbox buffers both handles, so reading one side to its end and then the other cannot stall.
    await sideItems(inputs, "left", lefts, pace);
    await sideItems(inputs, "right", rights, pace);
    if (lefts.length * rights.length > limit) {
      throw new Error(
        `Cross would emit ${lefts.length * rights.length} pairs (${lefts.length} x ${rights.length}), more than max_output_count (${limit})`,
      );
    }
    for (const l of lefts) {
      for (const r of rights) {
        await pace();
        outputs.emit("left", l);
        outputs.emit("right", r);
      }
    }
  },
});

const zipNode = defineNode({
  type: "nodetool.control.Zip",
  description:
    "Pairs two streams by position: the i-th item of `left` with the i-th item of `right`, emitted as soon as both arrived, with `index`. Unpaired leftovers are dropped.",
  properties: [
    prop("left", "any", null, { description: "Left stream" }),
    prop("right", "any", null, { description: "Right stream" }),
    prop("max_unmatched_pairs", "int", 1024, { min: 1, description: "Fail when one side runs this far ahead of the other" }),
  ],
  outputs: [out("left", "any"), out("right", "any"), out("index", "int")],
  async run(inputs, outputs) {
    const limit = Math.max(1, count(await setting(inputs, "max_unmatched_pairs"), 1024));
    const pending: Record<"left" | "right", unknown[]> = { left: [], right: [] };
    const heads: Record<"left" | "right", number> = { left: 0, right: 0 };
    for (const side of ["left", "right"] as const) {
      if (!inputs.connected(side)) {
        const v = inputs.value(side);
        if (v !== null && v !== undefined) pending[side].push(v);
      }
    }
    let index = 0;
    const flush = () => {
      while (heads.left < pending.left.length && heads.right < pending.right.length) {
        outputs.emit("left", pending.left[heads.left++]);
        outputs.emit("right", pending.right[heads.right++]);
        outputs.emit("index", index++);
      }
      for (const side of ["left", "right"] as const) {
        if (heads[side] > 1024 && heads[side] * 2 > pending[side].length) {
          pending[side] = pending[side].slice(heads[side]);
          heads[side] = 0;
        }
      }
    };
    flush();
    for await (const [handle, value] of inputs.any()) {
      if (handle !== "left" && handle !== "right") continue;
      pending[handle].push(value);
      flush();
      if (pending[handle].length - heads[handle] > limit) {
        throw new Error(`Zip: '${handle}' ran more than max_unmatched_pairs (${limit}) items ahead of the other side`);
      }
    }
  },
});

export const controlStreamNodes: NodeDecl[] = [
  collectNode,
  takeNode,
  dropNode,
  takeWhileNode,
  dropWhileNode,
  filterEqualNode,
  filterCodeNode,
  chunkNode,
  lastNode,
  countNode,
  distinctNode,
  tapNode,
  zipNode,
  crossNode,
];
