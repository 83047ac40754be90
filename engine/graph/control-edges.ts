import type { GraphEdge } from "../../schema/workflow";

/** The handle a control edge ends in (and ClaudeAgent's side of one). */
export const CONTROL_HANDLE = "__control__";
/** ControlAgent's output whose value becomes a run event of the nodes it controls. */
export const CONTROL_OUTPUT = "__control_output__";

/**
 * Whether an edge is a control edge (NodeTool: packages/protocol isControlEdge decides by `edge_type`);
 * an edge into `__control__` is one too, since no node has a property of that name.
 */
export function isControlEdge(edge: Pick<GraphEdge, "edge_type" | "targetHandle">): boolean {
  return edge.edge_type === "control" || edge.targetHandle === CONTROL_HANDLE;
}
