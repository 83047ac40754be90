import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { GraphValidationError } from "../../engine/executor/plan";
import { ApiError } from "./api-error";

function fromHttpException(err: HTTPException): ApiError {
  if (err.status === 413) return new ApiError("payload_too_large", err.message || "Request body too large");
  if (err.status === 401) return new ApiError("unauthorized", err.message || "Unauthorized");
  if (err.status === 400) {
    const message = /json/i.test(err.message) ? "Malformed JSON in request body" : err.message || "Bad request";
    return new ApiError("invalid_request", message);
  }
  return new ApiError(err.status >= 500 ? "internal_error" : "invalid_request", err.message || "Request failed");
}

/** The one error handler: maps any thrown value to the contract's JSON error shape. Never leaks a stack. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof GraphValidationError) {
    return ApiError.invalidGraph(err.issues, err.subject === "params" ? "Invalid params" : undefined);
  }
  if (err instanceof HTTPException) return fromHttpException(err);
  return new ApiError("internal_error", "Internal server error");
}

export function errorResponse(err: unknown): Response {
  const apiError = toApiError(err);
  if (apiError.type === "internal_error" && !(err instanceof ApiError)) console.error("[edge] unhandled error", err);
  return Response.json(apiError.toBody(), { status: apiError.status });
}

export function onError(err: unknown, c: Context): Response {
  const res = errorResponse(err);
  return c.newResponse(res.body, res.status as ContentfulStatusCode, Object.fromEntries(res.headers));
}

export function onNotFound(c: Context): Response {
  return errorResponse(new ApiError("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`));
}
