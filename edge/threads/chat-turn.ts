/**
 * One chat turn, as NodeTool's chat runners answer a `chat_message` (nodetool-ai/nodetool
 * packages/protocol/src/messages.ts; nodetool-core's unified WebSocket API docs): the user's message is stored
 * in its thread, the thread's history goes to the model through the engine's agent loop with the tools the
 * message names, and the answer streams back as NodeTool's messages:
 * - `chunk` `{thread_id, content, content_type: "text", done}` per piece of text (`thinking: true` for reasoning),
 *   then a last `chunk` with `done: true`;
 * - `tool_call_update` `{thread_id, tool_call_id, name, args, message}` when the model calls a tool, and
 *   `tool_result_update` `{thread_id, node_id, tool_call_id, name, result, is_error}` with what it returned;
 * - `message`: the stored assistant message (messageResponse shape) at the end;
 * - `error` `{message, thread_id}` when the turn fails.
 * Every assistant turn, tool call and tool result is stored in the thread as it completes, so a later
 * connection (or `GET /api/messages`) sees the whole conversation. A stopped turn keeps what was said so far.
 */
import { agentLoop, type LoopEvent } from "../../engine/agents/loop";
import { assistantMessage } from "../../engine/providers/tool-calls";
import type { ChatContentPart, ChatMessage } from "../../engine/providers/types";
import type { ChatMessageData, ChatThreadMessage, MessageCreate } from "../../schema/threads";
import type { Env } from "../config/env";
import { ApiError } from "../errors/api-error";
import { chatThreads } from "./chat-threads";
import { chatContext, chatTools } from "./tool-host";

/** Messages of a thread's history sent to the model at most. */
export const HISTORY_MESSAGES = 100;
/** Model turns one chat turn may take (each may call tools). */
export const CHAT_MAX_ITERATIONS = 10;
const DEFAULT_MAX_TOKENS = 4096;

type Send = (message: Record<string, unknown>) => void;

export interface StartedChat {
  threadId: string;
  userMessage: ChatThreadMessage;
}

/** The model name as the provider layer routes it: `provider:model` when a provider is named. */
export function chatModel(data: ChatMessageData): string {
  const model = (data.model ?? "").trim();
  const provider = (data.provider ?? "").trim().toLowerCase();
  if (!model) return "";
  if (!provider || provider === "empty" || model.startsWith(`${provider}:`)) return model;
  return `${provider}:${model}`;
}

/** Stores the user's message in its thread (created when missing or not named); the turn runs after. */
export async function startChat(env: Env, userId: string, data: ChatMessageData): Promise<StartedChat> {
  const input: MessageCreate = {
    role: "user",
    content: data.content,
    ...(data.thread_id ? { thread_id: data.thread_id } : {}),
    ...(data.model ? { model: data.model } : {}),
    ...(data.provider ? { provider: data.provider } : {}),
    ...(data.workflow_id ? { workflow_id: data.workflow_id } : {}),
  };
  const added = await chatThreads(env, userId).addMessage(userId, input, true);
  if (!added) throw ApiError.notFound(`Thread '${data.thread_id}'`);
  if ("error" in added) throw new ApiError("conflict", added.error);
  return { threadId: added.message.thread_id, userMessage: added.message };
}

function contentForModel(content: unknown): ChatMessage["content"] {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content) && content.every((p) => p && typeof p === "object" && typeof (p as { type?: unknown }).type === "string")) {
    // NodeTool's MessageTextContent is {type: "text", text}: the same as OpenAI's text part.
    return content as ChatContentPart[];
  }
  return JSON.stringify(content);
}

/** Stored messages as the conversation the model sees; a history cut in the middle of a tool exchange drops its tool results. */
export function historyForModel(messages: ChatThreadMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    if (m.role === "tool" && !out.some((o) => o.tool_calls?.some((c) => c.id === m.tool_call_id))) continue;
    const message: ChatMessage = { role: m.role as ChatMessage["role"], content: contentForModel(m.content) };
    if (m.tool_calls && m.tool_calls.length > 0) message.tool_calls = m.tool_calls as ChatMessage["tool_calls"];
    if (m.tool_call_id) message.tool_call_id = m.tool_call_id;
    out.push(message);
  }
  return out;
}

/** A tool's result text as NodeTool's `result` record: the parsed JSON object, else `{result: value}`. */
function resultRecord(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    return { result: value };
  } catch {
    return { result: text };
  }
}

/** Runs the turn to its end, sending NodeTool's messages; resolves once done, stopped or failed (never throws). */
export async function runChatTurn(env: Env, userId: string, data: ChatMessageData, started: StartedChat, signal: AbortSignal, send: Send): Promise<void> {
  const threadId = started.threadId;
  const store = chatThreads(env, userId);
  const model = chatModel(data);
  const saved = (input: Omit<MessageCreate, "thread_id">) =>
    store.addMessage(userId, { thread_id: threadId, ...(data.model ? { model: data.model } : {}), ...(data.provider ? { provider: data.provider } : {}), ...input });
  let pending = "";
  let last: ChatThreadMessage | null = null;
  try {
    const ctx = chatContext(env, userId, `chat-${threadId}`, signal, (content, severity) =>
      send({ type: "log_update", node_id: "chat", node_name: "chat", content, severity, thread_id: threadId }),
    );
    if (!ctx.services.llm) throw new Error("No language model provider is configured (OPENAI_API_KEY, ANTHROPIC_API_KEY or CHAT_PROVIDERS)");
    const tools = await chatTools(data.tools, ctx, data.workflow_id);
    const history = historyForModel(await store.recentMessages(userId, threadId, HISTORY_MESSAGES));
    const loop = agentLoop(ctx.services.llm, ctx, {
      model,
      messages: history,
      tools,
      maxTokens: data.max_tokens ?? DEFAULT_MAX_TOKENS,
      maxIterations: CHAT_MAX_ITERATIONS,
    });
    const handle = async (event: LoopEvent) => {
      switch (event.type) {
        case "text":
          pending += event.text;
          send({ type: "chunk", thread_id: threadId, content: event.text, content_type: "text", done: false });
          break;
        case "thinking":
          send({ type: "chunk", thread_id: threadId, content: event.text, content_type: "text", done: false, thinking: true });
          break;
        case "tool_call":
          send({ type: "tool_call_update", thread_id: threadId, node_id: null, tool_call_id: event.call.id, name: event.call.name, args: event.call.args, message: `Calling ${event.call.name}` });
          break;
        case "turn": {
          pending = "";
          const message = assistantMessage(event.turn);
          if (event.turn.text || event.turn.toolCalls.length > 0) {
            const added = await saved({ role: "assistant", content: event.turn.text, tool_calls: message.tool_calls ?? null });
            if (added && "message" in added) last = added.message;
          }
          break;
        }
        case "tool_result":
          send({
            type: "tool_result_update",
            thread_id: threadId,
            node_id: "chat",
            tool_call_id: event.call.id,
            name: event.call.name,
            result: resultRecord(event.result),
            is_error: event.failed,
          });
          await saved({ role: "tool", content: event.result, tool_call_id: event.call.id, name: event.call.name });
          break;
      }
    };
    let step = await loop.next();
    while (!step.done) {
      await handle(step.value);
      step = await loop.next();
    }
    send({ type: "chunk", thread_id: threadId, content: "", content_type: "text", done: true });
    if (!last) {
      const added = await saved({ role: "assistant", content: "" });
      if (added && "message" in added) last = added.message;
    }
    if (last) send({ ...last });
  } catch (err) {
    if (signal.aborted) {
      // Stopped: what the model had said of this turn stays in the thread (the `stop` reply was sent already).
      if (pending) await saved({ role: "assistant", content: pending }).catch(() => {});
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    send({ type: "error", message, thread_id: threadId });
  }
}
