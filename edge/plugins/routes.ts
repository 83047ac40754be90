import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import packageJson from "../../package.json";
import { PluginListSchema, PluginSchema } from "../../schema/plugins";
import type { AppEnv } from "../app-env";
import { listCatalog } from "../catalog/catalog";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { commonErrors, notFoundError } from "../openapi/responses";
import { presetCatalogNode } from "../presets/catalog";
import { presetStore } from "../presets/service";
import type { PresetStore } from "../presets/store";
import { registry } from "../registry";
import { builtinPacks, customNodePack, pluginOf, presetPack, type Pack } from "./manifest";
import { customCatalogNode } from "../custom-nodes/catalog";
import { customNodeStore } from "../custom-nodes/service";
import type { CustomNodeStore } from "../custom-nodes/store";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const IdParam = z.object({ id: z.string().min(1).max(200).openapi({ param: { name: "id", in: "path" }, example: "nodetool.text" }) });

const listPlugins = createRoute({
  method: "get",
  path: "/api/plugins",
  tags: ["plugins"],
  summary: "Every node pack as a plugin manifest: the built-in namespaces and the caller's presets",
  responses: { 200: json(PluginListSchema, "The manifests"), ...commonErrors },
});

const getPlugin = createRoute({
  method: "get",
  path: "/api/plugins/{id}",
  tags: ["plugins"],
  summary: "One plugin: its manifest and README",
  request: { params: IdParam },
  responses: { 200: json(PluginSchema, "The plugin"), ...notFoundError, ...commonErrors },
});

const reloadPlugins = createRoute({
  method: "post",
  path: "/api/plugins/reload",
  tags: ["plugins"],
  summary: "Re-read the caller's plugins (their presets, from storage); built-in packs are compiled in",
  responses: { 200: json(PluginListSchema, "The manifests, as loaded now"), ...commonErrors },
});

// Built once per isolate: the built-in packs change only with a new deployment.
let builtins: Pack[] | undefined;
const builtinOnce = () => (builtins ??= builtinPacks(listCatalog(registry), packageJson.version));

async function packs(store: PresetStore, custom: CustomNodeStore): Promise<Pack[]> {
  const presets = await store.all();
  const nodes = await custom.all();
  return [...builtinOnce(), presetPack(presets, presets.map(presetCatalogNode)), customNodePack(nodes, nodes.filter((n) => n.enabled).map(customCatalogNode))];
}

/** Node packs as plugins: each built-in namespace, plus the caller's presets. */
export function pluginRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const list = async (store: PresetStore, custom: CustomNodeStore) => {
    const plugins = (await packs(store, custom)).map((p) => p.manifest);
    return { plugins, count: plugins.length };
  };

  app.openapi(listPlugins, async (c) => c.json(await list(presetStore(c.env, c.get("userId")), customNodeStore(c.env, c.get("userId"))), 200));

  app.openapi(getPlugin, async (c) => {
    const { id } = c.req.valid("param");
    const builtin = builtinOnce().find((p) => p.manifest.id === id);
    const pack = builtin ?? (await packs(presetStore(c.env, c.get("userId")), customNodeStore(c.env, c.get("userId")))).find((p) => p.manifest.id === id);
    if (!pack) throw ApiError.notFound(`Plugin '${id}'`);
    return c.json(pluginOf(pack), 200);
  });

  app.openapi(reloadPlugins, async (c) => {
    const store = presetStore(c.env, c.get("userId"));
    store.reload();
    return c.json(await list(store, customNodeStore(c.env, c.get("userId"))), 200);
  });
  return app;
}
