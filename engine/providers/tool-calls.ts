/**
 * Tool calling in one shape for every provider. Requests and streams are in OpenAI's format (Anthropic's
 * `tool_use` blocks and `input_json_delta`s arrive already translated by anthropic.ts), so assembling the
 * streamed `tool_calls` deltas is the one place where a turn's calls become whole `ToolCall`s.
 */
import type { ChatCompletionChunk, ChatMessage, ChatRequest, ChatTool, ChatToolCallDelta, LanguageModelService } from "./types";

/** A whole tool call: what the model asked for, with its arguments parsed. */
export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them (JSON text). */
  arguments: string;
  /** The parsed arguments; `{}` when they were empty or not a JSON object (see `argumentsError`). */
  args: Record<string, unknown>;
  /** Set when the arguments were not a JSON object, so the loop can tell the model instead of guessing. */
  argumentsError?: string;
}

/** What a tool offers the model: a name, what it does, and a JSON Schema of its arguments. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export function chatTools(specs: readonly ToolSpec[]): ChatTool[] {
  return specs.map((s) => ({ type: "function", function: { name: s.name, description: s.description, parameters: s.parameters } }));
}

function parseArguments(text: string): Pick<ToolCall, "args" | "argumentsError"> {
  if (text.trim() === "") return { args: {} };
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return { args: parsed as Record<string, unknown> };
    return { args: {}, argumentsError: "the arguments must be a JSON object" };
  } catch {
    return { args: {}, argumentsError: "the arguments were not valid JSON" };
  }
}

interface Pending {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Assembles streamed `tool_calls` deltas (OpenAI: id and name first, then argument fragments, keyed by
 * `index`) into whole calls. Providers stream calls one after another, so a call is complete as soon as a
 * delta for a later index arrives; `finish` returns the rest when the stream ends.
 */
export class ToolCallAssembler {
  private readonly partial = new Map<number, Pending>();
  private readonly done = new Set<number>();

  constructor(private readonly maxArgumentChars = 1_000_000) {}

  /** Feeds one chunk's deltas; returns the calls they completed. */
  push(deltas: readonly ChatToolCallDelta[] | undefined): ToolCall[] {
    const completed: ToolCall[] = [];
    for (const d of deltas ?? []) {
      const index = typeof d.index === "number" ? d.index : this.partial.size;
      for (const [i] of this.partial) {
        if (i < index && !this.done.has(i)) completed.push(this.complete(i));
      }
      let call = this.partial.get(index);
      if (!call) {
        call = { id: "", name: "", arguments: "" };
        this.partial.set(index, call);
      }
      if (d.id) call.id = d.id;
      if (d.function?.name && !call.name) call.name = d.function.name;
      if (d.function?.arguments) {
        call.arguments += d.function.arguments;
        if (call.arguments.length > this.maxArgumentChars) {
          throw new Error(`The model's arguments for tool '${call.name}' exceed ${this.maxArgumentChars} characters`);
        }
      }
    }
    return completed;
  }

  /** The calls not completed yet, in index order. */
  finish(): ToolCall[] {
    return [...this.partial.keys()]
      .filter((i) => !this.done.has(i))
      .sort((a, b) => a - b)
      .map((i) => this.complete(i));
  }

  private complete(index: number): ToolCall {
    this.done.add(index);
    const p = this.partial.get(index)!;
    return { id: p.id || `call_${index}`, name: p.name, arguments: p.arguments, ...parseArguments(p.arguments) };
  }
}

export type TurnEvent =
  | { type: "text"; text: string }
  | { type: "thinking"; text: string }
  | { type: "tool_call"; call: ToolCall };

export interface TurnResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: string | null;
}

/**
 * Streams one model turn: text and reasoning deltas as they arrive, each tool call as soon as it is whole.
 * Returns the turn's text, its calls and the finish reason.
 */
export async function* streamTurn(llm: LanguageModelService, request: ChatRequest, signal?: AbortSignal): AsyncGenerator<TurnEvent, TurnResult> {
  const assembler = new ToolCallAssembler();
  const toolCalls: ToolCall[] = [];
  let text = "";
  let finishReason: string | null = null;
  for await (const chunk of llm.streamChat(request, signal) as AsyncIterable<ChatCompletionChunk>) {
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    if (choice.finish_reason) finishReason = choice.finish_reason;
    const delta = choice.delta;
    if (!delta) continue;
    const reasoning = (delta.reasoning_content ?? delta.reasoning) as unknown;
    if (typeof reasoning === "string" && reasoning !== "") yield { type: "thinking", text: reasoning };
    if (typeof delta.content === "string" && delta.content !== "") {
      text += delta.content;
      yield { type: "text", text: delta.content };
    }
    for (const call of assembler.push(delta.tool_calls)) {
      toolCalls.push(call);
      yield { type: "tool_call", call };
    }
  }
  for (const call of assembler.finish()) {
    toolCalls.push(call);
    yield { type: "tool_call", call };
  }
  return { text, toolCalls, finishReason };
}

/** The assistant message that records a turn in the conversation sent back to the model. */
export function assistantMessage(turn: TurnResult): ChatMessage {
  const message: ChatMessage = { role: "assistant", content: turn.text };
  if (turn.toolCalls.length > 0) {
    message.tool_calls = turn.toolCalls.map((c) => ({
      id: c.id,
      type: "function",
      // Providers reject malformed JSON they produced themselves when it is sent back: send what was parsed.
      function: { name: c.name, arguments: c.argumentsError ? "{}" : c.arguments || "{}" },
    }));
  }
  return message;
}
