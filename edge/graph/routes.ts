import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ExportQuerySchema, GraphToolBodySchema, ValidateResponseSchema } from "../../schema/graph-tools";
import type { Graph } from "../../schema/workflow";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { badRequestError, commonErrors } from "../openapi/responses";
import { registry } from "../registry";
import { checkGraph, graphOf } from "./check";
import { expandCustomNodes } from "../custom-nodes/expand";
import { customNodeStore } from "../custom-nodes/service";
import { expandPresets } from "../presets/expand";
import { presetStore } from "../presets/service";
import { exportPythonScript } from "./export-python";
import { exportScript } from "./export-script";
import { savedGraphRoutes } from "./saved-routes";

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
  summary: "Turn a graph into a runnable script (plain fetch, or Python with requests) that runs it on this API and prints the outputs",
  description:
    "The script saves the graph as a workflow under an id derived from the graph (`X-Workflow-Id`), runs it with the baked-in `params` (or `--params`), and prints the result map as JSON. It takes the server from `--url` / `NODETOOL_EDGE_URL` and the token from `--token` / `NODETOOL_EDGE_TOKEN`. TypeScript runs with `npx tsx file.ts`; `?language=javascript` gives an ES module for `node file.mjs`; `?language=python` a Python 3 script using only `requests` (`python3 file.py`). The caller's preset nodes are expanded into their subgraphs, so the script runs for any user. An invalid graph or invalid params is a 422 listing every problem.",
  request: { query: ExportQuerySchema, ...body },
  responses: {
    200: {
      description: "The script, as an attachment",
      content: { "text/typescript": { schema: z.string() }, "text/javascript": { schema: z.string() }, "text/x-python": { schema: z.string() } },
    },
    ...badRequestError,
    ...commonErrors,
  },
});

/** The graph with the caller's preset nodes expanded and custom nodes rewritten, and what either found wrong. */
async function expanded(env: AppEnv["Bindings"], userId: string, graph: Graph) {
  const presets = await expandPresets(graph, presetStore(env, userId));
  const custom = await expandCustomNodes(presets.graph, customNodeStore(env, userId));
  return { graph: custom.graph, issues: [...presets.issues, ...custom.issues] };
}

/** Graph tools: validation and export of unsaved graphs, and saved graphs by name. */
export function graphRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(validateRoute, async (c) => {
    const req = c.req.valid("json");
    const { graph, issues } = await expanded(c.env, c.get("userId"), graphOf(req));
    const verdict = checkGraph(graph, req.params, registry);
    if (issues.length === 0) return c.json(verdict, 200);
    return c.json({ ...verdict, valid: false, issues: [...issues, ...verdict.issues], input_schema: null, output_schema: null }, 200);
  });

  app.openapi(exportRoute, async (c) => {
    const req = c.req.valid("json");
    const { graph, issues } = await expanded(c.env, c.get("userId"), graphOf(req));
    if (issues.length > 0) throw ApiError.invalidGraph(issues, "Cannot export a graph that cannot run");
    const params = req.params ?? {};
    const verdict = checkGraph(graph, params, registry);
    if (!verdict.valid) throw ApiError.invalidGraph(verdict.issues, "Cannot export a graph that cannot run");
    const name = typeof req.name === "string" && req.name.trim() !== "" ? req.name : "Exported workflow";
    const description = typeof req.description === "string" ? req.description : undefined;
    const language = c.req.valid("query").language;
    const options = { graph, name, description, params, defaultUrl: new URL(c.req.url).origin, language };
    const script = language === "python" ? await exportPythonScript(options) : await exportScript(options);
    return c.body(script.source, 200, {
      "Content-Type": script.contentType,
      "Content-Disposition": `attachment; filename="${script.filename}"`,
      "X-Workflow-Id": script.workflowId,
    }) as never;
  });
  app.route("/", savedGraphRoutes());
  return app;
}
