/**
 * Shared machinery of the `nodetool.control.*` stream nodes: pacing long loops, reading settings of
 * streaming-input nodes, and value keys for dedupe and matching.
 */
import type { NodeContext, NodeInputs } from "../registry/types";
import { deepEqual, isRecord, toNumber } from "../values/coerce";

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
export function pacer(ctx: NodeContext): () => Promise<void> | void {
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
export async function setting(inputs: NodeInputs, name: string): Promise<unknown> {
  if (inputs.connected(name)) {
    for await (const v of inputs.stream(name)) return v;
  }
  return inputs.value(name);
}

/** A non-negative whole count; `fallback` when the value is not a finite number. */
export function count(value: unknown, fallback: number): number {
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
export function drainInBackground(inputs: NodeInputs, handle: string): void {
  void (async () => {
    for await (const _ of inputs.stream(handle)) {
      // discard
    }
  })().catch(() => undefined);
}

/** A canonical string for a JSON-like value: equal values give equal keys, `1` and `"1"` differ. */
export function stableKey(value: unknown): string {
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

export function looseEqual(a: unknown, b: unknown): boolean {
  if (deepEqual(a, b)) return true;
  const primitive = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
  return primitive(a) && primitive(b) && String(a) === String(b);
}
