/**
 * Saved workflows as agent tools (NodeTool: a workflow with `run_mode: "tool"` becomes the tool
 * `workflow_<tool_name>`; its input nodes are the tool's parameters and its outputs the result). The host
 * implements the service: it loads the job user's workflows and runs them with the engine in-process.
 */
import type { NodeContext } from "../registry/types";
import type { AgentTool } from "./tools";

/** A workflow offered as a tool. */
export interface WorkflowToolInfo {
  /** The workflow's id. */
  id: string;
  /** The tool name the model calls: `workflow_<tool_name>` (sanitised to [a-z0-9_], at most 64 characters). */
  name: string;
  /** What the tool does: the workflow's description, else its name. */
  description: string;
  /** JSON Schema of the workflow's inputs (one property per input node). */
  inputSchema: Record<string, unknown>;
}

export interface WorkflowToolService {
  /** The user's workflows that may be used as tools. */
  list(signal?: AbortSignal): Promise<WorkflowToolInfo[]>;
  /** One workflow as a tool, by id; null when the user has no such workflow. */
  describe(id: string, signal?: AbortSignal): Promise<WorkflowToolInfo | null>;
  /**
   * Runs a workflow with `params` (input name -> value) and resolves with its result map (output name ->
   * value). Rejects with an Error saying why when the workflow is missing, its params are invalid or it fails.
   */
  run(id: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>>;
}

/** NodeTool's tool name for a workflow: `workflow_` + its tool_name, made a valid function name. */
export function workflowToolName(toolName: string): string {
  const base = toolName
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .toLowerCase()
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
  return `workflow_${base || "tool"}`.slice(0, 64);
}

/** The user's tool workflows as agent tools, by tool name (none when the host offers no workflow service). */
export async function workflowTools(ctx: NodeContext): Promise<Map<string, AgentTool>> {
  const service = ctx.services.workflows;
  const tools = new Map<string, AgentTool>();
  if (!service) return tools;
  for (const info of await service.list(ctx.signal)) {
    if (tools.has(info.name)) continue;
    tools.set(info.name, {
      name: info.name,
      description: info.description,
      parameters: info.inputSchema,
      run: (args, runCtx) => service.run(info.id, args, runCtx.signal),
    });
  }
  return tools;
}
