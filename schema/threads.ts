import { z } from "zod";

/**
 * Chat threads and their messages, in NodeTool's shapes (nodetool-ai/nodetool
 * packages/protocol/src/api-schemas/threads.ts `threadResponse` and api-schemas/messages.ts `messageResponse`):
 * `GET /api/threads` answers `{threads, next}`, `GET /api/messages?thread_id=` answers `{messages, next}`;
 * `next` is the cursor of the following page, null on the last one.
 */

export const MAX_TITLE_CHARS = 500;
/** A message's content as stored, in characters of its JSON: bounds what one message may hold. */
export const MAX_MESSAGE_CONTENT_CHARS = 1_000_000;
export const THREAD_ID = /^[A-Za-z0-9_-]{1,128}$/;

const IdSchema = z
  .string()
  .regex(THREAD_ID, "ids are 1-128 letters, digits, '_' or '-'");

export const ThreadSchema = z.object({
  id: z.string(),
  user_id: z.string(),
  title: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  etag: z.string().nullable().optional(),
});
export type Thread = z.infer<typeof ThreadSchema>;

export const ThreadListSchema = z.object({ threads: z.array(ThreadSchema), next: z.string().nullable() });

/** Content as NodeTool allows it: text, a list of parts (`{type: "text", text}`, images...), an object, or null. */
export const MessageContentSchema = z.union([z.string(), z.array(z.unknown()), z.record(z.string(), z.unknown()), z.null()]);

export const MessageSchema = z.object({
  type: z.literal("message"),
  id: z.string(),
  user_id: z.string(),
  thread_id: z.string(),
  role: z.string(),
  name: z.string().nullable(),
  content: MessageContentSchema,
  tool_calls: z.array(z.unknown()).nullable(),
  tool_call_id: z.string().nullable(),
  provider: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  workflow_id: z.string().nullable().optional(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ChatThreadMessage = z.infer<typeof MessageSchema>;

export const MessageListSchema = z.object({ messages: z.array(MessageSchema), next: z.string().nullable() });

const booleanQuery = z
  .enum(["true", "false", "1", "0"], { error: "reverse must be true or false" })
  .transform((v) => v === "true" || v === "1")
  .optional();

export const ThreadListQuerySchema = z.object({
  limit: z.coerce.number({ error: "limit must be a number" }).int().min(1).max(500).default(10),
  cursor: z.string().max(200).optional(),
  reverse: booleanQuery,
});

export const MessageListQuerySchema = z.object({
  thread_id: IdSchema,
  limit: z.coerce.number({ error: "limit must be a number" }).int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
  reverse: booleanQuery,
});

export const ThreadCreateSchema = z.object({ title: z.string().max(MAX_TITLE_CHARS).nullish() }).nullish();
export const ThreadUpdateSchema = z.object({ title: z.string().min(1, "title must not be empty").max(MAX_TITLE_CHARS) });

export const ROLES = ["user", "assistant", "system", "tool"] as const;

/** `POST /api/messages`: without `thread_id` a new thread is created for it (NodeTool does the same). */
export const MessageCreateSchema = z.object({
  thread_id: IdSchema.optional(),
  role: z.enum(ROLES, { error: `role must be one of ${ROLES.join(", ")}` }),
  name: z.string().max(200).nullish(),
  content: MessageContentSchema,
  tool_call_id: z.string().max(200).nullish(),
  tool_calls: z.array(z.unknown()).max(100).nullish(),
  provider: z.string().max(100).nullish(),
  model: z.string().max(200).nullish(),
  workflow_id: z.string().max(200).nullish(),
});
export type MessageCreate = z.infer<typeof MessageCreateSchema>;

export const IdParamSchema = z.object({ id: z.string().min(1).max(200) });

/**
 * `chat_message` (on `/ws`) and a message frame on `/chat`: NodeTool's `Message` as its clients send it
 * (nodetool-ai/nodetool packages/protocol/src/ws-commands.ts `chatMessageDataSchema`, loose; NodeTool's chat
 * docs: `{role, content, thread_id, model, provider, tools}`). Extra fields are ignored.
 */
export const ChatMessageDataSchema = z
  .object({
    type: z.string().optional(),
    thread_id: IdSchema.nullish(),
    role: z.enum(["user"], { error: "role must be 'user' for a chat message" }).default("user"),
    content: MessageContentSchema,
    model: z.string().max(200).nullish(),
    provider: z.string().max(100).nullish(),
    /** Tool names (NodeTool's `tools: string[]`) or `{name}` objects: builtin tools and `workflow_<name>`. */
    tools: z.array(z.union([z.string().max(200), z.object({ name: z.string().max(200) }).loose()])).max(50).nullish(),
    workflow_id: z.string().max(200).nullish(),
    max_tokens: z.number().int().min(1).max(100_000).nullish(),
  })
  .loose();
export type ChatMessageData = z.output<typeof ChatMessageDataSchema>;
