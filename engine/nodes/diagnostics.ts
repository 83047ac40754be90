import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl } from "../registry/types";
import { toBool, toInt, toNumber } from "../values/coerce";

/**
 * Nodes of our own (`edge.*`, not NodeTool's): a ticker that paces and reports progress, so a client can
 * try its streaming, resume and cancellation against a job of known length without any model.
 */

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

// Without a pause, the ticker still lets the event loop in now and then so a cancel lands mid-run.
const TICKS_PER_YIELD = 1024;
const MAX_TICKS = 1_000_000;
const MAX_INTERVAL_MS = 60_000;

async function* tick(inputs: Record<string, unknown>, ctx: NodeContext) {
  const count = toInt(inputs.count, "count");
  const intervalMs = toNumber(inputs.interval_ms, "interval_ms");
  if (count < 0 || count > MAX_TICKS) throw new Error(`count must be between 0 and ${MAX_TICKS}, got ${count}`);
  if (intervalMs < 0 || intervalMs > MAX_INTERVAL_MS) throw new Error(`interval_ms must be between 0 and ${MAX_INTERVAL_MS}, got ${intervalMs}`);
  const stream = toBool(inputs.stream);
  for (let i = 1; i <= count; i++) {
    if (intervalMs > 0) await pause(intervalMs, ctx.signal);
    else if (i % TICKS_PER_YIELD === 0) await pause(0, ctx.signal);
    ctx.progress(i, count);
    if (stream) yield { output: i };
  }
  if (!stream) yield { output: count };
}

export const diagnosticNodes: readonly NodeDecl[] = [
  defineNode({
    type: "edge.diagnostics.Ticker",
    title: "Ticker",
    description:
      "Counts from 1 to count, waiting interval_ms before each tick and reporting node_progress per tick. Streams every tick when stream is true, else outputs count once at the end.",
    properties: [
      prop("count", "int", 10, { min: 0, max: MAX_TICKS, description: "Number of ticks." }),
      prop("interval_ms", "float", 0, { min: 0, max: MAX_INTERVAL_MS, description: "Wait before each tick, in milliseconds." }),
      prop("stream", "bool", false, { description: "Emit each tick on the output instead of only the final count." }),
    ],
    outputs: [out("output", "int")],
    gen: tick,
  }),
];
