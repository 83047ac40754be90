/** The workflows the benchmarks run, in NodeTool's format. */

/** Three nodes: a string input, upper-cased, into an output named `text`. */
export const THREE_NODES = {
  name: "bench: three nodes",
  graph: {
    nodes: [
      { id: "in", type: "nodetool.input.StringInput", data: { name: "text", value: "hello" } },
      { id: "up", type: "nodetool.text.ToUppercase", data: {} },
      { id: "out", type: "nodetool.output.Output", data: { name: "text" } },
    ],
    edges: [
      { source: "in", sourceHandle: "output", target: "up", targetHandle: "text" },
      { source: "up", sourceHandle: "output", target: "out", targetHandle: "value" },
    ],
  },
};

/** One Ticker node: `count` node_progress messages, `intervalMs` apart, then the count on output `ticks`. */
export const tickerWorkflow = (count: number, intervalMs: number) => ({
  name: `bench: ticker ${count}`,
  graph: {
    nodes: [
      { id: "t", type: "edge.diagnostics.Ticker", data: { count, interval_ms: intervalMs } },
      { id: "o", type: "nodetool.output.Output", data: { name: "ticks" } },
    ],
    edges: [{ source: "t", sourceHandle: "output", target: "o", targetHandle: "value" }],
  },
});
