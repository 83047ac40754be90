/**
 * `nodetool.control.*`: branching, fan-out and stream operators of both NodeTool generations.
 *
 * Stream semantics (DESIGN.md section 7): a list arriving on a handle is one item. Only the fan-out nodes
 * (ForEach, Collection, RepeatCount, RepeatValue) turn a value into a stream; the stream operators (Take,
 * Drop, Chunk, Count, Distinct, Cross ...) consume their `input_item` stream item by item and see its end
 * when every upstream producer finished. A node ends its own outputs by returning.
 */
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl, NodeInputs } from "../registry/types";
import { deepEqual, isRecord, toBool, toInt, toList, toNumber, toText } from "../values/coerce";

// ---------------------------------------------------------------------------------------------------------
// Helpers

/**
 * Fan-out loops produce items as microtasks; without an occasional macrotask turn, timers and I/O (and with
 * them a cancellation) could not run until a long stream ended. Every YIELD_EVERY items the loop gives the
 * event loop one turn.
 */
const YIELD_EVERY = 1024;

type Immediate = (fn: () => void) => unknown;
const nextTurn: () => Promise<void> = (() => {
  const immediate = (globalThis as { setImmediate?: Immediate }).setImmediate;
  if (typeof immediate === "function") return () => new Promise<void>((resolve) => immediate(resolve));
  return () => new Promise<void>((resolve) => setTimeout(resolve, 0));
})();

function throwIfAborted(ctx: NodeContext): void {
  if (ctx.signal.aborted) {
    const err = new Error("The job was cancelled");
    err.name = "AbortError";
    throw err;
  }
}

/** Gives the event loop a turn every YIELD_EVERY calls, and stops when the job was cancelled. */
function pacer(ctx: NodeContext): () => Promise<void> | void {
  let n = 0;
  return () => {
    throwIfAborted(ctx);
    if (++n % YIELD_EVERY === 0) {
      return nextTurn().then(() => throwIfAborted(ctx));
    }
  };
}

/**
 * A setting of a streaming-input node: the first value that arrives on its handle when connected, the
 * stored property value otherwise (or when the connected producer ended without a value).
 */
async function setting(inputs: NodeInputs, name: string): Promise<unknown> {
  if (inputs.connected(name)) {
    for await (const v of inputs.stream(name)) return v;
  }
  return inputs.value(name);
}

/** A non-negative whole count; `fallback` when the value is not a finite number. */
function count(value: unknown, fallback: number): number {
  let n: number;
  try {
    n = toNumber(value);
  } catch {
    return fallback;
  }
  if (!Number.isFinite(n)) return fallback;
  return Math.max(0, Math.floor(n));
}

/**
 * Consumes what is left of a stream after a node returned early (Take, TakeWhile): the node's outputs end
 * at once, and items that keep arriving are dropped instead of piling up in its inbox. The drain stops at
 * end of stream or when the job ends (the executor aborts every inbox then).
 */
function drainInBackground(inputs: NodeInputs, handle: string): void {
  void (async () => {
    for await (const _ of inputs.stream(handle)) {
      // discard
    }
  })().catch(() => undefined);
}

/** A canonical string for a JSON-like value: equal values give equal keys, `1` and `"1"` differ. */
function stableKey(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" && !Number.isFinite(value)) return `number:${value}`;
  if (value instanceof Date) return `date:${value.toISOString()}`;
  if (value instanceof Uint8Array) return `bytes:${value.join(",")}`;
  if (Array.isArray(value)) return `[${value.map(stableKey).join(",")}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableKey(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? String(value);
}

function looseEqual(a: unknown, b: unknown): boolean {
  if (deepEqual(a, b)) return true;
  const primitive = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
  return primitive(a) && primitive(b) && String(a) === String(b);
}

// ---------------------------------------------------------------------------------------------------------
// Item expressions (FilterCode, TakeWhile, DropWhile, Distinct.key)
//
// NodeTool evaluates these as a safe subset of JavaScript bound to `item`. No `eval`/`new Function` here
// (Workers forbid them, and they would run arbitrary code): a small parser for literals, `item` with
// property access (`item.a.b`, `item["a"]`, `item[0]`), `typeof`, `! - +`, arithmetic, comparisons and
// `&& ||` with parentheses.

type Evaluator = (item: unknown) => unknown;
type Token = { kind: "num"; value: number } | { kind: "str"; value: string } | { kind: "id"; value: string } | { kind: "op"; value: string };

const OPERATORS = ["===", "!==", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]", ".", "!", "<", ">", "+", "-", "*", "/", "%"];
const BLOCKED_PROPERTIES = new Set(["__proto__", "constructor", "prototype"]);

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let text = "";
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === "\\" && i + 1 < src.length) {
          const e = src[i + 1];
          text += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e;
          i += 2;
        } else {
          text += src[i++];
        }
      }
      if (i >= src.length) throw new Error("unterminated string");
      i++;
      tokens.push({ kind: "str", value: text });
      continue;
    }
    const rest = src.slice(i);
    const num = /^(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest);
    if (num) {
      tokens.push({ kind: "num", value: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_$][\w$]*/.exec(rest);
    if (id) {
      tokens.push({ kind: "id", value: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`unexpected character '${c}'`);
    tokens.push({ kind: "op", value: op });
    i += op.length;
  }
  return tokens;
}

function readProperty(object: unknown, key: string | number): unknown {
  if (object === null || object === undefined) return undefined;
  if (typeof key === "string" && BLOCKED_PROPERTIES.has(key)) return undefined;
  if (typeof object === "string") return key === "length" ? object.length : typeof key === "number" ? object[key] : undefined;
  if (typeof object !== "object") return undefined;
  // Own properties only: nothing reachable through the prototype chain.
  return Object.prototype.hasOwnProperty.call(object, key) ? (object as Record<string | number, unknown>)[key] : undefined;
}

const BINARY: Record<string, [number, (a: never, b: never) => unknown]> = {
  "==": [3, (a, b) => a == b],
  "!=": [3, (a, b) => a != b],
  "===": [3, (a, b) => a === b],
  "!==": [3, (a, b) => a !== b],
  "<": [4, (a, b) => a < b],
  "<=": [4, (a, b) => a <= b],
  ">": [4, (a, b) => a > b],
  ">=": [4, (a, b) => a >= b],
  "+": [5, (a, b) => (a as number) + (b as number)],
  "-": [5, (a, b) => (a as number) - (b as number)],
  "*": [6, (a, b) => (a as number) * (b as number)],
  "/": [6, (a, b) => (a as number) / (b as number)],
  "%": [6, (a, b) => (a as number) % (b as number)],
};

/** Compiles an item expression; throws with a readable message when it is not valid. */
export function compileItemExpression(src: string): Evaluator {
  const tokens = tokenize(src);
  let pos = 0;
  const peekOp = (value: string) => tokens[pos]?.kind === "op" && tokens[pos].value === value;
  const expectOp = (value: string) => {
    if (!peekOp(value)) throw new Error(`expected '${value}'`);
    pos++;
  };

  const primary = (): Evaluator => {
    const t = tokens[pos++];
    if (!t) throw new Error("unexpected end of expression");
    if (t.kind === "num" || t.kind === "str") {
      const v = t.value;
      return () => v;
    }
    if (t.kind === "id") {
      switch (t.value) {
        case "item":
          return (item) => item;
        case "true":
          return () => true;
        case "false":
          return () => false;
        case "null":
          return () => null;
        case "undefined":
          return () => undefined;
        default:
          throw new Error(`unknown name '${t.value}' (only 'item' is bound)`);
      }
    }
    if (t.value === "(") {
      const inner = binary(0);
      expectOp(")");
      return inner;
    }
    throw new Error(`unexpected '${t.value}'`);
  };

  const postfix = (): Evaluator => {
    let node = primary();
    for (;;) {
      if (peekOp(".")) {
        pos++;
        const t = tokens[pos++];
        if (!t || t.kind !== "id") throw new Error("expected a property name after '.'");
        const obj = node;
        const key = t.value;
        node = (item) => readProperty(obj(item), key);
      } else if (peekOp("[")) {
        pos++;
        const t = tokens[pos++];
        if (!t || (t.kind !== "str" && t.kind !== "num")) throw new Error("'[...]' takes a string or number literal");
        expectOp("]");
        const obj = node;
        const key = t.value;
        node = (item) => readProperty(obj(item), key);
      } else {
        return node;
      }
    }
  };

  const unary = (): Evaluator => {
    const t = tokens[pos];
    if (t?.kind === "op" && (t.value === "!" || t.value === "-" || t.value === "+")) {
      pos++;
      const arg = unary();
      if (t.value === "!") return (item) => !arg(item);
      if (t.value === "-") return (item) => -(arg(item) as number);
      return (item) => +(arg(item) as number);
    }
    if (t?.kind === "id" && t.value === "typeof") {
      pos++;
      const arg = unary();
      return (item) => typeof arg(item);
    }
    return postfix();
  };

  // Precedence climbing: || (1) < && (2) < equality (3) < comparison (4) < additive (5) < multiplicative (6).
  const binary = (minPrec: number): Evaluator => {
    let left = unary();
    for (;;) {
      const t = tokens[pos];
      if (t?.kind !== "op") return left;
      const prec = t.value === "||" ? 1 : t.value === "&&" ? 2 : BINARY[t.value]?.[0];
      if (prec === undefined || prec < minPrec) return left;
      pos++;
      const right = binary(prec + 1);
      const l = left;
      if (t.value === "||") left = (item) => l(item) || right(item);
      else if (t.value === "&&") left = (item) => l(item) && right(item);
      else {
        const fn = BINARY[t.value][1];
        left = (item) => fn(l(item) as never, right(item) as never);
      }
    }
  };

  const root = binary(0);
  if (pos < tokens.length) throw new Error(`unexpected '${String(tokens[pos].value)}'`);
  return root;
}

/** A predicate over items; an empty expression accepts everything. */
function compilePredicate(src: unknown, node: string): (item: unknown) => boolean {
  const text = toText(src).trim();
  if (text === "") return () => true;
  let fn: Evaluator;
  try {
    fn = compileItemExpression(text);
  } catch (err) {
    throw new Error(`${node}: invalid predicate '${text}': ${(err as Error).message}`);
  }
  return (item) => {
    try {
      return Boolean(fn(item));
    } catch {
      return false;
    }
  };
}

const FIELD_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/**
 * Distinct's key: empty means the whole item; a bare field name or dotted path (`id`, `meta.url`) reads
 * that field of each item; anything else is an item expression (`item.id`, `item.name + item.year`).
 */
function compileKey(src: unknown): Evaluator | null {
  const text = toText(src).trim();
  if (text === "") return null;
  if (FIELD_PATH.test(text) && text.split(".")[0] !== "item") {
    const path = text.split(".");
    return (item) => path.reduce<unknown>((v, k) => readProperty(v, k), item);
  }
  try {
    return compileItemExpression(text);
  } catch (err) {
    throw new Error(`Distinct: invalid key '${text}': ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Branching and pass-through

const ifNode = defineNode({
  type: "nodetool.control.If",
  description:
    "Routes a value to `if_true` or `if_false` depending on a condition. Only the taken branch receives a value; nodes behind the other branch do not run.",
  properties: [
    prop("condition", "bool", false, { description: "The condition to evaluate" }),
    prop("value", "any", [], { description: "The value to pass to the next node" }),
  ],
  outputs: [out("if_true", "any"), out("if_false", "any")],
  process: (inputs) => (toBool(inputs.condition) ? { if_true: inputs.value ?? null } : { if_false: inputs.value ?? null }),
});

const switchNode = defineNode({
  type: "nodetool.control.Switch",
  description:
    "Matches `value` against `cases` and routes `input` to `matched` (with the index of the first matching case) or to `default` (index -1).",
  properties: [
    prop("value", "any", "", { description: "The value to match against the cases" }),
    prop("cases", "list[any]", [], { description: "Values to match; the first match wins" }),
    prop("input", "any", null, { description: "The data to route" }),
  ],
  outputs: [out("matched", "any"), out("default", "any"), out("index", "int")],
  process: (inputs) => {
    const cases = toList(inputs.cases);
    const input = inputs.input ?? null;
    const i = cases.findIndex((c) => looseEqual(inputs.value, c));
    return i >= 0 ? { matched: input, index: i } : { default: input, index: -1 };
  },
});

const tryCatchNode = defineNode({
  type: "nodetool.control.TryCatch",
  title: "Fallback",
  description: "Passes `value` through, or `fallback` with an error flag when the value is null or missing.",
  properties: [
    prop("value", "any", null, { description: "The value to pass through" }),
    prop("fallback", "any", null, { description: "Used when the value is null or missing" }),
  ],
  outputs: [out("output", "any"), out("error", "str"), out("has_error", "bool")],
  process: (inputs) => {
    const value = inputs.value;
    if (value !== null && value !== undefined) return { output: value, error: "", has_error: false };
    return { output: inputs.fallback ?? null, error: "Value is null or undefined", has_error: true };
  },
});

const rerouteNode = defineNode({
  type: "nodetool.control.Reroute",
  description: "Passes its input through unchanged (a layout aid; graphs are reconnected around it before a run).",
  properties: [prop("input_value", "any", [], { description: "Value to pass through unchanged" })],
  outputs: [out("output", "any")],
  process: (inputs) => ({ output: inputs.input_value ?? null }),
});

// ---------------------------------------------------------------------------------------------------------
// Fan-out: a value becomes a stream

const forEachNode = defineNode({
  type: "nodetool.control.ForEach",
  description: "Emits each element of a list as one stream item on `output`, with its position on `index`.",
  properties: [
    prop("input_list", "list[any]", [], { description: "The list of items to iterate over" }),
    prop("limit", "int", -1, { description: "Emit at most this many items; -1 emits the whole list" }),
  ],
  outputs: [out("output", "any"), out("index", "int")],
  async *gen(inputs, ctx) {
    const list = toList(inputs.input_list);
    const limit = toInt(inputs.limit ?? -1);
    const end = limit >= 0 ? Math.min(limit, list.length) : list.length;
    const pace = pacer(ctx);
    for (let index = 0; index < end; index++) {
      await pace();
      yield { output: list[index], index };
    }
  },
});

const collectionNode = defineNode({
  type: "nodetool.control.Collection",
  title: "Asset Collection",
  description: "A fixed collection of items (usually assets), emitted one at a time on `output` with `index`.",
  properties: [prop("items", "list[any]", [], { description: "The items, emitted in order" })],
  outputs: [out("output", "any"), out("index", "int")],
  async *gen(inputs, ctx) {
    const list = toList(inputs.items);
    const pace = pacer(ctx);
    for (let index = 0; index < list.length; index++) {
      await pace();
      yield { output: list[index], index };
    }
  },
});

const repeatCountNode = defineNode({
  type: "nodetool.control.RepeatCount",
  description: "Emits the ticks 0 .. count-1 as a stream (on `output` and `index`), without building a list.",
  properties: [prop("count", "int", 1, { min: 0, description: "Number of ticks to emit (0 emits nothing)" })],
  outputs: [out("output", "int"), out("index", "int")],
  async *gen(inputs, ctx) {
    const total = count(inputs.count, 0);
    const pace = pacer(ctx);
    for (let index = 0; index < total; index++) {
      await pace();
      yield { output: index, index };
    }
  },
});

const repeatValueNode = defineNode({
  type: "nodetool.control.RepeatValue",
  description: "Emits the same value `count` times as a stream, with `index`.",
  properties: [
    prop("value", "any", null, { description: "The value to emit on each tick" }),
    prop("count", "int", 1, { min: 0, description: "Number of times to emit the value (0 emits nothing)" }),
  ],
  outputs: [out("output", "any"), out("index", "int")],
  async *gen(inputs, ctx) {
    const value = inputs.value ?? null;
    const total = count(inputs.count, 0);
    const pace = pacer(ctx);
    for (let index = 0; index < total; index++) {
      await pace();
      yield { output: value, index };
    }
  },
});

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

/** Every `nodetool.control.*` node: NodeTool's older Python generation and its current TypeScript one. */
export const controlNodes: NodeDecl[] = [
  ifNode,
  forEachNode,
  collectNode,
  rerouteNode,
  collectionNode,
  repeatCountNode,
  repeatValueNode,
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
  switchNode,
  tryCatchNode,
  zipNode,
  crossNode,
];
