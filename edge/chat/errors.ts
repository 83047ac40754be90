import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";
import { ChatError } from "../../engine/providers/errors";
import { ApiError } from "../errors/api-error";

/**
 * The `/v1` routes answer errors in OpenAI's shape, `{"error": {"message", "type", "param", "code"}}` with
 * `code` a string or null, so the official SDKs raise their usual classes (BadRequestError,
 * AuthenticationError, NotFoundError, RateLimitError, ...). The rest of the API keeps its own shape
 * (docs/architecture.md#4-http-contract); errors raised by shared middleware (auth, body limit) are converted here.
 */
const FROM_API_ERROR: Readonly<Record<string, { status: number; type: string; code: string | null }>> = {
  invalid_request: { status: 400, type: "invalid_request_error", code: null },
  validation_error: { status: 400, type: "invalid_request_error", code: null },
  unauthorized: { status: 401, type: "invalid_request_error", code: "invalid_api_key" },
  forbidden: { status: 403, type: "permission_error", code: null },
  not_found: { status: 404, type: "invalid_request_error", code: "not_found" },
  conflict: { status: 409, type: "invalid_request_error", code: "conflict" },
  payload_too_large: { status: 413, type: "invalid_request_error", code: "request_too_large" },
  rate_limited: { status: 429, type: "rate_limit_error", code: "rate_limit_exceeded" },
  unavailable: { status: 503, type: "server_error", code: "service_unavailable" },
};

export function toChatError(err: unknown): ChatError {
  if (err instanceof ChatError) return err;
  if (err instanceof ApiError) {
    const m = FROM_API_ERROR[err.type] ?? { status: 500, type: "server_error", code: null };
    return new ChatError(m.status, err.message, m.type, m.code);
  }
  if (err instanceof HTTPException) {
    if (err.status === 413) return new ChatError(413, err.message || "Request body too large", "invalid_request_error", "request_too_large");
    if (err.status === 400) {
      const message = /json/i.test(err.message) ? "We could not parse the JSON body of your request" : err.message || "Bad request";
      return new ChatError(400, message, "invalid_request_error", null);
    }
    if (err.status === 401) return new ChatError(401, err.message || "Unauthorized", "invalid_request_error", "invalid_api_key");
    return new ChatError(Math.min(err.status , 500), err.message || "Request failed", err.status >= 500 ? "server_error" : "invalid_request_error");
  }
  return new ChatError(500, "Internal server error", "server_error", null);
}

export function chatErrorResponse(err: unknown): Response {
  const chatError = toChatError(err);
  if (chatError.status === 500 && !(err instanceof ChatError) && !(err instanceof ApiError)) console.error("[chat] unhandled error", err);
  return Response.json(chatError.toBody(), { status: chatError.status, headers: chatError.headers });
}

export function onChatError(err: unknown, _c: Context): Response {
  return chatErrorResponse(err);
}

/** `messages.0.content` -> `messages[0].content`, OpenAI's way of naming a parameter. */
function paramPath(path: readonly PropertyKey[]): string | null {
  let out = "";
  for (const key of path) out += typeof key === "number" ? `[${key}]` : out === "" ? String(key) : `.${String(key)}`;
  return out === "" ? null : out;
}

/** Request validation failures on /v1: a 400 naming the first bad parameter, OpenAI style. */
export function chatValidationHook(result: { success: boolean; error?: z.ZodError; target: string }): void {
  if (result.success || !result.error) return;
  const issues = result.error.issues;
  const first = issues[0];
  const param = paramPath(first.path);
  const missing = first.code === "invalid_type" && /received undefined/.test(first.message);
  const message = missing && param
    ? `Missing required parameter: '${param}'.`
    : `Invalid ${param ? `'${param}'` : "request body"}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : ""}`;
  throw new ChatError(400, message, "invalid_request_error", missing ? "missing_required_parameter" : "invalid_value", param);
}
