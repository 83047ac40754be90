import { createRoute, OpenAPIHono, type z } from "@hono/zod-openapi";
import { ListQuerySchema } from "../../schema/requests";
import { WorkflowInputSchema, WorkflowListSchema, WorkflowSchema } from "../../schema/workflow";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { validationHook } from "../openapi/hook";
import { badRequestError, commonErrors, IdParam, notFoundError } from "../openapi/responses";
import { presentWorkflow } from "./present";
import { expandUserPresets } from "../presets/service";
import { WorkflowRepository } from "./repository";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const body = { body: { required: true, content: { "application/json": { schema: WorkflowInputSchema } } } };

const listRoute = (path: string) =>
  createRoute({
    method: "get",
    path,
    tags: ["workflows"],
    summary: "List the caller's workflows, newest first",
    request: { query: ListQuerySchema },
    responses: { 200: json(WorkflowListSchema, "One page; pass `next` as `cursor` for the next"), ...badRequestError, ...commonErrors },
  });

const createWorkflow = createRoute({
  method: "post",
  path: "/api/workflows",
  tags: ["workflows"],
  summary: "Create a workflow (NodeTool format; unknown top-level fields are kept)",
  request: body,
  responses: { 201: json(WorkflowSchema, "The created workflow"), ...badRequestError, ...commonErrors },
});

// The worker surface (NodeTool's deployed worker: `/workflows/{id}`) shares these handlers with `/api/workflows/{id}`.
type WorkflowPath = "/api/workflows/{id}" | "/workflows/{id}";

const getWorkflow = (path: WorkflowPath) => createRoute({
  method: "get",
  path,
  tags: ["workflows"],
  summary: "Get a workflow with its derived input and output schemas",
  request: { params: IdParam },
  responses: { 200: json(WorkflowSchema, "The workflow"), ...notFoundError, ...commonErrors },
});

const putWorkflow = (path: WorkflowPath) => createRoute({
  method: "put",
  path,
  tags: ["workflows"],
  summary: "Create or replace the workflow with this id",
  request: { params: IdParam, ...body },
  responses: {
    200: json(WorkflowSchema, "Replaced"),
    201: json(WorkflowSchema, "Created"),
    ...badRequestError,
    ...notFoundError,
    ...commonErrors,
  },
});

const deleteWorkflow = (path: WorkflowPath) => createRoute({
  method: "delete",
  path,
  tags: ["workflows"],
  summary: "Delete a workflow",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...notFoundError, ...commonErrors },
});

/** Workflow CRUD (`/api/workflows`) and the worker surface's `GET /workflows`. Auth is applied by the app. */
export function workflowRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const repo = (c: { env: AppEnv["Bindings"]; get: (k: "userId") => string }) =>
    new WorkflowRepository(db(c.env.DB), c.get("userId"), (graph) => expandUserPresets(c.env, c.get("userId"), graph));

  for (const path of ["/api/workflows", "/api/workflows/", "/workflows"]) {
    app.openapi(listRoute(path), async (c) => {
      const q = c.req.valid("query");
      const { rows, next } = await repo(c).list({ limit: q.limit, cursor: q.cursor, runMode: q.run_mode });
      return c.json({ workflows: rows.map(presentWorkflow), next }, 200);
    });
  }
  app.openapi(createWorkflow, async (c) => {
    const row = await repo(c).create(c.req.valid("json"));
    return c.json(presentWorkflow(row), 201);
  });
  for (const path of ["/api/workflows/{id}", "/workflows/{id}"] as const) {
    app.openapi(getWorkflow(path), async (c) => c.json(presentWorkflow(await repo(c).get(c.req.valid("param").id)), 200));
    app.openapi(putWorkflow(path), async (c) => {
      const { row, created } = await repo(c).upsert(c.req.valid("param").id, c.req.valid("json"));
      return c.json(presentWorkflow(row), created ? 201 : 200);
    });
    app.openapi(deleteWorkflow(path), async (c) => {
      await repo(c).delete(c.req.valid("param").id);
      return c.body(null, 204);
    });
  }
  return app;
}
