/**
 * What a chat turn outside a job (`/chat`, `chat_message`, `/v1/chat/completions` with NodeTool tools) needs
 * to run the engine's agent loop (engine/agents/loop.ts): a node context with the caller's host services, and
 * the tools asked for by name: NodeTool's builtin tools and the user's `workflow_<name>` tool workflows
 * (engine/agents/builtin-tools.ts `resolveTools`, edge/agents/workflow-tools.ts), run in-process.
 */
import { builtinTools, resolveTools, toolNames } from "../../engine/agents/builtin-tools";
import type { AgentTool } from "../../engine/agents/tools";
import type { EngineServices, NodeContext } from "../../engine/registry/types";
import type { Env } from "../config/env";
import { createJobServices } from "../jobs/job-services";

export type LogFn = (content: string, severity: "debug" | "info" | "warning" | "error") => void;

/** A node context for a chat turn of `userId`; `scope` names it (a thread, a request) for the host services. */
export function chatContext(env: Env, userId: string, scope: string, signal: AbortSignal, log: LogFn): NodeContext {
  const services: EngineServices = { now: () => Date.now(), ...createJobServices(env, { jobId: scope, userId }) };
  return {
    nodeId: "chat",
    nodeType: "chat",
    nodeName: "chat",
    signal,
    services,
    progress() {},
    log: (content, severity = "info") => log(content, severity),
  };
}

/**
 * The tools a chat names (NodeTool's `tools: string[]` or `[{name}]`), plus the tool workflow `workflowId`
 * when given. Names the server cannot offer are logged and left out, as for an Agent node.
 */
export async function chatTools(names: unknown, ctx: NodeContext, workflowId?: string | null): Promise<AgentTool[]> {
  const tools = await resolveTools(toolNames(names), ctx);
  const service = ctx.services.workflows;
  if (workflowId && service) {
    const info = await service.describe(workflowId, ctx.signal);
    if (!info) ctx.log(`Workflow '${workflowId}' is not a tool workflow of yours (its run_mode must be "tool"); the chat runs without it`, "warning");
    else if (!tools.some((t) => t.name === info.name)) {
      tools.push({ name: info.name, description: info.description, parameters: info.inputSchema, run: (args, c) => service.run(info.id, args, c.signal) });
    }
  }
  return tools;
}

/** Whether `name` is a tool this server runs itself: a `workflow_<name>` tool or one of NodeTool's builtin tools. */
export function isServerToolName(name: string, ctx: NodeContext): boolean {
  return name.startsWith("workflow_") || builtinTools(ctx.services).has(name);
}
