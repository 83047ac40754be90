/**
 * A typed client of the HTTP contract, shared by the CLI and the runner page: openapi-fetch over the types that
 * scripts/generate-client.ts generates from the Worker's /openapi.json (client/openapi/), so neither re-types
 * the routes by hand. Every error answer becomes one {@link APIError}. Runs in browsers and Node (plain fetch).
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./openapi/index";

export type { components, paths } from "./openapi/index";

/** The contract's named schemas (`Workflow`, `Asset`, `StreamMessage`, ...). */
export type Schemas = components["schemas"];
/** The contract's error answer: `{"error": {message, type, code, details?, job_id?, status?}}`. */
export type ErrorBody = Schemas["Error"];
/** The contract's error types (schema/errors.ts), each with its status code. */
export type ErrorType = ErrorBody["error"]["type"];
/** A stream message of the SSE and NDJSON endpoints (and the WebSocket's job messages). */
export type StreamMessage = Schemas["StreamMessage"];

export type ApiClient = Client<paths>;

/**
 * What the server answered with an error status (or, with status 0, that it could not be reached). `type` is
 * one of the contract's {@link ErrorType}s when the answer was the contract's error body; `http_error` when
 * it was something else (a proxy's page, say); `connection_error` when there was no answer.
 */
export class APIError extends Error {
  /** The HTTP status; 0 when no answer came. */
  readonly status: number;
  readonly type: ErrorType | "http_error" | "connection_error" | (string & {});
  /** The body's `code` (the HTTP status, in the contract); the status when the body had none. */
  readonly code: number;
  /** Validation issues and the like (`{node_id, property, message}` or `{path, message}`). */
  readonly details: unknown[];
  /** The job a `job_failed` answer is about. */
  readonly jobId: string | undefined;

  constructor(
    status: number,
    error: { message: string; type: string; code?: number; details?: unknown[]; job_id?: string },
    options?: { cause?: unknown },
  ) {
    super(error.message, options);
    this.name = "APIError";
    this.status = status;
    this.type = error.type;
    this.code = error.code ?? status;
    this.details = error.details ?? [];
    this.jobId = error.job_id;
  }

  /** The error an answer with an error status stands for; `body` is its parsed JSON, or its text when not JSON. */
  static fromResponse(response: Response, body: unknown): APIError {
    const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
    if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") {
      const e = error as Partial<ErrorBody["error"]> & { message: string };
      return new APIError(response.status, {
        message: e.message,
        type: typeof e.type === "string" ? e.type : "http_error",
        code: typeof e.code === "number" ? e.code : undefined,
        details: Array.isArray(e.details) ? e.details : undefined,
        job_id: typeof e.job_id === "string" ? e.job_id : undefined,
      });
    }
    const text = typeof body === "string" ? body : body === undefined ? "" : JSON.stringify(body);
    return new APIError(response.status, { message: text.slice(0, 300) || response.statusText || `HTTP ${response.status}`, type: "http_error" });
  }
}

/** The bearer token, or a function read before each request (the page changes its token after sign-in). */
export type TokenSource = string | null | undefined | (() => string | null | undefined);

/**
 * A client of the server at `baseUrl` (no trailing path) that sends `Authorization: Bearer <token>` when
 * there is a token. A failed fetch throws an {@link APIError} with status 0; error answers come back in
 * `error` as openapi-fetch returns them: pass the result to {@link unwrap} to get the data or the APIError.
 */
export function createApiClient(baseUrl: string, token: TokenSource, options: { fetch?: typeof fetch } = {}): ApiClient {
  const client = createClient<paths>({ baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const auth: Middleware = {
    onRequest({ request }) {
      const value = typeof token === "function" ? token() : token;
      if (value && !request.headers.has("Authorization")) request.headers.set("Authorization", `Bearer ${value}`);
      return request;
    },
    onError({ error }) {
      const cause = error instanceof Error ? error : new Error(String(error));
      return new APIError(0, { message: `Cannot reach the server (${cause.message})`, type: "connection_error" }, { cause });
    },
  };
  client.use(auth);
  return client;
}

/** The data of a successful answer; throws the {@link APIError} of an error answer. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (!result.response.ok) throw APIError.fromResponse(result.response, result.error);
  return result.data as T;
}
