import { decode, decodeMultiStream, encode } from "@msgpack/msgpack";
import {
  INFER_STREAM_CONTENT_TYPE,
  InferFrameSchema,
  InferResultSchema,
  InferWireRequestSchema,
  MSGPACK_CONTENT_TYPE,
  RUNNER_ERROR_CODES,
  type InferFrame,
  type InferResult,
  type RunnerError,
} from "../../schema/runner";
import { InferenceError } from "../../engine/inference/types";

/**
 * The edge's half of the runner wire format (schema/runner.ts): MessagePack request bodies, a response that is
 * a stream of concatenated MessagePack frames (or, from a runner that does not stream, one InferResult), and
 * error bodies. Everything a runner sends is validated against the contract's schemas before it is used.
 */

/** Validates a request against the contract (defaults applied) and encodes it; an invalid one never leaves. */
export function encodeInferRequest(request: unknown): Uint8Array {
  const parsed = InferWireRequestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InferenceError(`invalid inference request: ${issue.path.join(".") || "request"}: ${issue.message}`, "invalid_request");
  }
  // Optional fields left undefined must be absent, not nil: the runner validates with the same schemas.
  return encode(parsed.data, { ignoreUndefined: true });
}

/** A runner sent something the contract does not allow. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

/** Decodes a streamed response body frame by frame, validating each. */
export async function* readFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<InferFrame> {
  for await (const raw of decodeMultiStream(body)) {
    const frame = InferFrameSchema.safeParse(raw);
    if (!frame.success) {
      const issue = frame.error.issues[0];
      throw new ProtocolError(`sent an invalid frame (${issue.path.join(".") || "frame"}: ${issue.message})`);
    }
    yield frame.data;
  }
}

/** A whole (non-streamed) MessagePack InferResult. */
export function parseResult(bytes: Uint8Array): InferResult {
  let raw: unknown;
  try {
    raw = decode(bytes);
  } catch (err) {
    throw new ProtocolError(`sent a body that is not MessagePack (${err instanceof Error ? err.message : String(err)})`);
  }
  const result = InferResultSchema.safeParse(raw);
  if (!result.success) throw new ProtocolError(`sent an invalid result (${result.error.issues[0].message})`);
  return result.data;
}

const MAX_ERROR_BODY_BYTES = 64 * 1024;

function asRunnerError(value: unknown): RunnerError | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const inner = typeof v.error === "object" && v.error !== null ? (v.error as Record<string, unknown>) : v;
  if (typeof inner.message !== "string") return null;
  const code = (RUNNER_ERROR_CODES as readonly unknown[]).includes(inner.code) ? (inner.code as RunnerError["code"]) : "internal";
  return { code, message: inner.message.slice(0, 2000) };
}

/**
 * The error a non-2xx runner response carries: `{error: {code, message}}` or a bare `{code, message}`, as
 * MessagePack or JSON; null when the body says nothing usable (the caller then reports the status).
 */
export async function readRunnerError(response: Response): Promise<RunnerError | null> {
  let bytes: Uint8Array;
  try {
    const buffer = await response.arrayBuffer();
    bytes = new Uint8Array(buffer, 0, Math.min(buffer.byteLength, MAX_ERROR_BODY_BYTES));
  } catch {
    return null;
  }
  if (bytes.length === 0) return null;
  const type = (response.headers.get("Content-Type") ?? "").toLowerCase();
  try {
    if (type.includes("json")) return asRunnerError(JSON.parse(new TextDecoder().decode(bytes)));
    if (type.includes("msgpack")) return asRunnerError(decode(bytes));
  } catch {
    return null;
  }
  return null;
}

/** What the edge asks for: the streamed form, so progress and heartbeats arrive while the runner works. */
export const STREAM_ACCEPT = INFER_STREAM_CONTENT_TYPE;
export { INFER_STREAM_CONTENT_TYPE, MSGPACK_CONTENT_TYPE };
