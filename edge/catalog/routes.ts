import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import packageJson from "../../package.json";
import { ApiHealthSchema, CatalogNodeSchema, NodeListQuerySchema, NodeListSchema } from "../../schema/catalog";
import type { AppEnv } from "../app-env";
import { runnerPoolStatus } from "../runners/service";
import { getConfig } from "../config/config";
import { ApiError } from "../errors/api-error";
import { EXAMPLE_COUNT } from "../examples/bundle";
import { validationHook } from "../openapi/hook";
import { commonErrors, error } from "../openapi/responses";
import { registry } from "../registry";
import { findCatalogNode, listCatalog } from "./catalog";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

const TypeParam = z.object({
  type: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "type", in: "path" }, example: "nodetool.text.FormatText" }),
});

const listNodes = createRoute({
  method: "get",
  path: "/api/nodes",
  tags: ["nodes"],
  summary: "The node catalog: every node type with its properties (JSON Schemas, defaults, bounds) and outputs",
  request: { query: NodeListQuerySchema },
  responses: { 200: json(NodeListSchema, "Every registered node, or those matching the filters"), ...commonErrors },
});

const getNode = createRoute({
  method: "get",
  path: "/api/nodes/{type}",
  tags: ["nodes"],
  summary: "One node type of the catalog",
  request: { params: TypeParam },
  responses: { 200: json(CatalogNodeSchema, "The node"), 404: error("No node of this type is registered"), ...commonErrors },
});

const apiHealth = createRoute({
  method: "get",
  path: "/api/health",
  tags: ["nodes"],
  summary: "What this deployment has loaded: version, nodes, examples and gpu-runners",
  responses: { 200: json(ApiHealthSchema, "The deployment's state"), ...commonErrors },
});

/** The node catalog and the detailed health report, generated from the engine's node declarations. */
export function catalogRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(listNodes, (c) => {
    const nodes = listCatalog(registry, c.req.valid("query"));
    return c.json({ nodes, count: nodes.length }, 200);
  });

  app.openapi(getNode, (c) => {
    const { type } = c.req.valid("param");
    const node = findCatalogNode(registry, type);
    if (!node) throw ApiError.notFound(`Node type '${type}'`);
    return c.json(node, 200);
  });

  app.openapi(apiHealth, async (c) => {
    const problems = getConfig(c.env).problems;
    const all = registry.all().filter((d) => d.unsupported === undefined);
    return c.json(
      {
        status: problems.length > 0 ? ("degraded" as const) : ("healthy" as const),
        timestamp: new Date().toISOString(),
        version: packageJson.version,
        nodes_loaded: all.length,
        gpu_nodes: all.filter((d) => d.gpu).length,
        examples_loaded: EXAMPLE_COUNT,
        runners: (({ configured, healthy }) => ({ configured, healthy }))(await runnerPoolStatus(c.env)),
        problems,
      },
      200,
    );
  });
  return app;
}
