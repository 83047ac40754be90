import type { Graph, GraphEdge, GraphNode } from "../../schema/workflow";
import { descriptorName, ioName } from "./node-names";

/** Editor-only node types: they carry no data flow and are dropped before a run. */
const EDITOR_ONLY = new Set([
  "nodetool.workflows.base_node.Comment",
  "nodetool.workflows.base_node.Group",
]);

/**
 * Reroute node types. One that feeds other nodes is a pass-through: removed and its edges reconnected around
 * it, like a bypassed node. One that feeds nothing is a workflow output (see rerouteSink).
 */
const REROUTE = new Set(["nodetool.workflows.base_node.Reroute", "nodetool.control.Reroute"]);

/** What a leaf reroute becomes: a sink, so that the result map, output_schema and validation see an output. */
export const REROUTE_SINK_TYPE = "nodetool.output.Output";

export interface NormalizedGraph {
  nodes: GraphNode[];
  edges: (GraphEdge & { id: string })[];
}

function isBypassed(node: GraphNode): boolean {
  return Boolean(node.ui_properties && (node.ui_properties as Record<string, unknown>).bypassed === true);
}

/**
 * A reroute that feeds nothing, as the sink it is at run time. NodeTool's runner collects the outputs of every
 * node without outgoing data edges under the node's `name` (or its id), so a trailing reroute is how CLI
 * graphs name their results (NodeTool: packages/kernel/src/runner.ts `_isOutputNode`, `_processGraph`).
 * Its `input_value` becomes the sink's `value`; unconnected, it yields its stored `input_value` as NodeTool's
 * Reroute would.
 */
function rerouteSink(node: GraphNode, fed: boolean): GraphNode {
  const name = descriptorName(node) || ioName(node).trim() || node.id;
  const data: Record<string, unknown> = { name };
  if (!fed) data.value = node.data.input_value ?? [];
  return { ...node, type: REROUTE_SINK_TYPE, data };
}

/**
 * Turns an editor graph into the graph that runs: drops editor-only nodes, removes
 * bypassed nodes and reroutes that feed other nodes while reconnecting what flowed through them, turns
 * reroutes that feed nothing into sinks, drops dangling edges and gives every edge an id. The input is not
 * modified.
 */
export function normalizeGraph(graph: Graph): NormalizedGraph {
  const removed = new Set<string>();
  const passThrough = new Set<string>();
  for (const node of graph.nodes) {
    if (EDITOR_ONLY.has(node.type)) removed.add(node.id);
    else if (REROUTE.has(node.type) || isBypassed(node)) passThrough.add(node.id);
  }
  const allIds = new Set(graph.nodes.map((n) => n.id));
  let edges: GraphEdge[] = graph.edges.filter((e) => allIds.has(e.source) && allIds.has(e.target));
  edges = edges.filter((e) => !removed.has(e.source) && !removed.has(e.target));

  const sources = new Set(edges.map((e) => e.source));
  const targets = new Set(edges.map((e) => e.target));
  const sinks = new Set<string>();
  for (const node of graph.nodes) {
    if (REROUTE.has(node.type) && !isBypassed(node) && !sources.has(node.id)) {
      sinks.add(node.id);
      passThrough.delete(node.id);
    }
  }
  // Before the reconnection below, so that edges reaching a sink through other reroutes carry the new handle.
  edges = edges.map((e) => (sinks.has(e.target) && e.targetHandle === "input_value" ? { ...e, targetHandle: "value" } : e));

  const nodes = graph.nodes
    .filter((n) => !removed.has(n.id) && !passThrough.has(n.id))
    .map((n) => (sinks.has(n.id) ? rerouteSink(n, targets.has(n.id)) : n));
  const present = new Set(nodes.map((n) => n.id));

  // Reconnect around each pass-through node: what came into its first connected input goes to every target
  // its outputs fed. Repeat so that chains of bypassed nodes collapse.
  for (const id of passThrough) {
    const incoming = edges.filter((e) => e.target === id);
    const outgoing = edges.filter((e) => e.source === id);
    const feed = incoming[0];
    const rest = edges.filter((e) => e.target !== id && e.source !== id);
    if (feed) {
      for (const o of outgoing) {
        rest.push({ ...o, id: `${feed.id ?? "in"}~${o.id ?? "out"}`, source: feed.source, sourceHandle: feed.sourceHandle });
      }
    }
    edges = rest;
  }

  const seen = new Set<string>();
  const withIds = edges
    .filter((e) => present.has(e.source) && present.has(e.target))
    .map((e, i) => {
      let id = e.id && !seen.has(e.id) ? e.id : `edge-${i}`;
      while (seen.has(id)) id = `${id}'`;
      seen.add(id);
      return { ...e, id };
    });
  return { nodes, edges: withIds };
}
