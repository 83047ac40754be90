import { z } from "zod";

/**
 * Plugins: every node pack is one. Each built-in namespace (`nodetool.text`, `lib.math` ...) is a plugin of
 * this deployment; the caller's presets are a plugin of their own (`user.presets`).
 */
export const PluginManifestSchema = z
  .object({
    id: z.string().meta({ example: "nodetool.text" }),
    name: z.string().meta({ example: "Text" }),
    version: z.string().meta({ description: "The deployment's version for built-in packs; the newest change for the caller's presets." }),
    kind: z.enum(["builtin", "presets", "custom_nodes"]),
    description: z.string(),
    enabled: z.boolean(),
    node_count: z.number().int(),
    node_types: z.array(z.string()),
  })
  .meta({ id: "PluginManifest" });
export type PluginManifest = z.infer<typeof PluginManifestSchema>;

export const PluginSchema = PluginManifestSchema.extend({
  readme: z.string().meta({ description: "Markdown: what the pack holds, each node type with its inputs and outputs." }),
}).meta({ id: "Plugin" });
export type Plugin = z.infer<typeof PluginSchema>;

export const PluginListSchema = z.object({ plugins: z.array(PluginManifestSchema), count: z.number().int() }).meta({ id: "PluginList" });
