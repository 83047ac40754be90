/**
 * Anthropic's Messages API behind the OpenAI format, translated both ways: messages, system prompts, images,
 * tools and tool results, tool_choice, stop sequences, response_format (as a system instruction), usage,
 * finish reasons, and the streaming events (text and tool-call argument deltas as they arrive).
 */
import type { EventSourceMessage } from "eventsource-parser";
import { brokenStream, ChatError, isAbort, sseErrorEvent } from "./errors";
import { callProvider, failed, type CallContext, type UpstreamModel } from "./openai";
import { dataEvent, encode, sseEvents } from "./sse";
import type { ChatCompletion, ChatContentPart, ChatMessage, ChatRequest, ChatToolCall, ChatUsage, ProviderConfig } from "./types";

export const ANTHROPIC_VERSION = "2023-06-01";
/** Anthropic requires max_tokens; OpenAI requests usually leave it out. */
export const DEFAULT_MAX_TOKENS = 4096;

type Block = Record<string, unknown>;
interface AnthropicMessage {
  role: "user" | "assistant";
  content: Block[];
}

function invalid(message: string, param: string): ChatError {
  return new ChatError(400, message, "invalid_request_error", "unsupported_for_provider", param);
}

function textOf(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((p) => (p.type === "text" ? (p.text ?? "") : p.type === "refusal" ? (p.refusal ?? "") : "")).join("");
}

/** `data:image/png;base64,AAAA` -> media type and data. */
function dataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  return m ? { mediaType: m[1], data: m[2] } : undefined;
}

function partToBlock(part: ChatContentPart, param: string): Block | undefined {
  switch (part.type) {
    case "text":
      return part.text ? { type: "text", text: part.text } : undefined;
    case "refusal":
      return part.refusal ? { type: "text", text: part.refusal } : undefined;
    case "image_url": {
      const url = part.image_url?.url ?? "";
      const inline = dataUrl(url);
      if (inline) return { type: "image", source: { type: "base64", media_type: inline.mediaType, data: inline.data } };
      if (/^https?:\/\//i.test(url)) return { type: "image", source: { type: "url", url } };
      throw invalid("Images must be http(s) URLs or base64 data: URLs", `${param}.image_url.url`);
    }
    case "file": {
      const inline = part.file?.file_data ? dataUrl(part.file.file_data) : undefined;
      if (inline?.mediaType === "application/pdf") return { type: "document", source: { type: "base64", media_type: "application/pdf", data: inline.data } };
      throw invalid("Anthropic models take files as base64 PDF data: URLs in file.file_data", `${param}.file`);
    }
    default:
      throw invalid(`Content parts of type '${part.type}' are not supported by Anthropic models`, `${param}.type`);
  }
}

function contentBlocks(content: ChatMessage["content"], param: string): Block[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  if (!Array.isArray(content)) return [];
  const blocks: Block[] = [];
  content.forEach((part, i) => {
    const block = partToBlock(part, `${param}[${i}]`);
    if (block) blocks.push(block);
  });
  return blocks;
}

function toolInput(call: ChatToolCall, param: string): Record<string, unknown> {
  const raw = call.function?.arguments ?? "";
  if (raw.trim() === "") return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ChatError(400, "Tool call arguments must be a JSON object", "invalid_request_error", "invalid_tool_arguments", `${param}.function.arguments`);
}

function responseFormatInstruction(format: ChatRequest["response_format"]): string | undefined {
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return "Respond with a single JSON object and nothing else.";
  if (format.type === "json_schema") {
    const schema = format.json_schema?.schema;
    return `Respond with a single JSON object and nothing else.${schema ? ` It must validate against this JSON Schema:\n${JSON.stringify(schema)}` : ""}`;
  }
  return undefined;
}

/** Builds the Messages API request for an OpenAI chat completion request. */
export function toAnthropicRequest(request: ChatRequest, model: string): Record<string, unknown> {
  if (request.n !== undefined && request.n !== null && request.n > 1) {
    throw invalid("Anthropic models return one choice per request (n must be 1)", "n");
  }
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  const push = (role: "user" | "assistant", blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };

  request.messages.forEach((m, i) => {
    const param = `messages[${i}]`;
    switch (m.role) {
      case "system":
      case "developer": {
        const text = textOf(m.content);
        if (text) system.push(text);
        break;
      }
      case "user":
        push("user", contentBlocks(m.content, `${param}.content`));
        break;
      case "assistant": {
        const blocks = contentBlocks(m.content, `${param}.content`);
        (m.tool_calls ?? []).forEach((call, j) => {
          blocks.push({ type: "tool_use", id: call.id, name: call.function.name, input: toolInput(call, `${param}.tool_calls[${j}]`) });
        });
        push("assistant", blocks);
        break;
      }
      case "tool":
        push("user", [{ type: "tool_result", tool_use_id: m.tool_call_id, content: textOf(m.content) }]);
        break;
      case "function":
        push("user", [{ type: "text", text: `Result of ${m.name ?? "function"}: ${textOf(m.content)}` }]);
        break;
    }
  });

  const instruction = responseFormatInstruction(request.response_format);
  if (instruction) system.push(instruction);

  const body: Record<string, unknown> = {
    model,
    messages,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_MAX_TOKENS,
  };
  if (system.length > 0) body.system = system.join("\n\n");
  // OpenAI's temperature goes to 2, Anthropic's to 1.
  if (request.temperature !== undefined && request.temperature !== null) body.temperature = Math.min(request.temperature, 1);
  if (request.top_p !== undefined && request.top_p !== null) body.top_p = request.top_p;
  if (request.stop !== undefined && request.stop !== null) body.stop_sequences = typeof request.stop === "string" ? [request.stop] : request.stop;
  if (request.user) body.metadata = { user_id: request.user };
  if (request.stream) body.stream = true;

  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool, i) => {
      if (tool.type !== "function" || !tool.function) throw invalid(`Tools of type '${tool.type}' are not supported by Anthropic models`, `tools[${i}].type`);
      return {
        name: tool.function.name,
        ...(tool.function.description ? { description: tool.function.description } : {}),
        input_schema: tool.function.parameters ?? { type: "object", properties: {} },
      };
    });
    const choice = request.tool_choice;
    let toolChoice: Record<string, unknown> | undefined;
    if (choice === "auto") toolChoice = { type: "auto" };
    else if (choice === "required") toolChoice = { type: "any" };
    else if (choice === "none") toolChoice = { type: "none" };
    else if (choice && typeof choice === "object") {
      if (choice.type !== "function" || !choice.function) throw invalid(`tool_choice of type '${choice.type}' is not supported by Anthropic models`, "tool_choice");
      toolChoice = { type: "tool", name: choice.function.name };
    }
    if (request.parallel_tool_calls === false) toolChoice = { ...(toolChoice ?? { type: "auto" }), disable_parallel_tool_use: true };
    if (toolChoice) body.tool_choice = toolChoice;
  }
  return body;
}

const FINISH: Readonly<Record<string, string>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

export function finishReason(stopReason: unknown): string {
  return (typeof stopReason === "string" && FINISH[stopReason]) || "stop";
}

interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

function promptTokens(u: AnthropicUsage | undefined): number {
  if (!u) return 0;
  return (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
}

function usage(prompt: number, completion: number): ChatUsage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Translates a Messages API response into a `chat.completion`. */
export function fromAnthropicMessage(message: Record<string, unknown>, fallbackModel: string): ChatCompletion {
  const blocks = Array.isArray(message.content) ? (message.content as Block[]) : [];
  let text = "";
  const toolCalls: ChatToolCall[] = [];
  for (const block of blocks) {
    if (block.type === "text" && typeof block.text === "string") text += block.text;
    else if (block.type === "tool_use") {
      toolCalls.push({ id: String(block.id), type: "function", function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const u = message.usage as AnthropicUsage | undefined;
  return {
    id: `chatcmpl-${String(message.id ?? crypto.randomUUID())}`,
    object: "chat.completion",
    created: nowSeconds(),
    model: typeof message.model === "string" ? message.model : fallbackModel,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: text === "" && toolCalls.length > 0 ? null : text, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: finishReason(message.stop_reason),
        logprobs: null,
      },
    ],
    usage: usage(promptTokens(u), u?.output_tokens ?? 0),
  };
}

/** An Anthropic error event's `error` as a ChatError. */
function anthropicStreamError(error: unknown, provider: string): ChatError {
  const e = (error && typeof error === "object" ? error : {}) as { type?: unknown; message?: unknown };
  const message = typeof e.message === "string" && e.message ? e.message : `Provider '${provider}' reported an error mid-stream`;
  switch (e.type) {
    case "overloaded_error":
      return new ChatError(503, message, "server_error", "provider_unavailable");
    case "rate_limit_error":
      return new ChatError(429, message, "rate_limit_error", "rate_limit_exceeded");
    case "invalid_request_error":
      return new ChatError(400, message, "invalid_request_error", null);
    default:
      return new ChatError(502, message, "server_error", "provider_error");
  }
}

/**
 * Translates Anthropic's streaming events into OpenAI `chat.completion.chunk` events as they arrive: the
 * role on `message_start`, text deltas as `content`, each `tool_use` block as one tool call (id and name
 * first, then its `input_json_delta`s as `arguments`), the finish reason on `message_delta`, usage in a
 * final chunk when `include_usage` was asked, then `[DONE]`. An `error` event or a broken stream becomes
 * `data: {"error": ...}` followed by `[DONE]`.
 */
export function translateAnthropicStream(body: ReadableStream<Uint8Array>, options: { model: string; includeUsage: boolean; provider: string; signal?: AbortSignal }): ReadableStream<Uint8Array> {
  const events = sseEvents(body);
  let id = `chatcmpl-${crypto.randomUUID()}`;
  let model = options.model;
  const created = nowSeconds();
  const toolIndex = new Map<number, number>();
  let nextTool = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let ended = false;

  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    dataEvent({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });

  /** The OpenAI events for one Anthropic event ("" when it has none). */
  const translate = (event: EventSourceMessage): string => {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(event.data) as Record<string, unknown>;
    } catch {
      return "";
    }
    switch (event.event ?? data.type) {
      case "message_start": {
        const message = (data.message ?? {}) as Record<string, unknown>;
        if (typeof message.id === "string") id = `chatcmpl-${message.id}`;
        if (typeof message.model === "string") model = message.model;
        const u = message.usage as AnthropicUsage | undefined;
        inputTokens = promptTokens(u);
        outputTokens = u?.output_tokens ?? 0;
        return chunk({ role: "assistant", content: "" });
      }
      case "content_block_start": {
        const block = (data.content_block ?? {}) as Block;
        if (block.type === "tool_use") {
          const index = nextTool++;
          toolIndex.set(Number(data.index), index);
          return chunk({ tool_calls: [{ index, id: String(block.id), type: "function", function: { name: String(block.name), arguments: "" } }] });
        }
        if (block.type === "text" && typeof block.text === "string" && block.text) return chunk({ content: block.text });
        return "";
      }
      case "content_block_delta": {
        const delta = (data.delta ?? {}) as Block;
        if (delta.type === "text_delta" && typeof delta.text === "string") return chunk({ content: delta.text });
        if (delta.type === "input_json_delta" && typeof delta.partial_json === "string" && delta.partial_json) {
          const index = toolIndex.get(Number(data.index));
          if (index === undefined) return "";
          return chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] });
        }
        return ""; // thinking, signatures, citations
      }
      case "message_delta": {
        const u = data.usage as AnthropicUsage | undefined;
        if (u?.output_tokens !== undefined) outputTokens = u.output_tokens;
        if (u?.input_tokens !== undefined) inputTokens = promptTokens(u);
        const delta = (data.delta ?? {}) as { stop_reason?: unknown };
        return chunk({}, finishReason(delta.stop_reason));
      }
      case "message_stop": {
        ended = true;
        const tail = options.includeUsage
          ? dataEvent({ id, object: "chat.completion.chunk", created, model, choices: [], usage: usage(inputTokens, outputTokens) })
          : "";
        return `${tail}data: [DONE]\n\n`;
      }
      case "error":
        ended = true;
        return sseErrorEvent(anthropicStreamError(data.error, options.provider));
      default:
        return ""; // ping, content_block_stop
    }
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let next: IteratorResult<EventSourceMessage>;
        try {
          next = await events.next();
        } catch (err) {
          if (isAbort(err, options.signal)) {
            controller.error(err);
            return;
          }
          controller.enqueue(encode(sseErrorEvent(brokenStream(options.provider))));
          controller.close();
          return;
        }
        if (next.done) {
          if (!ended) controller.enqueue(encode(sseErrorEvent(brokenStream(options.provider))));
          controller.close();
          return;
        }
        const out = translate(next.value);
        if (ended) {
          controller.enqueue(encode(out));
          controller.close();
          await events.return(undefined);
          return;
        }
        if (out) {
          controller.enqueue(encode(out));
          return;
        }
      }
    },
    async cancel() {
      await events.return(undefined);
    },
  });
}

function anthropicHeaders(provider: ProviderConfig): Record<string, string> {
  return {
    "content-type": "application/json",
    "anthropic-version": ANTHROPIC_VERSION,
    ...(provider.apiKey ? { "x-api-key": provider.apiKey } : {}),
  };
}

/** Sends an OpenAI-format request to Anthropic and returns the answer in OpenAI's format. */
export async function anthropicChat(provider: ProviderConfig, request: ChatRequest, model: string, ctx: CallContext): Promise<Response> {
  const body = toAnthropicRequest(request, model);
  const res = await callProvider(provider, `${provider.baseUrl}/v1/messages`, { method: "POST", headers: anthropicHeaders(provider), body: JSON.stringify(body) }, ctx);
  if (!res.ok) return failed(provider, res, model, ctx);
  if (!request.stream) {
    const message = (await res.json()) as Record<string, unknown>;
    return Response.json(fromAnthropicMessage(message, model));
  }
  if (!res.body) throw brokenStream(provider.name);
  const stream = translateAnthropicStream(res.body, {
    model,
    includeUsage: request.stream_options?.include_usage === true,
    provider: provider.name,
    signal: ctx.signal,
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream; charset=utf-8" } });
}

/** `GET {base}/v1/models` of Anthropic. */
export async function anthropicModels(provider: ProviderConfig, ctx: CallContext): Promise<UpstreamModel[]> {
  const res = await callProvider(provider, `${provider.baseUrl}/v1/models?limit=1000`, { method: "GET", headers: anthropicHeaders(provider) }, ctx);
  if (!res.ok) return failed(provider, res, "", ctx);
  const body = (await res.json()) as { data?: unknown };
  if (!Array.isArray(body.data)) throw new Error(`provider '${provider.name}' returned a model list without data`);
  return body.data
    .filter((m): m is { id: string; created_at?: unknown } => !!m && typeof (m as { id?: unknown }).id === "string")
    .map((m) => {
      const t = typeof m.created_at === "string" ? Date.parse(m.created_at) : NaN;
      return { id: m.id, created: Number.isFinite(t) ? Math.floor(t / 1000) : 0 };
    });
}
