import { z } from "zod";

/**
 * The node catalog (`GET /api/nodes`, `GET /api/nodes/{type}`) and the detailed health report
 * (`GET /api/health`). Entries are generated from the engine's node declarations, never written by hand.
 */

const JsonSchema = z.record(z.string(), z.unknown());

export const CatalogPropertySchema = z
  .object({
    name: z.string(),
    type: z.string().meta({ description: "NodeTool's type name: str, int, float, bool, list[str], image, int|float ..." }),
    title: z.string(),
    description: z.string(),
    default: z.unknown().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    values: z.array(z.string()).optional().meta({ description: "Allowed values of an enum property." }),
    required: z.boolean(),
    aliases: z.array(z.string()).optional().meta({ description: "Other NodeTool spellings accepted for this property." }),
    json_schema: JsonSchema.meta({ description: "JSON Schema of the property's value: always a `type`, plus default, bounds and enum." }),
  })
  .meta({ id: "CatalogProperty" });
export type CatalogProperty = z.infer<typeof CatalogPropertySchema>;

export const CatalogOutputSchema = z
  .object({
    name: z.string(),
    type: z.string(),
    json_schema: JsonSchema,
  })
  .meta({ id: "CatalogOutput" });
export type CatalogOutput = z.infer<typeof CatalogOutputSchema>;

export const NodeKindSchema = z.enum(["input", "output", "constant", "node"]);

export const CatalogNodeSchema = z
  .object({
    type: z.string().meta({ example: "nodetool.text.FormatText" }),
    title: z.string(),
    description: z.string(),
    namespace: z.string().meta({ example: "nodetool.text" }),
    kind: NodeKindSchema.meta({ description: "input and output nodes are a workflow's parameters and results" }),
    properties: z.array(CatalogPropertySchema),
    outputs: z.array(CatalogOutputSchema),
    is_dynamic: z.boolean().meta({ description: "Accepts extra named inputs through `dynamic_properties`." }),
    is_streaming_output: z.boolean(),
    is_streaming_input: z.boolean(),
    gpu: z.boolean().meta({ description: "True when the node runs on a gpu-runner rather than in the Worker." }),
    runs_on: z.enum(["edge", "gpu-runner"]),
  })
  .meta({ id: "CatalogNode" });
export type CatalogNode = z.infer<typeof CatalogNodeSchema>;

export const NodeListQuerySchema = z.object({
  namespace: z.string().max(200).optional().meta({ description: "Only nodes in this namespace or below it (`nodetool.text`, `lib`)." }),
  q: z.string().max(200).optional().meta({ description: "Case-insensitive substring of the type, title or description." }),
});

export const NodeListSchema = z
  .object({
    nodes: z.array(CatalogNodeSchema),
    count: z.number().int(),
  })
  .meta({ id: "NodeList" });

export const NodeTypeParamSchema = z.object({
  type: z
    .string()
    .min(1)
    .max(200)
    .meta({ description: "A node type name", example: "nodetool.text.FormatText" }),
});

export const ApiHealthSchema = z
  .object({
    status: z.enum(["healthy", "degraded"]),
    timestamp: z.string(),
    version: z.string(),
    nodes_loaded: z.number().int(),
    gpu_nodes: z.number().int().meta({ description: "Registered nodes that need a gpu-runner." }),
    examples_loaded: z.number().int(),
    presets_loaded: z.number().int().meta({ description: "The caller's presets (node types `preset.<name>` of their own)." }),
    runners: z
      .object({ configured: z.number().int(), healthy: z.number().int() })
      .meta({ description: "gpu-runners: how many are configured and how many answered their health check." }),
    problems: z.array(z.string()).meta({ description: "Missing or invalid settings (the reason for `degraded`)." }),
  })
  .meta({ id: "ApiHealth" });
export type ApiHealth = z.infer<typeof ApiHealthSchema>;

export const NodeReloadSchema = z
  .object({
    nodes_loaded: z.number().int().meta({ description: "Built-in node types: compiled into this deployment, so a reload finds the same ones." }),
    presets_loaded: z.number().int().meta({ description: "The caller's presets, read again from storage." }),
    presets: z.array(z.string()).meta({ description: "Their node types." }),
    custom_nodes_loaded: z.number().int().meta({ description: "The caller's enabled custom nodes, read again from storage." }),
    custom_nodes: z.array(z.string()).meta({ description: "Their node types (`custom.<name>`)." }),
    builtin: z.string().meta({ description: "Why built-in nodes do not change on reload." }),
  })
  .meta({ id: "NodeReload" });
