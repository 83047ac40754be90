import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { CancelResponseSchema, JobListQuerySchema, JobListSchema, JobSchema, LastSeqSchema } from "../../schema/jobs";
import { StreamMessageSchema } from "../../schema/messages";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { badRequestError, commonErrors, error, IdParam, notFoundError } from "../openapi/responses";
import { findJob, listActiveJobs, listJobs } from "./job-rows";
import { isFinished, jobStub, openJobEvents } from "./job-stream";
import { presentJob } from "./present";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

// NodeTool's job list (Python `GET /api/jobs/`): `start_key` in, `next_start_key` out, aliases of cursor/next.
const ListQuery = JobListQuerySchema.extend({ start_key: z.string().max(512).optional() });
const ListBody = JobListSchema.extend({ next_start_key: z.string().nullable() });

const listRoute = (path: "/api/jobs" | "/api/jobs/") =>
  createRoute({
    method: "get",
    path,
    tags: ["jobs"],
    summary: "List the caller's jobs, newest first (filters: workflow_id, status)",
    description: "`start_key` and `next_start_key` are NodeTool's names for `cursor` and `next`.",
    request: { query: ListQuery },
    responses: { 200: json(ListBody, "One page; pass `next` as `cursor` (or `start_key`) for the next"), ...badRequestError, ...commonErrors },
  });

/** NodeTool's BackgroundJobResponse (Python `GET /api/jobs/running/all`). */
const RunningJobSchema = z.object({
  job_id: z.string(),
  status: z.string(),
  workflow_id: z.string().nullable(),
  created_at: z.string(),
  is_running: z.boolean(),
  is_completed: z.boolean(),
});
const runningRoute = createRoute({
  method: "get",
  path: "/api/jobs/running/all",
  tags: ["jobs"],
  summary: "The caller's jobs that are queued or running (NodeTool's running-jobs list)",
  responses: { 200: json(z.array(RunningJobSchema), "Newest first"), ...commonErrors },
});

const getRoute = createRoute({
  method: "get",
  path: "/api/jobs/{id}",
  tags: ["jobs"],
  summary: "Get a job: status, params, result, outputs (arrays per sink), error and times",
  request: { params: IdParam },
  responses: { 200: json(JobSchema, "The job"), ...notFoundError, ...commonErrors },
});

const cancelRoute = createRoute({
  method: "post",
  path: "/api/jobs/{id}/cancel",
  tags: ["jobs"],
  summary: "Cancel a queued or running job; answers once it has stopped",
  request: { params: IdParam },
  responses: {
    200: json(CancelResponseSchema, "The job has stopped (`cancelled`, or the status it reached first)"),
    ...notFoundError,
    409: error("The job had already finished; `status` says how"),
    ...commonErrors,
  },
});

const streamRoute = createRoute({
  method: "get",
  path: "/api/jobs/{id}/stream",
  tags: ["jobs"],
  summary: "Follow a job: replays its messages after Last-Event-ID (or ?last_seq=), then live until it ends",
  description:
    "Server-Sent Events by default (`id:` is the job_seq; `data: [DONE]` at the end); NDJSON with `Accept: application/x-ndjson`. A finished job replays and ends.",
  request: {
    params: IdParam,
    query: z.object({ last_seq: LastSeqSchema.optional() }),
    headers: z.object({ "last-event-id": LastSeqSchema.optional() }),
  },
  responses: {
    200: { description: "The job's messages", content: { "text/event-stream": { schema: StreamMessageSchema }, "application/x-ndjson": { schema: StreamMessageSchema } } },
    ...notFoundError,
    ...commonErrors,
  },
});

export function jobRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  const ownJob = async (c: { env: AppEnv["Bindings"]; get(key: "userId"): string }, id: string) => {
    const row = await findJob(db(c.env.DB), c.get("userId"), id);
    if (!row) throw ApiError.notFound(`Job '${id}'`);
    return row;
  };

  for (const path of ["/api/jobs", "/api/jobs/"] as const) {
    app.openapi(listRoute(path), async (c) => {
      const q = c.req.valid("query");
      const cursor = q.cursor ?? q.start_key;
      const { rows, next } = await listJobs(db(c.env.DB), c.get("userId"), { limit: q.limit, cursor, workflowId: q.workflow_id, status: q.status });
      return c.json({ jobs: rows.map(presentJob), next, next_start_key: next }, 200);
    });
  }

  app.openapi(runningRoute, async (c) => {
    const rows = await listActiveJobs(db(c.env.DB), c.get("userId"));
    const present = rows.map((r) => ({ job_id: r.id, status: r.status, workflow_id: r.workflow_id, created_at: r.created_at, is_running: r.status === "running", is_completed: false }));
    return c.json(present, 200);
  });

  app.openapi(getRoute, async (c) => c.json(presentJob(await ownJob(c, c.req.valid("param").id)), 200));

  app.openapi(cancelRoute, async (c) => {
    const row = await ownJob(c, c.req.valid("param").id);
    const finishedError = (status: string) =>
      new ApiError("conflict", `Job '${row.id}' has already finished (${status})`, undefined, { job_id: row.id, status });
    if (isFinished(row)) throw finishedError(row.status);
    const result = await jobStub(c.env, row.id).cancel(c.get("userId"));
    if (!result) throw ApiError.notFound(`Job '${row.id}'`);
    if (result.alreadyFinished) throw finishedError(result.status);
    return c.json({ job_id: row.id, status: result.status }, 200);
  });

  app.openapi(streamRoute, async (c) => {
    const row = await ownJob(c, c.req.valid("param").id);
    // EventSource reconnects to the same URL with a newer Last-Event-ID, so the header wins over the query.
    const after = c.req.valid("header")["last-event-id"] ?? c.req.valid("query").last_seq ?? 0;
    const format = (c.req.header("accept") ?? "").includes("application/x-ndjson") ? "ndjson" : "sse";
    const response = await openJobEvents(c.env, row, format, after);
    return new Response(response.body, { headers: response.headers }) as never;
  });
  return app;
}
