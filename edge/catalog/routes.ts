import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import packageJson from "../../package.json";
import { ApiHealthSchema, CatalogNodeSchema, NodeListQuerySchema, NodeListSchema, NodeReloadSchema } from "../../schema/catalog";
import type { AppEnv } from "../app-env";
import { runnerPoolStatus } from "../runners/service";
import { getConfig } from "../config/config";
import { ApiError } from "../errors/api-error";
import { EXAMPLE_COUNT } from "../examples/bundle";
import { validationHook } from "../openapi/hook";
import { commonErrors, error } from "../openapi/responses";
import { registry } from "../registry";
import { presetNameOf } from "../presets/expand";
import { presetCatalogNode } from "../presets/catalog";
import { presetStore } from "../presets/service";
import { customCatalogNode } from "../custom-nodes/catalog";
import { customNameOfType } from "../custom-nodes/expand";
import { customNodeStore } from "../custom-nodes/service";
import { filterCatalog, findCatalogNode, listCatalog } from "./catalog";

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

const reloadNodes = createRoute({
  method: "post",
  path: "/api/nodes/reload",
  tags: ["nodes"],
  summary: "Re-read the caller's node types: their presets and custom nodes, from storage",
  description:
    "Built-in node types are compiled into this deployment (a new version is a new deployment), so a reload finds the same ones; the caller's presets are read again from storage. Every request reads them afresh anyway, so this is what a client calls to see the count after changes elsewhere.",
  responses: { 200: json(NodeReloadSchema, "What is loaded now"), ...commonErrors },
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

  // The caller's presets join the built-in catalog as node types of their own (`preset.<name>`), for them only.
  app.openapi(listNodes, async (c) => {
    const query = c.req.valid("query");
    const presets = (await presetStore(c.env, c.get("userId")).all()).map(presetCatalogNode);
    // Enabled custom nodes join the same way (`custom.<name>`, edge/custom-nodes).
    const custom = (await customNodeStore(c.env, c.get("userId")).all()).filter((n) => n.enabled).map(customCatalogNode);
    const nodes = [...listCatalog(registry, query), ...filterCatalog(presets, query), ...filterCatalog(custom, query)];
    return c.json({ nodes, count: nodes.length }, 200);
  });

  app.openapi(getNode, async (c) => {
    const { type } = c.req.valid("param");
    const presetName = presetNameOf(type);
    const preset = presetName !== null ? await presetStore(c.env, c.get("userId")).get(presetName) : null;
    const customName = customNameOfType(type);
    const custom = customName !== null ? await customNodeStore(c.env, c.get("userId")).get(customName) : null;
    const node = preset ? presetCatalogNode(preset) : custom?.enabled ? customCatalogNode(custom) : findCatalogNode(registry, type);
    if (!node) throw ApiError.notFound(`Node type '${type}'`);
    return c.json(node, 200);
  });

  app.openapi(reloadNodes, async (c) => {
    const store = presetStore(c.env, c.get("userId"));
    store.reload();
    const presets = await store.all();
    const custom = (await customNodeStore(c.env, c.get("userId")).all()).filter((n) => n.enabled);
    return c.json(
      {
        nodes_loaded: registry.all().filter((d) => d.unsupported === undefined).length,
        presets_loaded: presets.length,
        presets: presets.map((p) => p.node_type),
        custom_nodes_loaded: custom.length,
        custom_nodes: custom.map((n) => n.node_type),
        builtin: "Built-in node types are compiled into this deployment; they change only with a new deployment.",
      },
      200,
    );
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
        presets_loaded: (await presetStore(c.env, c.get("userId")).names()).length,
        runners: (({ configured, healthy }) => ({ configured, healthy }))(await runnerPoolStatus(c.env)),
        problems,
      },
      200,
    );
  });
  return app;
}
