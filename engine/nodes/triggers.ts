/**
 * `nodetool.triggers.*` that can run inside one hosted job: Wait (a delay) and IntervalTrigger (ticks on a
 * timer). Both end early when the job ends: cancelled, failed elsewhere, or past its time limit (the run's
 * signal aborts then), so a long wait never outlives the job that asked for it.
 *
 * Not declared: ManualTrigger (its events are pushed into a running job through NodeTool's runner API, which
 * this server does not offer), WebhookTrigger (it starts an HTTP server of its own on a port) and
 * FileWatchTrigger (it watches the host's file system).
 * NodeTool: packages/base-nodes/src/nodes/triggers.ts.
 */
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl } from "../registry/types";
import { describe, toBool, toNumber } from "../values/coerce";

/** The longest single wait: a day. setTimeout itself fires at once past 2^31-1 ms (about 24.8 days). */
const MAX_WAIT_SECONDS = 24 * 60 * 60;
/** The most ticks one IntervalTrigger emits, so that an unlimited trigger with a tiny interval stays bounded. */
export const MAX_TICKS = 10_000;
/** NodeTool's floor on a tick wait, so drift compensation never spins. */
const MIN_WAIT_MS = 1;

function abortError(ctx: NodeContext): Error {
  const err = new Error("The job was cancelled");
  err.name = "AbortError";
  return ctx.signal.reason instanceof Error ? ctx.signal.reason : err;
}

/** Resolves after `ms`, or rejects as soon as the job's signal aborts. */
function sleep(ms: number, ctx: NodeContext): Promise<void> {
  if (ctx.signal.aborted) return Promise.reject(abortError(ctx));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(ctx));
    };
    const timer = setTimeout(() => {
      ctx.signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    ctx.signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** A number of seconds a user set: finite, not negative, at most `max`. */
function seconds(value: unknown, name: string, node: string, max = MAX_WAIT_SECONDS): number {
  let n: number;
  try {
    n = toNumber(value ?? 0);
  } catch {
    throw new Error(`${node}: ${name} must be a number of seconds, got ${describe(value)}`);
  }
  if (!Number.isFinite(n) || n < 0) throw new Error(`${node}: ${name} must be a number of seconds >= 0, got ${describe(value)}`);
  if (n > max) throw new Error(`${node}: ${name} must be at most ${max} seconds, got ${n}`);
  return n;
}

/**
 * Waits `timeout_seconds` (fractions allowed; 0 does not wait), then hands `input` on unchanged with the time
 * it resumed and how long it waited.
 */
const waitNode = defineNode({
  type: "nodetool.triggers.Wait",
  description: "Pauses for a fixed delay, then passes its input through unchanged. The delay ends early when the job ends.",
  properties: [
    prop("timeout_seconds", "int", 0, { min: 0, max: MAX_WAIT_SECONDS, description: "Seconds to wait before continuing (0 = no wait)" }),
    prop("input", "any", "", { description: "Data passed through after waiting" }),
  ],
  outputs: [out("data", "any"), out("resumed_at", "str"), out("waited_seconds", "float")],
  async process(inputs, ctx) {
    const wait = seconds(inputs.timeout_seconds, "timeout_seconds", "Wait");
    const now = () => ctx.services.now();
    const start = now();
    // NodeTool: floor to whole milliseconds.
    if (wait > 0) await sleep(Math.floor(wait * 1000), ctx);
    const end = now();
    return { data: inputs.input ?? "", resumed_at: new Date(end).toISOString(), waited_seconds: (end - start) / 1000 };
  },
});

/**
 * Emits a tick every `interval_seconds` (the first at once when `emit_on_start`), until `max_events` ticks or
 * the job ends. With drift compensation tick k lands k intervals after the start, however long the ticks
 * took downstream. `max_events` 0 means until the job's time limit, and at most MAX_TICKS ticks.
 */
const intervalTrigger = defineNode({
  type: "nodetool.triggers.IntervalTrigger",
  description: "Emits a tick event every interval, within the job: at most `max_events` ticks (0: until the job ends).",
  properties: [
    prop("max_events", "int", 0, { min: 0, description: `Number of ticks to emit (0 = until the job ends, at most ${MAX_TICKS})` }),
    prop("interval_seconds", "float", 60, { description: "Seconds between ticks" }),
    prop("initial_delay_seconds", "float", 0, { min: 0, description: "Delay before the first tick" }),
    prop("emit_on_start", "bool", true, { description: "Emit the first tick at once" }),
    prop("include_drift_compensation", "bool", true, { description: "Keep ticks on the interval grid however long each took" }),
  ],
  outputs: [
    out("tick", "int"),
    out("elapsed_seconds", "float"),
    out("interval_seconds", "float"),
    out("timestamp", "str"),
    out("source", "str"),
    out("event_type", "str"),
  ],
  async *gen(inputs, ctx) {
    const node = "IntervalTrigger";
    const interval = seconds(inputs.interval_seconds ?? 60, "interval_seconds", node);
    const initialDelay = seconds(inputs.initial_delay_seconds, "initial_delay_seconds", node);
    const requested = Math.floor(toNumber(inputs.max_events ?? 0));
    if (!Number.isFinite(requested) || requested < 0) throw new Error(`${node}: max_events must be a whole number >= 0, got ${describe(inputs.max_events)}`);
    if (requested > MAX_TICKS) throw new Error(`${node}: max_events must be at most ${MAX_TICKS}, got ${requested}`);
    const limit = requested === 0 ? MAX_TICKS : requested;
    const emitOnStart = toBool(inputs.emit_on_start ?? true);
    const drift = toBool(inputs.include_drift_compensation ?? true);
    const intervalMs = interval * 1000;
    const initialMs = initialDelay * 1000;
    const now = () => ctx.services.now();
    const start = now();
    const event = (tick: number) => ({
      tick,
      elapsed_seconds: (now() - start) / 1000,
      interval_seconds: interval,
      timestamp: new Date(now()).toISOString(),
      source: "interval",
      event_type: "tick",
    });

    let tick = 0;
    if (initialMs > 0) await sleep(initialMs, ctx);
    if (emitOnStart) yield event(++tick);
    // Without an on-start tick the first one still lands a whole interval after the initial delay.
    const offset = emitOnStart ? 0 : 1;
    while (tick < limit) {
      const due = (tick + offset) * intervalMs + initialMs;
      await sleep(drift ? Math.max(MIN_WAIT_MS, due - (now() - start)) : Math.max(MIN_WAIT_MS, intervalMs), ctx);
      yield event(++tick);
    }
    if (requested === 0) throw new Error(`${node}: stopped after ${MAX_TICKS} ticks, the most one run emits; set max_events to end sooner`);
  },
});

export const triggerNodes: NodeDecl[] = [waitNode, intervalTrigger];
