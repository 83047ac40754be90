import { z } from "zod";

/**
 * The OpenAI Chat Completions wire format, as far as `/v1/chat/completions` validates it (docs/architecture.md#9-chat-proxy).
 * Objects are loose: fields this server does not know (`seed`, `logprobs`, `n`, `metadata`, newer OpenAI
 * parameters) pass through to OpenAI-compatible providers unchanged. What is declared is checked, so a wrong
 * type is a 400 before any provider is called.
 */

const TextPartSchema = z.looseObject({ type: z.literal("text"), text: z.string() });
const ImagePartSchema = z.looseObject({
  type: z.literal("image_url"),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.enum(["auto", "low", "high"]).optional() }),
});
const AudioPartSchema = z.looseObject({
  type: z.literal("input_audio"),
  input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});
const FilePartSchema = z.looseObject({
  type: z.literal("file"),
  file: z.looseObject({ file_data: z.string().optional(), file_id: z.string().optional(), filename: z.string().optional() }),
});
const RefusalPartSchema = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });

export const ChatContentPartSchema = z
  .discriminatedUnion("type", [TextPartSchema, ImagePartSchema, AudioPartSchema, FilePartSchema, RefusalPartSchema])
  .meta({ id: "ChatContentPart" });

const TextContent = z.union([z.string(), z.array(TextPartSchema)]);
const UserContent = z.union([z.string(), z.array(ChatContentPartSchema)]);
const AssistantContent = z.union([z.string(), z.array(z.union([TextPartSchema, RefusalPartSchema]))]);

export const ChatToolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal("function"),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const name = z.string().optional();

export const ChatMessageSchema = z
  .discriminatedUnion("role", [
    z.looseObject({ role: z.literal("system"), content: TextContent, name }),
    z.looseObject({ role: z.literal("developer"), content: TextContent, name }),
    z.looseObject({ role: z.literal("user"), content: UserContent, name }),
    z.looseObject({
      role: z.literal("assistant"),
      content: AssistantContent.nullable().optional(),
      name,
      refusal: z.string().nullable().optional(),
      tool_calls: z.array(ChatToolCallSchema).optional(),
    }),
    z.looseObject({ role: z.literal("tool"), content: TextContent, tool_call_id: z.string() }),
    z.looseObject({ role: z.literal("function"), content: z.string().nullable(), name: z.string() }),
  ])
  .meta({ id: "ChatMessage" });

export const ChatToolSchema = z
  .union([
    z.looseObject({
      type: z.literal("function"),
      function: z.looseObject({
        name: z.string().min(1).max(64),
        description: z.string().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullable().optional(),
      }),
    }),
    z.looseObject({ type: z.literal("custom"), custom: z.looseObject({ name: z.string().min(1) }) }),
  ])
  .meta({ id: "ChatTool" });

export const ChatToolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string().min(1) }) }),
  z.looseObject({ type: z.enum(["allowed_tools", "custom"]) }),
]);

export const ResponseFormatSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({
      name: z.string().min(1),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

const positiveInt = z.number().int().positive().nullable().optional();

export const ChatCompletionRequestSchema = z
  .looseObject({
    model: z.string().max(256).meta({
      description:
        "`provider:model` (e.g. `ollama:llama3.2`), an alias from CHAT_MODEL_ALIASES, a name routed by prefix (`gpt-`, `o1`, `o3` to OpenAI, `claude-` to Anthropic), or any other name for the default provider. An empty string means CHAT_DEFAULT_MODEL.",
      example: "gpt-4o-mini",
    }),
    messages: z.array(ChatMessageSchema).min(1),
    stream: z.boolean().nullable().optional(),
    stream_options: z.looseObject({ include_usage: z.boolean().nullable().optional() }).nullable().optional(),
    tools: z.array(ChatToolSchema).optional(),
    tool_choice: ChatToolChoiceSchema.optional(),
    parallel_tool_calls: z.boolean().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    max_tokens: positiveInt,
    max_completion_tokens: positiveInt,
    n: z.number().int().min(1).max(128).nullable().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
    response_format: ResponseFormatSchema.optional(),
    user: z.string().optional(),
  })
  .meta({ id: "ChatCompletionRequest", description: "OpenAI's chat completion request." });
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

const UsageSchema = z
  .looseObject({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() })
  .meta({ id: "ChatUsage" });

// Response shapes: documentation of what the proxy returns (it forwards OpenAI-compatible responses as they come).
export const ChatCompletionSchema = z
  .looseObject({
    id: z.string(),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.looseObject({
        index: z.number().int(),
        message: z.looseObject({
          role: z.literal("assistant"),
          content: z.string().nullable(),
          tool_calls: z.array(ChatToolCallSchema).optional(),
        }),
        finish_reason: z.string().nullable(),
      }),
    ),
    usage: UsageSchema.optional(),
  })
  .meta({ id: "ChatCompletion" });

export const ChatCompletionChunkSchema = z
  .looseObject({
    id: z.string(),
    object: z.literal("chat.completion.chunk"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.looseObject({
        index: z.number().int(),
        delta: z.looseObject({
          role: z.string().optional(),
          content: z.string().nullable().optional(),
          tool_calls: z
            .array(
              z.looseObject({
                index: z.number().int(),
                id: z.string().optional(),
                type: z.literal("function").optional(),
                function: z.looseObject({ name: z.string().optional(), arguments: z.string().optional() }).optional(),
              }),
            )
            .optional(),
        }),
        finish_reason: z.string().nullable(),
      }),
    ),
    usage: UsageSchema.nullable().optional(),
  })
  .meta({
    id: "ChatCompletionChunk",
    description:
      "One `data:` event of a streamed completion. The stream ends with `data: [DONE]`; comments (`: keepalive`) fill long silences; an upstream failure mid-stream arrives as `data: {\"error\": {...}}` before `[DONE]`.",
  });

export const ModelSchema = z
  .object({ id: z.string(), object: z.literal("model"), created: z.number().int(), owned_by: z.string() })
  .meta({ id: "Model" });

export const ModelListSchema = z
  .object({ object: z.literal("list"), data: z.array(ModelSchema) })
  .meta({ id: "ModelList", description: "The configured providers' models plus the configured aliases." });

/** The error shape of the `/v1` routes: OpenAI's, so the official SDKs raise their usual error classes. */
export const OpenAIErrorBodySchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string().meta({ example: "invalid_request_error" }),
      param: z.string().nullable(),
      code: z.string().nullable(),
    }),
  })
  .meta({ id: "OpenAIError" });
export type OpenAIErrorBody = z.infer<typeof OpenAIErrorBodySchema>;
