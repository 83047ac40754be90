import type { EngineMessage } from "../../schema/messages";
import { createCoreRegistry } from "../../engine/nodes/index";
import { runWorkflow, type RunResult } from "../../engine/executor/run-workflow";
import type { Graph } from "../../schema/workflow";
import { GraphSchema } from "../../schema/workflow";

export const registry = createCoreRegistry();

type NodeSpec = { id: string; type: string; data?: Record<string, unknown>; dynamic_properties?: Record<string, unknown>; sync_mode?: "on_any" | "zip_all" };
/** An edge as `[source, sourceHandle, target, targetHandle]`. */
type EdgeSpec = [string, string, string, string];

/** Builds a NodeTool-format graph from terse specs. */
export function graph(nodes: NodeSpec[], edges: EdgeSpec[] = []): Graph {
  return GraphSchema.parse({
    nodes,
    edges: edges.map(([source, sourceHandle, target, targetHandle], i) => ({ id: `e${i}`, source, sourceHandle, target, targetHandle })),
  });
}

/** Runs a graph with the core registry and returns the result plus every message. */
export async function run(
  g: Graph,
  params: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<RunResult & { messages: EngineMessage[] }> {
  const messages: EngineMessage[] = [];
  const result = await runWorkflow(g, params, { registry, emit: (m) => messages.push(m), signal });
  return { ...result, messages };
}

/**
 * Runs one node with constant inputs wired to the given handles and returns what reached its `output`
 * (or the named handle). The shortest way to test a node through the real executor.
 */
export async function runNode(
  type: string,
  data: Record<string, unknown> = {},
  handle = "output",
  extra: { dynamic_properties?: Record<string, unknown> } = {},
): Promise<unknown> {
  const g = graph(
    [
      { id: "n", type, data, ...extra },
      { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
    ],
    [["n", handle, "out", "value"]],
  );
  const r = await run(g);
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return r.result.out;
}
