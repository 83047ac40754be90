/**
 * The agent tool loop as NodeTool's Agent runs it (NodeTool: base-nodes agents.ts, the standard
 * multi-iteration loop): the model streams a turn; its text streams out as it arrives; the tools it called
 * run one by one and their results go back as `tool` messages; then the model is asked again, until a turn
 * calls no tool or the iteration bound is reached.
 */
import { assistantMessage, chatTools, streamTurn, type ToolCall, type TurnEvent, type TurnResult } from "../providers/tool-calls";
import type { ChatMessage, ChatRequest, LanguageModelService } from "../providers/types";
import type { NodeContext } from "../registry/types";
import { toolResultText, type AgentTool } from "./tools";

export const DEFAULT_MAX_ITERATIONS = 10;
/** Tool calls one loop may run in all, whatever the iterations: a model that calls tools in a frenzy stops. */
export const MAX_TOOL_CALLS = 100;

export interface LoopOptions {
  /** The model name as the provider layer routes it. */
  model: string;
  messages: ChatMessage[];
  tools: readonly AgentTool[];
  maxTokens?: number;
  /** Model turns at most (each turn may call several tools). */
  maxIterations?: number;
  responseFormat?: ChatRequest["response_format"];
  toolChoice?: ChatRequest["tool_choice"];
}

export type LoopEvent =
  | TurnEvent
  | { type: "tool_result"; call: ToolCall; result: string; failed: boolean }
  | { type: "turn"; turn: TurnResult };

export interface LoopResult {
  /** The text of the last turn that had any (what NodeTool's Agent reports on `text`). */
  text: string;
  /** The whole conversation, tool calls and results included. */
  messages: ChatMessage[];
  iterations: number;
  /** True when the loop stopped at its bound while the model still wanted tools. */
  exhausted: boolean;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

/** Runs one call; never throws for the tool's own failure (the model sees `{"error": ...}`), only on abort. */
async function runTool(call: ToolCall, tools: readonly AgentTool[], ctx: NodeContext): Promise<{ result: string; failed: boolean }> {
  const tool = tools.find((t) => t.name === call.name);
  if (!tool) return { result: toolResultText({ error: `Unknown tool: ${call.name}` }), failed: true };
  if (call.argumentsError) return { result: toolResultText({ error: `Tool '${call.name}' was not run: ${call.argumentsError}` }), failed: true };
  try {
    return { result: toolResultText(await tool.run(call.args, ctx)), failed: false };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return { result: toolResultText({ error: errorText(err) }), failed: true };
  }
}

export async function* agentLoop(llm: LanguageModelService, ctx: NodeContext, options: LoopOptions): AsyncGenerator<LoopEvent, LoopResult> {
  const messages = [...options.messages];
  const maxIterations = Math.max(1, options.maxIterations ?? DEFAULT_MAX_ITERATIONS);
  const specs = options.tools.length > 0 ? chatTools(options.tools) : undefined;
  let text = "";
  let iterations = 0;
  let toolCalls = 0;
  for (;;) {
    iterations++;
    const request: ChatRequest = { model: options.model, messages };
    if (options.maxTokens) request.max_tokens = options.maxTokens;
    if (specs) {
      request.tools = specs;
      if (options.toolChoice) request.tool_choice = options.toolChoice;
    }
    if (options.responseFormat) request.response_format = options.responseFormat;
    const turn = streamTurn(llm, request, ctx.signal);
    let step = await turn.next();
    while (!step.done) {
      yield step.value;
      step = await turn.next();
    }
    const result = step.value;
    if (result.text) text = result.text;
    yield { type: "turn", turn: result };
    if (result.text || result.toolCalls.length > 0) messages.push(assistantMessage(result));
    if (result.toolCalls.length === 0) return { text, messages, iterations, exhausted: false };

    for (const call of result.toolCalls) {
      if (++toolCalls > MAX_TOOL_CALLS) throw new Error(`The model called tools more than ${MAX_TOOL_CALLS} times in one run`);
      ctx.log(`Calling tool ${call.name}`, "info");
      const { result: content, failed } = await runTool(call, options.tools, ctx);
      messages.push({ role: "tool", tool_call_id: call.id, content });
      yield { type: "tool_result", call, result: content, failed };
    }
    if (iterations >= maxIterations) {
      ctx.log(`The agent stopped after ${maxIterations} model turns while the model still called tools`, "warning");
      return { text, messages, iterations, exhausted: true };
    }
  }
}
