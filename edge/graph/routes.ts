import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ExportQuerySchema, GraphToolBodySchema, ValidateResponseSchema } from "../../schema/graph-tools";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { badRequestError, commonErrors } from "../openapi/responses";
import { registry } from "../registry";
import { checkGraph, graphOf } from "./check";
import { exportScript } from "./export-script";

const body = { body: { required: true, content: { "application/json": { schema: GraphToolBodySchema } } } };

const validateRoute = createRoute({
  method: "post",
  path: "/api/graph/validate",
  tags: ["graph"],
  summary: "Check a graph (and optionally params) without saving or running it: every problem at once",
  description:
    "Send `{graph, params?}` (a whole workflow document works) or a bare `{nodes, edges}`. A graph with problems is still a 200: `valid` is false and `issues` lists each with its node_id, node_type, property and message. A body that is not a graph at all is a 422.",
  request: body,
  responses: {
    200: { description: "The verdict", content: { "application/json": { schema: ValidateResponseSchema } } },
    ...badRequestError,
    ...commonErrors,
  },
});

const exportRoute = createRoute({
  method: "post",
  path: "/api/graph/export",
  tags: ["graph"],
  summary: "Turn a graph into a runnable script (plain fetch) that runs it on this API and prints the outputs",
  description:
    "The script saves the graph as a workflow under an id derived from the graph (`X-Workflow-Id`), runs it with the baked-in `params` (or `--params`), and prints the result map as JSON. It takes the server from `--url` / `NODETOOL_EDGE_URL` and the token from `--token` / `NODETOOL_EDGE_TOKEN`. TypeScript runs with `npx tsx file.ts`; `?language=javascript` gives an ES module for `node file.mjs`. An invalid graph or invalid params is a 422 listing every problem.",
  request: { query: ExportQuerySchema, ...body },
  responses: {
    200: {
      description: "The script, as an attachment",
      content: { "text/typescript": { schema: z.string() }, "text/javascript": { schema: z.string() } },
    },
    ...badRequestError,
    ...commonErrors,
  },
});

/** Graph tools: validation and export of unsaved graphs. */
export function graphRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(validateRoute, (c) => {
    const req = c.req.valid("json");
    return c.json(checkGraph(graphOf(req), req.params, registry), 200);
  });

  app.openapi(exportRoute, async (c) => {
    const req = c.req.valid("json");
    const graph = graphOf(req);
    const params = req.params ?? {};
    const verdict = checkGraph(graph, params, registry);
    if (!verdict.valid) throw ApiError.invalidGraph(verdict.issues, "Cannot export a graph that cannot run");
    const name = typeof req.name === "string" && req.name.trim() !== "" ? req.name : "Exported workflow";
    const description = typeof req.description === "string" ? req.description : undefined;
    const script = await exportScript({ graph, name, description, params, defaultUrl: new URL(c.req.url).origin, language: c.req.valid("query").language });
    return c.body(script.source, 200, {
      "Content-Type": script.contentType,
      "Content-Disposition": `attachment; filename="${script.filename}"`,
      "X-Workflow-Id": script.workflowId,
    }) as never;
  });
  return app;
}
