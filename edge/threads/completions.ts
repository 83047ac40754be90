/**
 * `/v1/chat/completions` with NodeTool's tools: a request whose `tools` name tools this server runs itself
 * (`workflow_<name>` for the caller's tool workflows, or NodeTool's builtin tools such as `google_search`
 * given without `parameters`) is answered by the engine's agent loop, which calls them server-side and sends
 * the model the results until it answers. The client gets only the final answer, in OpenAI's shapes
 * (`chat.completion`, or `chat.completion.chunk` events ending with `[DONE]`), so it never sees a tool call it
 * would have to run. A request with only its own function tools stays a plain proxy (null here).
 */
import { agentLoop } from "../../engine/agents/loop";
import { ChatError, sseErrorEvent } from "../../engine/providers/errors";
import type { ChatRequest, ChatTool } from "../../engine/providers/types";
import type { Env } from "../config/env";
import { CHAT_MAX_ITERATIONS } from "./chat-turn";
import { chatContext, chatTools, isServerToolName } from "./tool-host";

const encoder = new TextEncoder();

function toolName(tool: ChatTool): string | undefined {
  return tool.type === "function" && typeof tool.function?.name === "string" ? tool.function.name : undefined;
}

/** A tool the server runs: any `workflow_<name>`, or a builtin name the client did not define itself. */
function isServerTool(tool: ChatTool, isServerName: (name: string) => boolean): boolean {
  const name = toolName(tool);
  if (!name || !isServerName(name)) return false;
  return name.startsWith("workflow_") || tool.function?.parameters === undefined;
}

function chunkEvent(id: string, created: number, model: string, delta: Record<string, unknown>, finish: string | null): Uint8Array {
  const chunk = { id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] };
  return encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`);
}

/** The tool-loop answer, or null when the request names no server-side tool (the caller proxies it). */
export async function serverToolCompletion(env: Env, userId: string, request: ChatRequest, signal: AbortSignal): Promise<Response | null> {
  const tools = (request.tools ?? []) as ChatTool[];
  if (tools.length === 0) return null;
  const ctx = chatContext(env, userId, `v1-${crypto.randomUUID()}`, signal, () => {});
  const isServerName = (name: string) => isServerToolName(name, ctx);
  const server = tools.filter((t) => isServerTool(t, isServerName));
  if (server.length === 0) return null;
  if (server.length !== tools.length) {
    throw new ChatError(400, "A request names either this server's tools (workflow_<name>, NodeTool's builtin tools) or its own function tools, not both", "invalid_request_error", "mixed_tools", "tools");
  }
  const names = server.map((t) => toolName(t)!);
  const resolved = await chatTools(names, ctx);
  const missing = names.filter((n) => !resolved.some((t) => t.name === n));
  if (missing.length > 0) {
    throw new ChatError(400, `Unknown tools: ${missing.join(", ")} (a workflow is a tool when saved with run_mode "tool"; its tool is workflow_<tool_name>)`, "invalid_request_error", "unknown_tool", "tools");
  }
  const llm = ctx.services.llm;
  if (!llm) throw new ChatError(503, "No language model provider is configured", "server_error", "not_configured");
  const loop = agentLoop(llm, ctx, {
    model: request.model,
    messages: request.messages,
    tools: resolved,
    maxIterations: CHAT_MAX_ITERATIONS,
    ...(typeof request.max_tokens === "number" ? { maxTokens: request.max_tokens } : {}),
  });
  const id = `chatcmpl-${crypto.randomUUID().replace(/-/g, "")}`;
  const created = Math.floor(Date.now() / 1000);
  const model = request.model;

  if (request.stream !== true) {
    let step = await loop.next();
    while (!step.done) step = await loop.next();
    const body = {
      id,
      object: "chat.completion",
      created,
      model,
      choices: [{ index: 0, message: { role: "assistant", content: step.value.text, refusal: null }, finish_reason: step.value.exhausted ? "length" : "stop", logprobs: null }],
    };
    return Response.json(body, { headers: { "x-chat-provider": "nodetool-tools" } });
  }

  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  void (async () => {
    try {
      await writer.write(chunkEvent(id, created, model, { role: "assistant", content: "" }, null));
      let step = await loop.next();
      while (!step.done) {
        if (step.value.type === "text") await writer.write(chunkEvent(id, created, model, { content: step.value.text }, null));
        step = await loop.next();
      }
      await writer.write(chunkEvent(id, created, model, {}, step.value.exhausted ? "length" : "stop"));
      await writer.write(encoder.encode("data: [DONE]\n\n"));
    } catch (err) {
      if (signal.aborted) return;
      const error = err instanceof ChatError ? err : new ChatError(502, err instanceof Error ? err.message : String(err), "server_error", "provider_error");
      await writer.write(encoder.encode(sseErrorEvent(error))).catch(() => {});
    } finally {
      await writer.close().catch(() => {});
    }
  })();
  return new Response(readable, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no", "x-chat-provider": "nodetool-tools" },
  });
}
