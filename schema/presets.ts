import { z } from "zod";
import { GraphSchema } from "./workflow";

/**
 * Presets: named, reusable subgraphs of one user. A preset is the selected nodes of a graph with the edges
 * between them; its free inputs and outputs are its ports, and it appears in that user's node catalog as the
 * node type `preset.<name>`, which expands into its subgraph before a graph is validated or run.
 */

export const PRESET_NAMESPACE = "preset";

/** Letters, digits, `_` and `-`: the name is part of the node type and of a storage key, so no dots or slashes. */
export const PresetNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/, "a preset name is 1-64 letters, digits, '_' or '-' (not starting with '-')")
  .meta({ example: "shout" });

export const PresetPortSchema = z
  .object({
    name: z.string().meta({ description: "The handle on the preset node: an inner input/output node's name, or `<node_id>.<handle>`." }),
    type: z.string(),
    node_id: z.string().meta({ description: "The inner node the port leads to." }),
    handle: z.string().meta({ description: "The inner node's property or output; `value` for an inner input/output node." }),
    from: z.enum(["io_node", "handle"]).meta({ description: "`io_node`: an inner input/output node, replaced by the edge at expansion." }),
    default: z.unknown().optional(),
  })
  .meta({ id: "PresetPort" });
export type PresetPort = z.infer<typeof PresetPortSchema>;

export const PresetSchema = z
  .object({
    name: PresetNameSchema,
    node_type: z.string().meta({ example: "preset.shout" }),
    description: z.string(),
    graph: GraphSchema.meta({ description: "The subgraph: the selected nodes and the edges between them (normalised)." }),
    inputs: z.array(PresetPortSchema),
    outputs: z.array(PresetPortSchema),
    uses: z.array(z.string()).meta({ description: "Other presets this one contains." }),
    gpu: z.boolean().meta({ description: "True when one of its nodes runs on a gpu-runner." }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Preset" });
export type Preset = z.infer<typeof PresetSchema>;

export const PresetSummarySchema = PresetSchema.omit({ graph: true }).extend({ node_count: z.number().int() }).meta({ id: "PresetSummary" });
export type PresetSummary = z.infer<typeof PresetSummarySchema>;

export const PresetListSchema = z.object({ presets: z.array(PresetSummarySchema), count: z.number().int() }).meta({ id: "PresetList" });

export const PresetCreateSchema = z
  .object({
    name: PresetNameSchema,
    description: z.string().max(10_000).optional(),
    graph: GraphSchema.meta({ description: "The graph the nodes are selected from (a workflow's graph works as it is)." }),
    node_ids: z
      .array(z.union([z.string().max(512), z.number()]).transform(String))
      .min(1)
      .max(1000)
      .optional()
      .meta({ description: "The selected nodes; all of the graph's nodes when left out." }),
    replace: z.boolean().optional().meta({ description: "Replace a preset of the same name instead of answering 409." }),
  })
  .meta({ id: "PresetCreate" });
export type PresetCreate = z.output<typeof PresetCreateSchema>;
