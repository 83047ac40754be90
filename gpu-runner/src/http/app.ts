import { Encoder } from "@msgpack/msgpack";
import type { HttpBindings } from "@hono/node-server";
import { Hono } from "hono";
import {
  INFER_STREAM_CONTENT_TYPE,
  MSGPACK_CONTENT_TYPE,
  type InferFrame,
  type InferWireRequest,
} from "../../../schema/runner";
import type { RunnerConfig } from "../config";
import { RunnerFailure } from "../errors";
import type { Logger } from "../log";
import type { Runner } from "../runner";
import { bearerChecker } from "./auth";
import { readBody } from "./body";
import { errorBody, errorResponse, toFailure } from "./errors";
import { describeInfer, parseInferRequest } from "./infer-request";

const encoder = new Encoder({ ignoreUndefined: true });

/** The runner's routes (schema/runner.ts). Every route needs the bearer token; every failure leaves through onError. */
export function createApp(runner: Runner, config: RunnerConfig, log: Logger): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  const authorized = bearerChecker(config.token);

  // Headers are read from Node's IncomingMessage: hono's c.req.header() would build a web Headers object.
  app.use("*", async (c, next) => {
    if (!authorized(c.env.incoming.headers.authorization)) throw RunnerFailure.unauthorized();
    await next();
  });

  app.get("/health", (c) => c.json(runner.health()));
  app.get("/v1/models", (c) => c.json(runner.models()));

  app.post("/v1/jobs/:job_id/cancel", (c) => c.json({ cancelled: runner.cancelJob(c.req.param("job_id")) }));

  app.post("/v1/infer", async (c) => {
    const { incoming, outgoing } = c.env;
    // The connection closing before the answer is written cancels the request (queued or running).
    const disconnect = new AbortController();
    outgoing.once("close", () => {
      if (!outgoing.writableFinished) disconnect.abort();
    });
    const signal = disconnect.signal;
    const body = await readBody(incoming, config.maxBodyBytes);
    runner.media.noteRequest(body.byteLength);
    const request = parseInferRequest(body);
    const started = performance.now();
    const done = (status: number) => log.debug("infer", { ...describeInfer(request), status, ms: Math.round((performance.now() - started) * 10) / 10 });
    if ((incoming.headers.accept ?? "").includes(INFER_STREAM_CONTENT_TYPE)) return streamInfer(runner, request, signal, config.heartbeatMs, done, log);
    try {
      const result = await runner.inferWire(request, { signal });
      done(200);
      const encoded = encoder.encode(result);
      runner.media.noteResult(encoded.byteLength);
      return c.body(encoded as Uint8Array<ArrayBuffer>, 200, { "Content-Type": MSGPACK_CONTENT_TYPE });
    } catch (err) {
      const failure = toFailure(err, log);
      done(failure.status);
      throw failure;
    }
  });

  app.notFound(() => {
    throw RunnerFailure.invalidRequest("no such route; see schema/runner.ts for the runner's routes", 404);
  });
  app.onError((err, c) => errorResponse(c, toFailure(err, log)));
  return app;
}

/**
 * The streamed answer: concatenated msgpack frames, a heartbeat every `heartbeatMs` while the request waits
 * or runs, progress frames as the kernel reports them, then exactly one result or error frame. The response
 * is 200 once streaming starts; failures after that are error frames.
 */
function streamInfer(runner: Runner, request: InferWireRequest, signal: AbortSignal, heartbeatMs: number, done: (status: number) => void, log: Logger): Response {
  // Aborted when the connection closes, or when the response stream is cancelled.
  const abort = new AbortController();
  signal.addEventListener("abort", () => abort.abort(), { once: true });
  let closed = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (frame: InferFrame) => {
        if (closed) return;
        const encoded = encoder.encode(frame);
        if (frame.type === "result") runner.media.noteResult(encoded.byteLength);
        controller.enqueue(encoded);
      };
      const heartbeat = setInterval(() => send({ type: "heartbeat" }), heartbeatMs);
      runner
        .inferWire(request, { signal: abort.signal, onProgress: (progress, total) => send({ type: "progress", progress, total }) })
        .then((result) => {
          done(200);
          send({ type: "result", result });
        })
        .catch((err: unknown) => {
          const failure = toFailure(err, log);
          done(failure.status);
          send({ type: "error", ...errorBody(failure) });
        })
        .finally(() => {
          clearInterval(heartbeat);
          if (!closed) controller.close();
          closed = true;
        });
    },
    cancel() {
      closed = true;
      abort.abort();
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": INFER_STREAM_CONTENT_TYPE, "Cache-Control": "no-store" } });
}
