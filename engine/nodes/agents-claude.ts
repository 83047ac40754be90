/**
 * `anthropic.agents.ClaudeAgent`. NodeTool runs it through the Claude Agent SDK (a sandbox with Claude
 * Code's tools; NodeTool: base-nodes src/nodes/anthropic.ts); here it is the same agent tool loop as
 * nodetool.agents.Agent, with Anthropic as the provider. Claude Code's tool names map to this server's tools
 * (Read -> read_file, Write -> write_file, LS/Glob -> list_directory, WebFetch -> browser, WebSearch ->
 * google_search); the nodes it controls through control edges are its tools too. Bash and the other
 * sandbox tools have no counterpart here: they are left out with a log line.
 */
import { resolveTools } from "../agents/builtin-tools";
import { controlTools } from "../agents/control-tools";
import { agentLoop } from "../agents/loop";
import type { ChatMessage } from "../providers/types";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { isRecord, toInt, toList, toText } from "../values/coerce";
import { chunk, EMPTY_LANGUAGE_MODEL, llmOf, maxTokens } from "./llm-common";

/** NodeTool's model when none is chosen. */
export const CLAUDE_AGENT_DEFAULT_MODEL = "claude-sonnet-4-20250514";

const CLAUDE_CODE_TOOLS: Readonly<Record<string, string>> = {
  Read: "read_file",
  Write: "write_file",
  LS: "list_directory",
  Glob: "list_directory",
  WebFetch: "browser",
  WebSearch: "google_search",
};
const WRITING = new Set(["write_file"]);

/** The Anthropic model a ClaudeAgent uses: its model's id, always on the anthropic provider. */
function claudeModel(value: unknown): string {
  const id = isRecord(value) && typeof value.id === "string" ? value.id.trim() : typeof value === "string" ? value.trim() : "";
  return `anthropic:${id || CLAUDE_AGENT_DEFAULT_MODEL}`;
}

const claudeAgentNode = defineNode({
  type: "anthropic.agents.ClaudeAgent",
  title: "Claude Agent",
  description:
    "Run Claude as an agent with tool use capabilities.\n    claude, agent, ai, anthropic, sandbox, assistant\n\n" +
    "Streams Claude's text on `chunk` while it calls its tools (the nodes it controls, and the workspace, web and search tools " +
    "its allowed_tools name), then the whole text on `text`.",
  properties: [
    prop("prompt", "str", "", { description: "The task or question for the Claude agent to work on." }),
    prop("model", "language_model", EMPTY_LANGUAGE_MODEL, { description: "The Claude compatible model to use for the agent." }),
    prop("system_prompt", "str", "", { description: "Optional system prompt to guide the agent's behavior." }),
    prop("max_turns", "int", 20, { description: "Maximum number of turns the agent can take.", min: 1, max: 100 }),
    prop("allowed_tools", "list[str]", ["Read", "Write", "Bash"], { description: "Tools the agent may use: Read, Write, LS, Glob, WebFetch, WebSearch (Bash is not available here)" }),
    prop("permission_mode", "enum", "acceptEdits", { values: ["default", "acceptEdits", "plan", "bypassPermissions"], description: "plan: read-only (no Write)" }),
    prop("use_claude_credentials", "bool", false, { description: "Accepted for NodeTool compatibility; the server's Anthropic key is used" }),
  ],
  outputs: [out("text", "str"), out("chunk", "chunk")],
  async *gen(inputs, ctx) {
    const prompt = toText(inputs.prompt).trim();
    if (!prompt) throw new Error("Prompt is required");
    const maxTurns = Math.min(100, Math.max(1, toInt(inputs.max_turns ?? 20, "max_turns")));
    const readOnly = toText(inputs.permission_mode) === "plan";
    const names: string[] = [];
    for (const t of toList(inputs.allowed_tools).map(toText)) {
      const mapped = CLAUDE_CODE_TOOLS[t];
      if (!mapped) ctx.log(`Claude Code tool '${t}' is not available on this server; the agent runs without it`, "warning");
      else if (!(readOnly && WRITING.has(mapped)) && !names.includes(mapped)) names.push(mapped);
    }
    const messages: ChatMessage[] = [];
    const system = toText(inputs.system_prompt);
    if (system) messages.push({ role: "system", content: system });
    messages.push({ role: "user", content: prompt });
    const loop = agentLoop(llmOf(ctx), ctx, {
      model: claudeModel(inputs.model),
      messages,
      tools: [...(await resolveTools(names, ctx)), ...controlTools(ctx)],
      maxTokens: maxTokens(undefined, 8192),
      maxIterations: maxTurns,
    });
    // NodeTool's text is all the text Claude wrote, across its turns: exactly what streamed on `chunk`.
    let text = "";
    for (;;) {
      const step = await loop.next();
      if (step.done) break;
      if (step.value.type !== "text") continue;
      text += step.value.text;
      yield { chunk: chunk(ctx, step.value.text) };
    }
    yield { text };
  },
});

export const claudeAgentNodes: NodeDecl[] = [claudeAgentNode];
