import type { RunnerError } from "../../schema/runner";

type ErrorCode = RunnerError["code"];

/**
 * The one error type of the runner. Everything that fails a request becomes a RunnerFailure, in the HTTP
 * layer, the scheduler or a worker thread (where it crosses back as `toWire()`), and leaves through the one
 * handler in http/errors.ts. Messages are for the edge's users: never a stack, never the token.
 *
 * Status codes (README "gpu-runner"):
 *   400 invalid_request    undecodable msgpack, body not matching InferRequest, unknown route (404), body too large (413)
 *   401 unauthorized       missing or wrong bearer token
 *   422 invalid_input      tensor inputs that do not fit the model (name, dtype, rank, fixed dims), bad image/audio
 *   422 model_unavailable  the model's bytes were fetched and verified but onnxruntime cannot load them
 *   502 model_unavailable  the model could not be fetched from the edge or failed its size/sha256 check
 *   499 cancelled          cancelled by POST /v1/jobs/{job_id}/cancel (a closed connection sees nothing)
 *   503 overloaded         the model's queue is full, or the runner is shutting down
 *   500 internal           anything else (logged with its cause)
 */
export class RunnerFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "RunnerFailure";
  }

  toWire(): WireFailure {
    return { code: this.code, status: this.status, message: this.message };
  }

  static fromWire(w: WireFailure): RunnerFailure {
    return new RunnerFailure(w.code, w.status, w.message);
  }

  static invalidRequest(message: string, status = 400) {
    return new RunnerFailure("invalid_request", status, message);
  }
  static unauthorized(message = "missing or invalid bearer token") {
    return new RunnerFailure("unauthorized", 401, message);
  }
  static invalidInput(message: string) {
    return new RunnerFailure("invalid_input", 422, message);
  }
  /** The model's bytes could not be obtained (edge unreachable, non-2xx, size or sha256 mismatch). */
  static modelUnreachable(message: string) {
    return new RunnerFailure("model_unavailable", 502, message);
  }
  /** The model's bytes are what the edge promised but are not a loadable ONNX model. */
  static modelInvalid(message: string) {
    return new RunnerFailure("model_unavailable", 422, message);
  }
  static cancelled(message = "inference cancelled") {
    return new RunnerFailure("cancelled", 499, message);
  }
  static overloaded(message: string) {
    return new RunnerFailure("overloaded", 503, message);
  }
  static internal(message = "internal error") {
    return new RunnerFailure("internal", 500, message);
  }
}

/** A RunnerFailure as plain data, for postMessage between threads. */
export interface WireFailure {
  code: ErrorCode;
  status: number;
  message: string;
}

/** onnxruntime's messages are useful to the caller but long and multi-line; keep them to one short line. */
export function shortMessage(err: unknown, max = 500): string {
  let text = err instanceof Error ? err.message : String(err);
  // fetch() says only "fetch failed"; the reason (ECONNREFUSED, a DNS error, ...) is in its cause.
  const cause = err instanceof Error ? (err.cause as { message?: string; code?: string } | undefined) : undefined;
  if (cause?.message || cause?.code) text += ` (${cause.code ?? cause.message})`;
  const line = text.replace(/\s*\n\s*/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}...` : line;
}
