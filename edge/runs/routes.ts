import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ResultMapSchema, StreamMessageSchema } from "../../schema/messages";
import { IdempotencyKeySchema } from "../../schema/jobs";
import { ParamsSchema, RunRequestSchema, WorkerRunResponseSchema } from "../../schema/requests";
import type { AppEnv } from "../app-env";
import { WebhookSpecSchema, type WebhookSpec } from "../../schema/accounts";
import type { Principal } from "../auth/authenticate";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { badRequestError, commonErrors, error, IdParam, jobFailedError, notFoundError } from "../openapi/responses";
import { readOutcome, startJob, type StartedJob } from "./start-job";

const streamContent = (type: string) => ({ [type]: { schema: StreamMessageSchema } });

const IdempotencyHeader = z.object({
  "idempotency-key": IdempotencyKeySchema.optional().openapi({
    description: "Repeating a request with the same key within 24 h returns the job it first created instead of running it again.",
  }),
});
const conflictError = { 409: error("The Idempotency-Key was already used with a different request") } as const;

const editorRun = createRoute({
  method: "post",
  path: "/api/workflows/{id}/run",
  tags: ["runs"],
  summary: "Run a workflow: the result map, or NDJSON messages with ?stream=true",
  request: {
    params: IdParam,
    headers: IdempotencyHeader,
    query: z.object({ stream: z.enum(["true", "false", "1", "0"]).optional() }),
    body: { required: false, content: { "application/json": { schema: RunRequestSchema } } },
  },
  responses: {
    200: {
      description: "The result map (sink name -> value), or with ?stream=true one JSON message per line",
      content: { "application/json": { schema: ResultMapSchema }, ...streamContent("application/x-ndjson") },
    },
    ...badRequestError,
    ...notFoundError,
    ...conflictError,
    ...jobFailedError,
    ...commonErrors,
  },
});

const WorkerRunBody = z
  .record(z.string(), z.unknown())
  .openapi({ description: "`{params: {...}}`, or the params object itself", example: { params: { name: "Ada" } } });

const workerRun = createRoute({
  method: "post",
  path: "/workflows/{id}/run",
  tags: ["runs"],
  summary: "Run a workflow and wait for `{results, job_id, status}`",
  request: { params: IdParam, headers: IdempotencyHeader, body: { required: false, content: { "application/json": { schema: WorkerRunBody } } } },
  responses: {
    200: { description: "The finished job", content: { "application/json": { schema: WorkerRunResponseSchema } } },
    ...badRequestError,
    ...notFoundError,
    ...conflictError,
    ...commonErrors,
  },
});

const workerRunStream = createRoute({
  method: "post",
  path: "/workflows/{id}/run/stream",
  tags: ["runs"],
  summary: "Run a workflow as Server-Sent Events (`id:` = job_seq, keepalive comments, `data: [DONE]` at the end)",
  request: { params: IdParam, headers: IdempotencyHeader, body: { required: false, content: { "application/json": { schema: WorkerRunBody } } } },
  responses: {
    200: { description: "The job's messages", content: streamContent("text/event-stream") },
    ...badRequestError,
    ...notFoundError,
    ...conflictError,
    ...commonErrors,
  },
});

const isRunOption = (k: string) => k === "params" || k === "webhook" || k === "record_outputs";

/** `record_outputs` of a `{params, record_outputs}` body (a bare params object has none). */
function workerRecord(body: Record<string, unknown>): boolean {
  const keys = Object.keys(body);
  if (!keys.includes("record_outputs") || !keys.every(isRunOption)) return false;
  if (typeof body.record_outputs !== "boolean") {
    throw new ApiError("validation_error", "Invalid request body: record_outputs must be true or false", [{ path: "record_outputs", message: "expected a boolean" }]);
  }
  return body.record_outputs;
}

/** The worker surface accepts `{params}` (with an optional `webhook`) or a bare params object. */
function workerParams(body: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(body);
  if (keys.includes("params") && keys.every(isRunOption)) {
    const parsed = ParamsSchema.safeParse(body.params);
    if (!parsed.success) throw new ApiError("validation_error", "Invalid request body: params must be an object", [{ path: "params", message: "expected an object" }]);
    return parsed.data;
  }
  return body;
}

/** `webhook` of a `{params, webhook}` body (a bare params object has none). */
function workerWebhook(body: Record<string, unknown>): WebhookSpec | undefined {
  const keys = Object.keys(body);
  if (!keys.includes("webhook") || !keys.every(isRunOption)) return undefined;
  const parsed = WebhookSpecSchema.safeParse(body.webhook);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ["webhook", ...issue.path.map(String)].join(".");
    throw new ApiError("validation_error", `Invalid request body: ${path}: ${issue.message}`, [{ path, message: issue.message }]);
  }
  return parsed.data;
}

/** The account side of a run: the API key it was asked with, and its webhook. */
function accountOptions(c: { get(key: "principal"): Principal; req: { url: string } }, webhook: WebhookSpec | undefined) {
  const key = c.get("principal")?.key;
  // requestUrl: the base of the job's media URLs when PUBLIC_BASE_URL is unset (edge/storage/public-base.ts).
  return { ...(key ? { key: { id: key.id, limits: key.limits } } : {}), ...(webhook ? { webhook } : {}), requestUrl: c.req.url };
}

/** `X-Job-Id` on every run response, and `Idempotent-Replayed: true` when an earlier request created the job. */
function jobHeaders(started: StartedJob): Record<string, string> {
  return { "X-Job-Id": started.jobId, ...(started.replayed ? { "Idempotent-Replayed": "true" } : {}) };
}

function streamWithJobHeaders(started: StartedJob): Response {
  const headers = new Headers(started.response.headers);
  for (const [k, v] of Object.entries(jobHeaders(started))) headers.set(k, v);
  return new Response(started.response.body, { status: started.response.status, headers });
}

export function runRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(editorRun, async (c) => {
    const userId = c.get("userId");
    const { id } = c.req.valid("param");
    const stream = ["true", "1"].includes(c.req.valid("query").stream ?? "");
    const body = c.req.valid("json");
    const params = body.params ?? {};
    const started = await startJob(c.env, userId, { savedWorkflowId: id }, params, {
      ...accountOptions(c, body.webhook),
      ...(body.record_outputs ? { recordOutputs: true } : {}),
      respond: stream ? "ndjson" : "result",
      idempotencyKey: c.req.valid("header")["idempotency-key"],
    });
    if (stream) return streamWithJobHeaders(started) as never;
    const outcome = await readOutcome(started.response);
    if (outcome.status !== "completed") {
      throw new ApiError("job_failed", outcome.error ?? `The job ended as ${outcome.status}`, undefined, { job_id: started.jobId, status: outcome.status });
    }
    for (const [k, v] of Object.entries(jobHeaders(started))) c.header(k, v);
    return c.json(outcome.result ?? {}, 200);
  });

  app.openapi(workerRun, async (c) => {
    const userId = c.get("userId");
    const params = workerParams(c.req.valid("json"));
    const started = await startJob(c.env, userId, { savedWorkflowId: c.req.valid("param").id }, params, {
      ...accountOptions(c, workerWebhook(c.req.valid("json"))),
      recordOutputs: workerRecord(c.req.valid("json")),
      respond: "result",
      idempotencyKey: c.req.valid("header")["idempotency-key"],
    });
    const outcome = await readOutcome(started.response);
    for (const [k, v] of Object.entries(jobHeaders(started))) c.header(k, v);
    return c.json({ results: outcome.result, job_id: started.jobId, status: outcome.status, ...(outcome.error ? { error: outcome.error } : {}) }, 200);
  });

  app.openapi(workerRunStream, async (c) => {
    const userId = c.get("userId");
    const params = workerParams(c.req.valid("json"));
    const started = await startJob(c.env, userId, { savedWorkflowId: c.req.valid("param").id }, params, {
      ...accountOptions(c, workerWebhook(c.req.valid("json"))),
      recordOutputs: workerRecord(c.req.valid("json")),
      respond: "sse",
      idempotencyKey: c.req.valid("header")["idempotency-key"],
    });
    return streamWithJobHeaders(started) as never;
  });
  return app;
}
