/**
 * The nodes an agent controls (its outgoing control edges) as tools: calling one runs that node with the
 * arguments as property overrides and returns its outputs (NodeTool: base-nodes agents.ts buildControlTools,
 * and the Agent's control-tool dispatch through sendControlEvent).
 */
import type { NodeContext } from "../registry/types";
import { toolNameFrom, uniqueNames, type AgentTool } from "./tools";

export function controlTools(ctx: NodeContext): AgentTool[] {
  const control = ctx.control;
  if (!control) return [];
  const tools = control.targets.map((t): AgentTool => {
    const names = Object.keys(t.properties);
    let description = `Control ${t.title}: trigger execution with optional property overrides`;
    if (names.length > 0) description += `. Available properties: ${names.join(", ")}`;
    if (t.description) description += `. ${t.description}`;
    return {
      name: toolNameFrom(t.title, "control_node"),
      description,
      parameters: { type: "object", properties: t.properties, required: [] },
      async run(args) {
        try {
          const result = await control.run(t.nodeId, args);
          return { status: "completed", target_node_id: t.nodeId, result };
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          return { status: "error", target_node_id: t.nodeId, error: err instanceof Error ? err.message : String(err) };
        }
      },
    };
  });
  return uniqueNames(tools);
}
