import { InferenceError } from "../../engine/inference/types";
import type { InferResult } from "../../schema/runner";
import { describeFetchError } from "./health";
import { INFER_STREAM_CONTENT_TYPE, MSGPACK_CONTENT_TYPE, parseResult, ProtocolError, readFrames, readRunnerError, STREAM_ACCEPT } from "./wire";

/**
 * One inference request to one runner (`POST /v1/infer`, streamed). Failures come in three kinds, because
 * the pool treats them differently:
 * - BeforeAnswerError: the runner never started on it (connection refused or reset before response headers,
 *   no headers in time, 503 overloaded): safe to retry on another runner;
 * - MidInferenceError: the answer had started and then broke (connection lost, no frame or heartbeat within
 *   the idle timeout, a malformed frame): the work is lost, the runner is suspect;
 * - InferenceError: the runner answered with an error of its own (invalid_input, model_unavailable, ...).
 * An aborted signal (job cancelled) aborts the request and tells the runner to cancel the job's work.
 */
export class BeforeAnswerError extends Error {
  constructor(
    message: string,
    readonly overloaded = false,
  ) {
    super(message);
    this.name = "BeforeAnswerError";
  }
}

export class MidInferenceError extends InferenceError {
  constructor(url: string, detail: string) {
    super(`gpu-runner ${url} failed mid-inference: ${detail}`, "runner_failed");
    this.name = "MidInferenceError";
  }
}

export interface DispatchOptions {
  url: string;
  token: string;
  /** The encoded InferRequest. */
  body: Uint8Array;
  /** The request's job_id: what a cancel names. */
  jobId?: string;
  /** Until response headers. */
  headersTimeoutMs: number;
  /** Between two chunks or frames of the answer. */
  idleTimeoutMs: number;
  /** For the best-effort cancel request. */
  cancelTimeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: number, total: number) => void;
  fetch?: typeof fetch;
}

/** What a node sees when its inference was cancelled: the executor treats it as a consequence of the abort. */
export function cancelledError(): Error {
  const err = new Error("inference cancelled");
  err.name = "AbortError";
  return err;
}

/** `POST /v1/jobs/{job_id}/cancel`, best effort: errors and timeouts are swallowed. */
export async function sendCancel(url: string, token: string, jobId: string, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetchImpl(`${url}/v1/jobs/${encodeURIComponent(jobId)}/cancel`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    await res.body?.cancel();
  } catch {
    // The runner also sees the aborted request; the cancel only makes sure queued work of the job is dropped.
  } finally {
    clearTimeout(timer);
  }
}

function runnerAnswerError(url: string, status: number, error: { code: string; message: string } | null): Error {
  if (status === 401 || status === 403) return new InferenceError(`gpu-runner ${url} refused the runner token (HTTP ${status}; check GPU_RUNNER_TOKEN)`, "unauthorized");
  if (error) return new InferenceError(error.message, error.code as InferenceError["code"]);
  return new InferenceError(`gpu-runner ${url} answered HTTP ${status}`, "internal");
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

export async function dispatchInference(o: DispatchOptions): Promise<InferResult> {
  const fetchImpl = o.fetch ?? fetch;
  if (o.signal?.aborted) throw cancelledError();
  const controller = new AbortController();
  let expired: "headers" | "idle" | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (ms: number, kind: "headers" | "idle") => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      expired = kind;
      controller.abort();
    }, ms);
  };
  let cancelling: Promise<void> | undefined;
  const onAbort = () => {
    controller.abort();
    if (o.jobId !== undefined) cancelling = sendCancel(o.url, o.token, o.jobId, o.cancelTimeoutMs, fetchImpl);
  };
  o.signal?.addEventListener("abort", onAbort, { once: true });
  let stream: ReadableStream<Uint8Array> | undefined;

  try {
    arm(o.headersTimeoutMs, "headers");
    let res: Response;
    try {
      res = await fetchImpl(`${o.url}/v1/infer`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${o.token}`,
          "Content-Type": MSGPACK_CONTENT_TYPE,
          Accept: STREAM_ACCEPT,
        },
        body: o.body,
        signal: controller.signal,
      });
    } catch (err) {
      if (o.signal?.aborted) throw err;
      if (expired === "headers") throw new BeforeAnswerError(`no answer within ${seconds(o.headersTimeoutMs)} s`);
      throw new BeforeAnswerError(`connection failed (${describeFetchError(err)})`);
    }
    if (res.status === 503) {
      const error = await readRunnerError(res);
      throw new BeforeAnswerError(`overloaded${error ? ` (${error.message})` : ""}`, true);
    }
    if (!res.ok) throw runnerAnswerError(o.url, res.status, await readRunnerError(res));

    arm(o.idleTimeoutMs, "idle");
    const type = (res.headers.get("Content-Type") ?? "").toLowerCase();
    if (type.startsWith(MSGPACK_CONTENT_TYPE) && !type.startsWith(INFER_STREAM_CONTENT_TYPE)) {
      // A runner that does not stream answers with the InferResult itself.
      return parseResult(new Uint8Array(await res.arrayBuffer()));
    }
    if (!res.body) throw new MidInferenceError(o.url, "the answer has no body");
    // Every chunk counts as a sign of life, so a large result frame arriving slowly is not taken for a dead runner.
    stream = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, out) {
          arm(o.idleTimeoutMs, "idle");
          out.enqueue(chunk);
        },
      }),
    );
    let progressed = false;
    for await (const frame of readFrames(stream)) {
      arm(o.idleTimeoutMs, "idle");
      switch (frame.type) {
        case "progress":
          progressed = true;
          o.onProgress?.(frame.progress, frame.total);
          break;
        case "heartbeat":
          break;
        case "result":
          return frame.result;
        case "error":
          // A streaming runner answers 200 at once, so "refused, queue full" arrives as a frame: before any
          // progress it means no work began, as good as a 503.
          if (!progressed && frame.error.code === "overloaded") throw new BeforeAnswerError(`overloaded (${frame.error.message})`, true);
          throw new InferenceError(frame.error.message, frame.error.code);
      }
    }
    throw new MidInferenceError(o.url, "the answer ended without a result");
  } catch (err) {
    if (o.signal?.aborted) {
      await cancelling;
      throw cancelledError();
    }
    if (err instanceof BeforeAnswerError || err instanceof InferenceError) throw err;
    if (expired === "idle") throw new MidInferenceError(o.url, `no frame or heartbeat for ${seconds(o.idleTimeoutMs)} s`);
    if (err instanceof ProtocolError) throw new MidInferenceError(o.url, err.message);
    throw new MidInferenceError(o.url, `the connection broke (${describeFetchError(err)})`);
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener("abort", onAbort);
    await stream?.cancel().catch(() => undefined);
  }
}
