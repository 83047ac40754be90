/** `nodetool.triggers.*`: Wait and IntervalTrigger, bounded by the job (NodeTool: base-nodes triggers.ts). */
import { describe, expect, it } from "vitest";
import { MAX_TICKS } from "../../engine/nodes/triggers";
import { GraphSchema, type Graph } from "../../schema/workflow";
import { registry, run } from "./helpers";

function waitGraph(timeout: unknown): Graph {
  return GraphSchema.parse({
    nodes: [
      { id: "value", type: "test.Input", name: "input" },
      { id: "wait", type: "nodetool.triggers.Wait", data: { timeout_seconds: timeout } },
      { id: "sink", type: "nodetool.control.Reroute", name: "wait_result" },
      { id: "waited", type: "nodetool.output.Output", data: { name: "waited" } },
      { id: "resumed", type: "nodetool.output.Output", data: { name: "resumed" } },
    ],
    edges: [
      { id: "a", source: "value", sourceHandle: "value", target: "wait", targetHandle: "input" },
      { id: "b", source: "wait", sourceHandle: "data", target: "sink", targetHandle: "input_value" },
      { id: "c", source: "wait", sourceHandle: "waited_seconds", target: "waited", targetHandle: "value" },
      { id: "d", source: "wait", sourceHandle: "resumed_at", target: "resumed", targetHandle: "value" },
    ],
  });
}

describe("Wait", () => {
  it("waits a fractional number of seconds, then hands its input on with when it resumed", async () => {
    const started = Date.now();
    const r = await run(waitGraph(0.05), { input: { message: "hello" } });
    expect(r.status).toBe("completed");
    expect(r.result.wait_result).toEqual({ message: "hello" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(r.result.waited).toBeGreaterThanOrEqual(0.045);
    expect(Date.parse(r.result.resumed as string)).toBeGreaterThanOrEqual(started);
  });

  it("takes its timeout from an edge, as NodeTool's CLI example does", async () => {
    const graph = GraphSchema.parse({
      nodes: [
        { id: "value", type: "test.Input", name: "input" },
        { id: "timeout", type: "test.Input", name: "timeout_seconds" },
        { id: "wait", type: "nodetool.triggers.Wait" },
        { id: "sink", type: "nodetool.control.Reroute", name: "wait_result" },
      ],
      edges: [
        { source: "value", sourceHandle: "value", target: "wait", targetHandle: "input" },
        { source: "timeout", sourceHandle: "value", target: "wait", targetHandle: "timeout_seconds" },
        { source: "wait", sourceHandle: "data", target: "sink", targetHandle: "input_value" },
      ],
    });
    const r = await run(graph, { input: [1, 2], timeout_seconds: 0.02 });
    expect(r.result).toEqual({ wait_result: [1, 2] });
  });

  it("0 does not wait; a negative or huge timeout fails the node", async () => {
    const zero = await run(waitGraph(0), { input: "x" });
    expect(zero.result.waited).toBeLessThan(0.02);
    const negative = await run(waitGraph(-1), { input: "x" });
    expect(negative.status).toBe("failed");
    expect(negative.error).toMatch(/timeout_seconds must be a number of seconds >= 0/);
    const huge = await run(waitGraph(10 ** 9), { input: "x" });
    expect(huge.error).toMatch(/at most 86400 seconds/);
  });

  it("ends as soon as the job is cancelled or runs past its time limit", async () => {
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 30);
    let started = Date.now();
    const cancelled = await run(waitGraph(30), { input: "x" }, cancel.signal);
    expect(cancelled.status).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(2000);

    started = Date.now();
    const timedOut = await run(waitGraph(30), { input: "x" }, AbortSignal.timeout(30));
    expect(timedOut.status).toBe("timed_out");
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

function intervalGraph(data: Record<string, unknown>): Graph {
  return GraphSchema.parse({
    nodes: [
      { id: "tick", type: "nodetool.triggers.IntervalTrigger", data },
      { id: "collect", type: "nodetool.control.Collect" },
      { id: "ticks", type: "nodetool.output.Output", data: { name: "ticks" } },
      { id: "src", type: "nodetool.output.Output", data: { name: "source" } },
    ],
    edges: [
      { id: "a", source: "tick", sourceHandle: "tick", target: "collect", targetHandle: "input_item" },
      { id: "b", source: "collect", sourceHandle: "output", target: "ticks", targetHandle: "value" },
      { id: "c", source: "tick", sourceHandle: "source", target: "src", targetHandle: "value" },
    ],
  });
}

describe("IntervalTrigger", () => {
  it("emits max_events ticks an interval apart, then ends its stream", async () => {
    const started = Date.now();
    const r = await run(intervalGraph({ max_events: 3, interval_seconds: 0.03, emit_on_start: false }));
    expect(r.status).toBe("completed");
    expect(r.result.ticks).toEqual([1, 2, 3]);
    expect(r.result.source).toEqual(["interval", "interval", "interval"]);
    // Without an on-start tick, three whole intervals pass before the last one.
    expect(Date.now() - started).toBeGreaterThanOrEqual(85);
  });

  it("emits its first tick at once with emit_on_start", async () => {
    const started = Date.now();
    const r = await run(intervalGraph({ max_events: 1, interval_seconds: 5 }));
    expect(r.result.ticks).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses more ticks than one run may take and stops an unlimited one at the job's end", async () => {
    const tooMany = await run(intervalGraph({ max_events: MAX_TICKS + 1, interval_seconds: 1 }));
    expect(tooMany.status).toBe("failed");
    expect(tooMany.error).toMatch(/max_events must be at most/);
    const unlimited = await run(intervalGraph({ max_events: 0, interval_seconds: 0.01 }), {}, AbortSignal.timeout(60));
    expect(unlimited.status).toBe("timed_out");
  });

  it("only the triggers that can run inside one hosted job are declared", () => {
    expect(registry.has("nodetool.triggers.Wait")).toBe(true);
    expect(registry.has("nodetool.triggers.IntervalTrigger")).toBe(true);
    for (const t of ["ManualTrigger", "WebhookTrigger", "FileWatchTrigger"]) expect(registry.has(`nodetool.triggers.${t}`)).toBe(false);
  });
});
