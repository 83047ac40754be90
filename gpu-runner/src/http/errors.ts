import type { Context } from "hono";
import { Encoder } from "@msgpack/msgpack";
import { HTTPException } from "hono/http-exception";
import { MSGPACK_CONTENT_TYPE, type RunnerError } from "../../../schema/runner";
import { RunnerFailure, shortMessage } from "../errors";
import type { Logger } from "../log";

const encoder = new Encoder();

/** Anything thrown becomes a RunnerFailure; unexpected errors are logged with their stack and answered as 500. */
export function toFailure(err: unknown, log: Logger): RunnerFailure {
  if (err instanceof RunnerFailure) return err;
  if (err instanceof HTTPException) return new RunnerFailure(err.status >= 500 ? "internal" : "invalid_request", err.status, err.message || "request failed");
  log.error("internal_error", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return RunnerFailure.internal(shortMessage(err));
}

export const errorBody = (f: RunnerFailure): { error: RunnerError } => ({ error: { code: f.code, message: f.message } });

/** The msgpack error body of POST /v1/infer. */
export const encodeFailure = (f: RunnerFailure): Uint8Array => encoder.encode(errorBody(f));

/**
 * The one error response: `{error: {code, message}}` with the failure's status, in msgpack on POST /v1/infer
 * (its wire format) and JSON on the other routes; Content-Type says which.
 */
export function errorResponse(c: Context, failure: RunnerFailure): Response {
  const headers: Record<string, string> = {};
  if (failure.status === 413) headers.Connection = "close";
  if (c.req.path === "/v1/infer") {
    headers["Content-Type"] = MSGPACK_CONTENT_TYPE;
    return new Response(encodeFailure(failure) as Uint8Array<ArrayBuffer>, { status: failure.status, headers });
  }
  headers["Content-Type"] = "application/json";
  return new Response(JSON.stringify(errorBody(failure)), { status: failure.status, headers });
}
