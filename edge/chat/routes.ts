import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import {
  ChatCompletionChunkSchema,
  ChatCompletionRequestSchema,
  ChatCompletionSchema,
  ModelListSchema,
  OpenAIErrorBodySchema,
} from "../../schema/chat";
import { ChatError } from "../../engine/providers/errors";
import type { ChatRequest } from "../../engine/providers/types";
import type { AppEnv } from "../app-env";
import { requireAuth } from "../auth/middleware";
import { corsMiddleware } from "../cors/cors";
import { getConfig } from "../config/config";
import { chatService } from "../../host/chat/settings";
import { requestLimits } from "../limits/middleware";
import { chatErrorResponse, chatValidationHook, onChatError } from "./errors";
import { awaitUpstream, forwardSse, pipeSse } from "./stream";
import { serverToolCompletion } from "../threads/completions";

const openAIError = (description: string) => ({ description, content: { "application/json": { schema: OpenAIErrorBodySchema } } });

const errors = {
  400: openAIError("Invalid request (OpenAI error shape), an unknown provider prefix, or a provider that is not configured"),
  401: openAIError("Missing or invalid bearer token, or the provider rejected this server's key"),
  404: openAIError("The provider does not have the model (`code: model_not_found`)"),
  413: openAIError("Request body larger than MAX_BODY_BYTES"),
  429: openAIError("The provider is rate limiting (Retry-After forwarded)"),
  502: openAIError("The provider failed or could not be reached"),
  503: openAIError("No provider is configured, or the chat settings are invalid (the message says which)"),
} as const;

const listModels = createRoute({
  method: "get",
  path: "/v1/models",
  tags: ["chat"],
  summary: "The configured providers' models and the model aliases (OpenAI's list shape)",
  security: [{ bearer: [] }],
  responses: {
    200: { description: "Models; ids route back to their provider", content: { "application/json": { schema: ModelListSchema } } },
    401: errors[401],
    503: errors[503],
  },
});

const chatCompletions = createRoute({
  method: "post",
  path: "/v1/chat/completions",
  tags: ["chat"],
  summary: "OpenAI-compatible chat completions, routed to OpenAI, OpenAI-compatible servers or Anthropic",
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { "application/json": { schema: ChatCompletionRequestSchema } } } },
  responses: {
    200: {
      description: "A `chat.completion`, or with `stream: true` Server-Sent Events of `chat.completion.chunk` ending with `data: [DONE]`",
      content: { "application/json": { schema: ChatCompletionSchema }, "text/event-stream": { schema: ChatCompletionChunkSchema } },
    },
    ...errors,
  },
});

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/**
 * `/v1`: the OpenAI-compatible chat proxy (docs/architecture.md#9-chat-proxy). Mounted ahead of the app's own body-limit
 * middleware so that every error on these routes, auth and body size included, is in OpenAI's shape.
 */
export function chatRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: chatValidationHook });
  app.onError(onChatError);
  // First, so that preflights (which carry no token) are answered and errors stay readable cross-origin.
  app.use("/v1/*", corsMiddleware);
  app.use("/v1/*", requestLimits(chatErrorResponse));
  app.use("/v1/*", requireAuth);

  app.openapi(listModels, async (c) => {
    const data = await chatService(c.env).listModels();
    return c.json({ object: "list" as const, data }, 200);
  });

  app.openapi(chatCompletions, async (c) => {
    const request = c.req.valid("json") as ChatRequest;
    const service = chatService(c.env);
    const keepaliveMs = getConfig(c.env).sseKeepaliveMs;
    const wantsUsage = request.stream === true && request.stream_options?.include_usage === true;
    // The upstream request follows the client's: aborted when the client goes (see awaitUpstream).
    const upstream = new AbortController();
    const clientSignal = c.req.raw.signal;
    clientSignal.addEventListener("abort", () => upstream.abort(clientSignal.reason), { once: true });
    // A request naming this server's tools (saved workflows, built-in tools) runs the tool loop here.
    const served = await serverToolCompletion(c.env, c.get("userId"), request, upstream.signal);
    if (served) return served as never;
    const route = service.resolve(request.model);
    // An OpenAI-protocol stream is already in the client's format: the runtime pipes it (pipeSse), with no
    // JavaScript per chunk. The JavaScript relay (forwardSse) takes Anthropic's, translated event by event, and
    // a stream whose usage chunk the meter needs: the relay hands over the stream's tail, which is cheaper
    // than the meter reading the piped stream a second time (edge/chat/stream.ts).
    const native = route.provider.kind === "openai" && !wantsUsage;
    // For the meter (edge/usage/chat-meter.ts): a stream asked for usage hands over its tail when it ends; one
    // that was not carries no usage (OpenAI sends it only when asked) and is counted at once, tokens unknown.
    let onEnd: ((tail: string | null) => void) | undefined;
    if (request.stream === true) c.set("chatStreamUsage", wantsUsage ? new Promise<string | null>((resolve) => (onEnd = resolve)) : Promise.resolve(null));
    const streamOptions = { keepaliveMs, onEnd, keepTail: wantsUsage };
    const call = service.chat(request, upstream.signal);
    if (request.stream === true) {
      // An upstream that answers within keepaliveMs (they nearly all do) has its status kept: an error is an
      // HTTP error. One that is still silent then gets its response started, with keepalives.
      const settled = await Promise.race([call.then(() => true, () => true), new Promise<false>((r) => setTimeout(() => r(false), keepaliveMs))]);
      if (!settled) {
        const provider = route.provider.name;
        const body = call.then((result) => {
          if (!result.response.body) throw new ChatError(502, `Provider '${result.provider}' sent no stream`, "server_error", "provider_error");
          return result.response.body;
        });
        const sse = awaitUpstream(body, () => upstream.abort(), { ...streamOptions, provider, native });
        return new Response(sse, { status: 200, headers: { ...SSE_HEADERS, "x-chat-provider": provider } }) as never;
      }
    }
    const result = await call;
    const body = result.response.body;
    if (!result.stream) {
      return new Response(body, { status: 200, headers: { "content-type": "application/json", "x-chat-provider": result.provider } }) as never;
    }
    if (!body) throw new ChatError(502, `Provider '${result.provider}' sent no stream`, "server_error", "provider_error");
    const sse = (native ? pipeSse : forwardSse)(body, { ...streamOptions, provider: result.provider });
    return new Response(sse, { status: 200, headers: { ...SSE_HEADERS, "x-chat-provider": result.provider } }) as never;
  });

  app.all("/v1/*", (c) => {
    throw new ChatError(404, `Unknown route ${c.req.method} ${new URL(c.req.url).pathname}`, "invalid_request_error", "unknown_url");
  });
  return app;
}
