import { isControlEdge } from "../../engine/graph/control-edges";
import { CUSTOM_NAMESPACE, type CustomNode } from "../../schema/custom-nodes";
import type { ValidationIssue } from "../../schema/errors";
import type { Graph, GraphEdge, GraphNode } from "../../schema/workflow";

/**
 * Custom-node rewriting: every `custom.<name>` node of a graph becomes three ordinary nodes, ids prefixed
 * with its own (`<id>/prepare`, `<id>/run`, `<id>/finish`):
 *
 *     edge.ml.PrepareTensors  (one dynamic input per model input; preprocessing steps; cast to the model's types)
 *       -> edge.ml.RunONNXModel  (the uploaded model, on a gpu-runner)
 *       -> edge.ml.FinishTensors (one dynamic output per model output; postprocessing steps)
 *
 * Edges into the node move to `prepare`, edges out of it to `finish`. It runs after preset expansion (a preset
 * may hold custom nodes) and before normalisation and validation, so the engine only sees ordinary nodes and
 * nothing uploaded is ever executed as code. An unknown custom node is left for validation to report as an
 * unknown node type; a disabled one, or an edge at a port the model does not have, is an issue.
 */

export const CUSTOM_TYPE_PREFIX = `${CUSTOM_NAMESPACE}.`;
export const customType = (name: string) => `${CUSTOM_TYPE_PREFIX}${name}`;

export function customNameOfType(type: string): string | null {
  return type.startsWith(CUSTOM_TYPE_PREFIX) ? type.slice(CUSTOM_TYPE_PREFIX.length) : null;
}

export const hasCustomNodes = (graph: Pick<Graph, "nodes">) => graph.nodes.some((n) => customNameOfType(n.type) !== null);

export interface CustomNodeSource {
  get(name: string): Promise<CustomNode | null>;
}

const issue = (node: GraphNode, property: string | null, message: string): ValidationIssue => ({ node_id: node.id, node_type: node.type, property, message });
const bypassed = (n: GraphNode) => Boolean(n.ui_properties && (n.ui_properties as Record<string, unknown>).bypassed === true);

/** The three nodes and two inner edges that stand for custom node `n`. */
function replacement(n: GraphNode, doc: CustomNode): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const base = { ui_properties: n.ui_properties, parent_id: n.parent_id, sync_mode: n.sync_mode, dynamic_outputs: {}, dynamic_properties: {} };
  const values: Record<string, unknown> = {};
  for (const p of doc.inputs) {
    const own = p.name in n.dynamic_properties ? n.dynamic_properties[p.name] : n.data[p.name];
    values[p.name] = own === undefined ? null : own;
  }
  const prepare: GraphNode = {
    ...base,
    id: `${n.id}/prepare`,
    type: "edge.ml.PrepareTensors",
    data: { steps: doc.preprocess, dtypes: Object.fromEntries(doc.inputs.map((p) => [p.name, p.dtype])) },
    dynamic_properties: values,
  };
  const run: GraphNode = { ...base, id: `${n.id}/run`, type: "edge.ml.RunONNXModel", data: { model: doc.model, inputs: {} } };
  const finish: GraphNode = {
    ...base,
    id: `${n.id}/finish`,
    type: "edge.ml.FinishTensors",
    data: { steps: doc.postprocess, outputs: {} },
    dynamic_outputs: Object.fromEntries(doc.outputs.map((p) => [p.name, { type: "tensor" }])),
  };
  const edges: GraphEdge[] = [
    { id: `${n.id}/inputs`, source: prepare.id, sourceHandle: "inputs", target: run.id, targetHandle: "inputs" },
    { id: `${n.id}/outputs`, source: run.id, sourceHandle: "outputs", target: finish.id, targetHandle: "outputs" },
  ];
  return { nodes: [prepare, run, finish], edges };
}

/** Rewrites every custom node; the problems found come back beside the graph. The input graph is not modified. */
export async function expandCustomNodes(graph: Graph, source: CustomNodeSource): Promise<{ graph: Graph; issues: ValidationIssue[] }> {
  if (!hasCustomNodes(graph)) return { graph, issues: [] };
  const issues: ValidationIssue[] = [];
  const docs = new Map<string, CustomNode>();
  for (const n of graph.nodes) {
    const name = customNameOfType(n.type);
    if (name === null || bypassed(n)) continue;
    const doc = await source.get(name);
    if (!doc) continue;
    if (!doc.enabled) {
      issues.push(issue(n, null, `custom node '${name}' is disabled: enable it with POST /api/custom-nodes/toggle`));
      continue;
    }
    docs.set(n.id, doc);
  }
  if (docs.size === 0) return { graph, issues };

  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const n of graph.nodes) {
    const doc = docs.get(n.id);
    if (!doc) {
      nodes.push(n);
      continue;
    }
    const r = replacement(n, doc);
    nodes.push(...r.nodes);
    edges.push(...r.edges);
  }
  for (const e of graph.edges) {
    let edge = e;
    const into = docs.get(e.target);
    if (into) {
      const known = isControlEdge(e) || into.inputs.some((p) => p.name === e.targetHandle);
      if (!known) {
        const node = graph.nodes.find((x) => x.id === e.target)!;
        issues.push(issue(node, e.targetHandle, `custom node '${into.name}' has no input '${e.targetHandle}' (its inputs: ${into.inputs.map((p) => p.name).join(", ") || "none"})`));
      }
      edge = { ...edge, target: `${e.target}/prepare` };
    }
    const from = docs.get(e.source);
    if (from) {
      const known = isControlEdge(e) || from.outputs.some((p) => p.name === e.sourceHandle);
      if (!known) {
        const node = graph.nodes.find((x) => x.id === e.source)!;
        issues.push(issue(node, e.sourceHandle, `custom node '${from.name}' has no output '${e.sourceHandle}' (its outputs: ${from.outputs.map((p) => p.name).join(", ")})`));
      }
      edge = { ...edge, source: `${e.source}/finish` };
    }
    edges.push(edge);
  }
  return { graph: { ...graph, nodes, edges }, issues };
}
