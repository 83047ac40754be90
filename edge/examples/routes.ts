import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ExampleCopyRequestSchema, ExampleListSchema, ExampleLoadQuerySchema, ExampleNameSchema } from "../../schema/examples";
import { WorkflowListSchema, WorkflowSchema } from "../../schema/workflow";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { badRequestError, commonErrors, error } from "../openapi/responses";
import { presentWorkflow } from "../workflows/present";
import { WorkflowRepository } from "../workflows/repository";
import { examples, findExample, type Example } from "./bundle";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const unknownExample = { 404: error("No example has this name") } as const;

const NameParam = z.object({ name: ExampleNameSchema.openapi({ param: { name: "name", in: "path" }, example: "hello-world" }) });

const workflowExamples = createRoute({
  method: "get",
  path: "/api/workflows/examples",
  tags: ["examples"],
  summary: "The example workflows shipped with the server, as full workflow documents (NodeTool's route)",
  responses: { 200: json(WorkflowListSchema, "Every example; `next` is always null"), ...commonErrors },
});

const listExamples = createRoute({
  method: "get",
  path: "/api/examples/list",
  tags: ["examples"],
  summary: "The example workflows shipped with the server: name, title, description, tags, inputs and outputs",
  responses: { 200: json(ExampleListSchema, "Every example"), ...commonErrors },
});

const loadExample = createRoute({
  method: "get",
  path: "/api/examples/load",
  tags: ["examples"],
  summary: "One example workflow by name, as a workflow document (save it with PUT /api/workflows/{id}, or copy it)",
  request: { query: ExampleLoadQuerySchema },
  responses: { 200: json(WorkflowSchema, "The example"), ...unknownExample, ...commonErrors },
});

const copyExample = createRoute({
  method: "post",
  path: "/api/examples/{name}/copy",
  tags: ["examples"],
  summary: "Copy an example into the caller's workflows (a new id, or the `id` sent)",
  request: { params: NameParam, body: { required: false, content: { "application/json": { schema: ExampleCopyRequestSchema } } } },
  responses: {
    201: json(WorkflowSchema, "The new workflow"),
    200: json(WorkflowSchema, "The workflow under `id` was replaced by the example"),
    ...badRequestError,
    ...unknownExample,
    ...commonErrors,
  },
});

function example(name: string): Example {
  const found = findExample(name);
  if (!found) throw ApiError.notFound(`Example '${name}'`);
  return found;
}

/**
 * Examples embedded in the Worker. Mounted before the workflow routes, so that `/api/workflows/examples`
 * is not read as the workflow with id "examples".
 */
export function exampleRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(workflowExamples, (c) => c.json({ workflows: examples().map((e) => e.workflow), next: null }, 200));
  app.openapi(listExamples, (c) => c.json({ examples: examples().map((e) => e.summary) }, 200));
  app.openapi(loadExample, (c) => c.json(example(c.req.valid("query").name).workflow, 200));
  app.openapi(copyExample, async (c) => {
    const source = example(c.req.valid("param").name);
    const body = c.req.valid("json") ?? {};
    const input = { ...source.input, ...(body.name ? { name: body.name } : {}) };
    const repo = new WorkflowRepository(db(c.env.DB), c.get("userId"));
    if (body.id) {
      const { row, created } = await repo.upsert(body.id, input);
      return c.json(presentWorkflow(row), created ? 201 : 200);
    }
    return c.json(presentWorkflow(await repo.create(input)), 201);
  });
  return app;
}
