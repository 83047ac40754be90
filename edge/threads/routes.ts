import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  IdParamSchema,
  MessageCreateSchema,
  MessageListQuerySchema,
  MessageListSchema,
  MessageSchema,
  ThreadCreateSchema,
  ThreadListQuerySchema,
  ThreadListSchema,
  ThreadSchema,
  ThreadUpdateSchema,
} from "../../schema/threads";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { badRequestError, commonErrors, notFoundError } from "../openapi/responses";
import { chatThreads } from "./chat-threads";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const body = <T extends z.ZodType>(schema: T, required = true) => ({ body: { required, content: { "application/json": { schema } } } });
const params = { params: IdParamSchema };

const listThreads = createRoute({
  tags: ["threads"],
  method: "get",
  path: "/api/threads",
  summary: "The caller's chat threads, oldest first (`reverse=true`: newest first); pass `next` as `cursor` for the next page",
  request: { query: ThreadListQuerySchema },
  responses: { 200: json(ThreadListSchema, "One page of threads"), ...badRequestError, ...commonErrors },
});
const createThread = createRoute({
  tags: ["threads"],
  method: "post",
  path: "/api/threads",
  summary: "Create a thread (title defaults to \"New Thread\")",
  request: body(ThreadCreateSchema, false),
  responses: { 200: json(ThreadSchema, "The new thread"), ...badRequestError, ...commonErrors },
});
const getThread = createRoute({
  tags: ["threads"],
  method: "get",
  path: "/api/threads/{id}",
  summary: "One thread",
  request: params,
  responses: { 200: json(ThreadSchema, "The thread"), ...notFoundError, ...commonErrors },
});
const updateThread = createRoute({
  tags: ["threads"],
  method: "put",
  path: "/api/threads/{id}",
  summary: "Rename a thread",
  request: { ...params, ...body(ThreadUpdateSchema) },
  responses: { 200: json(ThreadSchema, "The renamed thread"), ...notFoundError, ...commonErrors },
});
const deleteThread = createRoute({
  tags: ["threads"],
  method: "delete",
  path: "/api/threads/{id}",
  summary: "Delete a thread and all its messages",
  request: params,
  responses: { 204: { description: "Deleted" }, ...notFoundError, ...commonErrors },
});
const summarizeThread = createRoute({
  tags: ["threads"],
  method: "post",
  path: "/api/threads/{id}/summarize",
  summary: "Title the thread after its first user text (NodeTool's summarize)",
  request: params,
  responses: { 200: json(z.object({ title: z.string() }), "The new title"), ...notFoundError, ...commonErrors },
});
const listMessages = createRoute({
  tags: ["threads"],
  method: "get",
  path: "/api/messages",
  summary: "A thread's messages, oldest first (`reverse=true`: newest first); pass `next` as `cursor` for the next page",
  request: { query: MessageListQuerySchema },
  responses: { 200: json(MessageListSchema, "One page of messages"), ...badRequestError, ...notFoundError, ...commonErrors },
});
const createMessage = createRoute({
  tags: ["threads"],
  method: "post",
  path: "/api/messages",
  summary: "Add a message to a thread (without `thread_id`, to a new thread)",
  request: body(MessageCreateSchema),
  responses: { 200: json(MessageSchema, "The stored message"), ...badRequestError, ...notFoundError, ...commonErrors },
});
const getMessage = createRoute({
  tags: ["threads"],
  method: "get",
  path: "/api/messages/{id}",
  summary: "One message",
  request: params,
  responses: { 200: json(MessageSchema, "The message"), ...notFoundError, ...commonErrors },
});
const deleteMessage = createRoute({
  tags: ["threads"],
  method: "delete",
  path: "/api/messages/{id}",
  summary: "Delete one message",
  request: params,
  responses: { 204: { description: "Deleted" }, ...notFoundError, ...commonErrors },
});

const threadNotFound = (id: string) => ApiError.notFound(`Thread '${id}'`);
const messageNotFound = (id: string) => ApiError.notFound(`Message '${id}'`);

/**
 * `/api/threads` and `/api/messages` (NodeTool's routes and shapes; see schema/threads.ts). Each user's threads
 * live in their own Durable Object, so another user's thread reads exactly like a missing one. Auth is applied
 * by the app.
 */
export function threadRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const store = (c: { env: AppEnv["Bindings"]; get: (k: "userId") => string }) => chatThreads(c.env, c.get("userId"));

  app.openapi(listThreads, async (c) => {
    const q = c.req.valid("query");
    const page = await store(c).listThreads(c.get("userId"), q.limit, q.cursor, q.reverse ?? false);
    if ("error" in page) throw new ApiError("invalid_request", page.error);
    return c.json({ threads: page.items, next: page.next }, 200);
  });
  app.openapi(createThread, async (c) => {
    const input = c.req.valid("json");
    const made = await store(c).createThread(c.get("userId"), input?.title ?? null);
    if ("error" in made) throw new ApiError("conflict", made.error);
    return c.json(made.thread, 200);
  });
  app.openapi(getThread, async (c) => {
    const { id } = c.req.valid("param");
    const thread = await store(c).getThread(c.get("userId"), id);
    if (!thread) throw threadNotFound(id);
    return c.json(thread, 200);
  });
  app.openapi(updateThread, async (c) => {
    const { id } = c.req.valid("param");
    const thread = await store(c).updateThread(c.get("userId"), id, c.req.valid("json").title);
    if (!thread) throw threadNotFound(id);
    return c.json(thread, 200);
  });
  app.openapi(deleteThread, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await store(c).deleteThread(id))) throw threadNotFound(id);
    return c.body(null, 204);
  });
  app.openapi(summarizeThread, async (c) => {
    const { id } = c.req.valid("param");
    const title = await store(c).summarize(c.get("userId"), id);
    if (title === null) throw threadNotFound(id);
    return c.json({ title }, 200);
  });

  app.openapi(listMessages, async (c) => {
    const q = c.req.valid("query");
    const page = await store(c).listMessages(c.get("userId"), q.thread_id, q.limit, q.cursor, q.reverse ?? false);
    if (!page) throw threadNotFound(q.thread_id);
    if ("error" in page) throw new ApiError("invalid_request", page.error);
    return c.json({ messages: page.items, next: page.next }, 200);
  });
  app.openapi(createMessage, async (c) => {
    const input = c.req.valid("json");
    const added = await store(c).addMessage(c.get("userId"), input);
    if (!added) throw threadNotFound(input.thread_id ?? "");
    if ("error" in added) throw new ApiError("conflict", added.error);
    return c.json(added.message, 200);
  });
  app.openapi(getMessage, async (c) => {
    const { id } = c.req.valid("param");
    const message = await store(c).getMessage(c.get("userId"), id);
    if (!message) throw messageNotFound(id);
    return c.json(message, 200);
  });
  app.openapi(deleteMessage, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await store(c).deleteMessage(id))) throw messageNotFound(id);
    return c.body(null, 204);
  });
  return app;
}
