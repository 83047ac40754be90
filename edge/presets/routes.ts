import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { PresetCreateSchema, PresetListSchema, PresetNameSchema, PresetSchema } from "../../schema/presets";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { badRequestError, commonErrors, error, notFoundError } from "../openapi/responses";
import { registry } from "../registry";
import { buildPreset } from "./build";
import { presetSummary } from "./catalog";
import { presetStore } from "./service";
import { MAX_PRESETS, MAX_PRESET_BYTES } from "./store";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const NameParam = z.object({ name: PresetNameSchema.openapi({ param: { name: "name", in: "path" } }) });

const listPresets = createRoute({
  method: "get",
  path: "/api/presets",
  tags: ["presets"],
  summary: "The caller's presets (named subgraphs usable as node types `preset.<name>`), by name",
  responses: { 200: json(PresetListSchema, "Every preset of the caller, without their subgraphs"), ...commonErrors },
});

const getPreset = createRoute({
  method: "get",
  path: "/api/presets/{name}",
  tags: ["presets"],
  summary: "One preset with its subgraph and ports",
  request: { params: NameParam },
  responses: { 200: json(PresetSchema, "The preset"), ...notFoundError, ...commonErrors },
});

const createPreset = createRoute({
  method: "post",
  path: "/api/presets/create",
  tags: ["presets"],
  summary: "Make a preset from a graph and the selected node ids",
  description:
    "The selected nodes and the edges between them become the preset's subgraph. Its inputs are the inner input nodes (by input name) and every property no inner edge feeds (`<node_id>.<property>`, defaulting to the inner node's value); its outputs are the inner output nodes (by output name) and every output of the other nodes (`<node_id>.<output>`). The preset is the node type `preset.<name>` in the caller's catalog and expands into its subgraph wherever it is used. A preset that would contain itself, directly or through another preset, is a 422; an existing name a 409 unless `replace` is true.",
  request: { body: { required: true, content: { "application/json": { schema: PresetCreateSchema } } } },
  responses: {
    200: json(PresetSchema, "Replaced"),
    201: json(PresetSchema, "Created"),
    ...badRequestError,
    409: error("A preset of this name exists (send `replace: true`), or the caller has too many presets"),
    ...commonErrors,
  },
});

const deletePreset = createRoute({
  method: "delete",
  path: "/api/presets/{name}",
  tags: ["presets"],
  summary: "Delete a preset (graphs that use it then fail validation with an unknown node type)",
  request: { params: NameParam },
  responses: { 204: { description: "Deleted" }, ...notFoundError, ...commonErrors },
});

/** Presets of the caller, stored in R2 below their own owner segment (edge/presets/store.ts). */
export function presetRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(listPresets, async (c) => {
    const presets = (await presetStore(c.env, c.get("userId")).all()).map(presetSummary);
    return c.json({ presets, count: presets.length }, 200);
  });

  app.openapi(getPreset, async (c) => {
    const { name } = c.req.valid("param");
    const preset = await presetStore(c.env, c.get("userId")).get(name);
    if (!preset) throw ApiError.notFound(`Preset '${name}'`);
    return c.json(preset, 200);
  });

  app.openapi(createPreset, async (c) => {
    const req = c.req.valid("json");
    const store = presetStore(c.env, c.get("userId"));
    const existing = await store.get(req.name);
    if (existing && req.replace !== true) throw new ApiError("conflict", `A preset named '${req.name}' exists; send "replace": true to replace it`);
    if (!existing && (await store.names()).length >= MAX_PRESETS) {
      throw new ApiError("conflict", `You have ${MAX_PRESETS} presets, the most allowed; delete one first`);
    }
    const preset = await buildPreset(req, store, registry, new Date().toISOString(), existing?.created_at);
    if (new TextEncoder().encode(JSON.stringify(preset)).length > MAX_PRESET_BYTES) {
      throw new ApiError("payload_too_large", `The preset is larger than ${MAX_PRESET_BYTES} bytes`);
    }
    await store.put(preset);
    return c.json(preset, existing ? 200 : 201);
  });

  app.openapi(deletePreset, async (c) => {
    const { name } = c.req.valid("param");
    if (!(await presetStore(c.env, c.get("userId")).delete(name))) throw ApiError.notFound(`Preset '${name}'`);
    return c.body(null, 204);
  });
  return app;
}
