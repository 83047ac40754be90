import type { Graph, GraphEdge, GraphNode } from "../../schema/workflow";

/** Editor-only node types: they carry no data flow and are dropped before a run. */
const EDITOR_ONLY = new Set([
  "nodetool.workflows.base_node.Comment",
  "nodetool.workflows.base_node.Group",
]);

/** Pass-through node types: removed and their edges reconnected around them, like bypassed nodes. */
const PASS_THROUGH = new Set(["nodetool.workflows.base_node.Reroute", "nodetool.control.Reroute"]);

export interface NormalizedGraph {
  nodes: GraphNode[];
  edges: (GraphEdge & { id: string })[];
}

function isBypassed(node: GraphNode): boolean {
  return Boolean(node.ui_properties && (node.ui_properties as Record<string, unknown>).bypassed === true);
}

/**
 * Turns an editor graph into the graph that runs (DESIGN.md section 3): drops editor-only nodes, removes
 * bypassed and reroute nodes while reconnecting what flowed through them, drops dangling edges and gives
 * every edge an id. The input is not modified.
 */
export function normalizeGraph(graph: Graph): NormalizedGraph {
  const removed = new Set<string>();
  const passThrough = new Set<string>();
  for (const node of graph.nodes) {
    if (EDITOR_ONLY.has(node.type)) removed.add(node.id);
    else if (PASS_THROUGH.has(node.type) || isBypassed(node)) passThrough.add(node.id);
  }
  const nodes = graph.nodes.filter((n) => !removed.has(n.id) && !passThrough.has(n.id));
  const present = new Set(nodes.map((n) => n.id));
  const allIds = new Set(graph.nodes.map((n) => n.id));

  let edges: GraphEdge[] = graph.edges.filter((e) => allIds.has(e.source) && allIds.has(e.target));
  edges = edges.filter((e) => !removed.has(e.source) && !removed.has(e.target));

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
