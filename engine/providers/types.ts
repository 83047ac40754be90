/**
 * The chat provider layer shared by the `/v1` proxy (edge/chat) and the LLM workflow nodes. OpenAI's Chat
 * Completions format is the lingua franca: requests come in that shape, and every provider's answer goes out
 * in it (Anthropic's Messages API is translated both ways). Runtime-agnostic: global fetch and web streams only.
 */

export interface ChatContentPart {
  type: string;
  text?: string;
  image_url?: { url: string; detail?: string };
  input_audio?: { data: string; format: string };
  file?: { file_data?: string; file_id?: string; filename?: string };
  refusal?: string;
  [key: string]: unknown;
}

export interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: "system" | "developer" | "user" | "assistant" | "tool" | "function";
  content?: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  [key: string]: unknown;
}

export interface ChatTool {
  type: string;
  function?: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
  [key: string]: unknown;
}

export type ChatToolChoice = "none" | "auto" | "required" | { type: string; function?: { name: string }; [key: string]: unknown };

/** An OpenAI chat completion request. Unknown fields pass through to OpenAI-compatible providers. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null; [key: string]: unknown } | null;
  tools?: ChatTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  temperature?: number | null;
  top_p?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  response_format?: { type: string; json_schema?: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null } };
  user?: string;
  [key: string]: unknown;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: "assistant"; content: string | null; refusal?: string | null; tool_calls?: ChatToolCall[] };
    finish_reason: string | null;
    logprobs?: unknown;
  }[];
  usage?: ChatUsage;
}

export interface ChatToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: {
    index: number;
    delta: { role?: string; content?: string | null; refusal?: string | null; tool_calls?: ChatToolCallDelta[]; [key: string]: unknown };
    finish_reason: string | null;
    logprobs?: unknown;
  }[];
  usage?: ChatUsage | null;
}

/** One entry of `GET /v1/models`. */
export interface ModelEntry {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

export type ProviderKind = "openai" | "anthropic";

/** A configured upstream: OpenAI itself, any OpenAI-compatible server, or Anthropic. */
export interface ProviderConfig {
  /** The name used in `provider:model` and in NodeTool's `LanguageModel.provider`. Lower case. */
  name: string;
  kind: ProviderKind;
  /** OpenAI-compatible: up to and including `/v1`. Anthropic: the host, without `/v1`. No trailing slash. */
  baseUrl: string;
  apiKey?: string;
}

export interface ModelRef {
  provider: string;
  model: string;
}

/** Everything the provider layer needs, parsed from the host's configuration. */
export interface ChatSettings {
  providers: ProviderConfig[];
  /** CHAT_DEFAULT_MODEL, resolved: what an empty model means, and whose provider unrouted names go to. */
  defaultModel?: ModelRef;
  /** Alias -> the model name it stands for (itself routed by the usual rules, but never as an alias). */
  aliases: Record<string, string>;
  /** Invalid settings, each a sentence saying what to fix. While there are any, every call fails with a 503. */
  problems: string[];
  /** How long a provider may take to answer (response headers) before the call fails with a 504. */
  upstreamTimeoutMs?: number;
}

/** A provider's answer in OpenAI's format: a JSON `chat.completion` or an SSE stream of chunks ending with `[DONE]`. */
export interface ChatResult {
  response: Response;
  /** The provider that answered and the model name it was sent. */
  provider: string;
  model: string;
  stream: boolean;
}

/**
 * What LLM nodes use (EngineServices.llm). `model` in a request is routed like a `/v1` request's model; nodes
 * turn NodeTool's `{provider, id}` into `provider:id`.
 */
export interface LanguageModelService {
  /** Sends a request; throws ChatError when it cannot be routed or the provider refuses it. */
  chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResult>;
  /** Streams the chunks of a completion; throws ChatError on a provider error, also mid-stream. */
  streamChat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatCompletionChunk>;
  /** The configured providers' models (cached briefly) plus the aliases. */
  listModels(signal?: AbortSignal): Promise<ModelEntry[]>;
}
