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

/** The name an input or sink node is addressed by in params and results. */
export function ioName(node: GraphNode): string {
  const name = node.data.name;
  return typeof name === "string" ? name : "";
}

/** Sinks fall back to their node id when unnamed (Preview nodes usually are). */
export function sinkName(node: GraphNode): string {
  return ioName(node) || node.id;
}
