import type { GraphNode } from "../../schema/workflow";
import type { NodeDecl } from "../registry/types";

/** The name a node goes by in messages: its editor title, an input/output's `data.name`, or its type's title. */
export function displayName(node: GraphNode, decl: NodeDecl | undefined): string {
  const title = node.ui_properties && (node.ui_properties as Record<string, unknown>).title;
  if (typeof title === "string" && title !== "") return title;
  const name = node.data.name;
  if ((decl?.kind === "input" || decl?.kind === "output") && typeof name === "string" && name !== "") return name;
  return decl?.title ?? node.type;
}

/** The node's own `name` field: NodeTool's NodeDescriptor carries one beside `data` (CLI and test graphs use it). */
export function descriptorName(node: GraphNode): string {
  const name = (node as Record<string, unknown>).name;
  return typeof name === "string" ? name.trim() : "";
}

/** The `data.name` property of an input or sink node, or "" when it has none. */
export function ioName(node: GraphNode): string {
  const name = node.data.name;
  return typeof name === "string" ? name : "";
}

/**
 * The name a workflow input is addressed by in params: `data.name` (trimmed), else the node's own `name`,
 * else its id.
 * NodeTool: packages/kernel/src/runner.ts `_getExternalInputName`.
 */
export function inputName(node: GraphNode): string {
  return ioName(node).trim() || descriptorName(node) || node.id;
}

/** Sinks fall back to their node id when unnamed (Preview nodes usually are). */
export function sinkName(node: GraphNode): string {
  return ioName(node) || node.id;
}
