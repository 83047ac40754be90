import { describe, expect, it } from "vitest";
import { graph, run, runNode } from "./helpers";

const ticker = (data: Record<string, unknown>) =>
  graph(
    [
      { id: "t", type: "edge.diagnostics.Ticker", data },
      { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
    ],
    [["t", "output", "out", "value"]],
  );

describe("edge.diagnostics.Ticker", () => {
  it("reports one node_progress per tick and outputs the count", async () => {
    const r = await run(ticker({ count: 5 }));
    expect(r.result.out).toBe(5);
    const progress = r.messages.flatMap((m) => (m.type === "node_progress" ? [[m.progress, m.total]] : []));
    expect(progress).toEqual([
      [1, 5],
      [2, 5],
      [3, 5],
      [4, 5],
      [5, 5],
    ]);
  });

  it("streams every tick when stream is true", async () => {
    expect(await runNode("edge.diagnostics.Ticker", { count: 3, stream: true })).toEqual([1, 2, 3]);
  });

  it("rejects a count over the limit", async () => {
    const r = await run(ticker({ count: 2_000_000 }));
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/count must be between 0 and 1000000/);
  });

  it("stops between ticks when the job is cancelled", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const r = await run(ticker({ count: 1000, interval_ms: 5 }), {}, controller.signal);
    expect(r.status).toBe("cancelled");
    const ticks = r.messages.filter((m) => m.type === "node_progress").length;
    expect(ticks).toBeGreaterThan(0);
    expect(ticks).toBeLessThan(1000);
  });
});
