import type { CatalogNode } from "../../schema/catalog";
import { PRESET_NAMESPACE, type Preset, type PresetSummary } from "../../schema/presets";
import { catalogProperty } from "../catalog/catalog";
import { outputJsonSchema } from "../catalog/node-schema";

/** What a port is, in words: an inner input/output node, or a handle of an inner node. */
function portDescription(p: Preset["inputs"][number], way: "input" | "output"): string {
  return p.from === "io_node" ? `The preset's ${way} '${p.name}' (inner node '${p.node_id}').` : `'${p.handle}' of inner node '${p.node_id}'.`;
}

/** A preset as a node type of its owner's catalog: its ports are the properties and outputs. */
export function presetCatalogNode(preset: Preset): CatalogNode {
  return {
    type: preset.node_type,
    title: preset.name,
    description: preset.description,
    namespace: PRESET_NAMESPACE,
    kind: "node",
    properties: preset.inputs.map((p) =>
      catalogProperty({ name: p.name, type: p.type, description: portDescription(p, "input"), ...(p.default !== undefined ? { default: p.default } : {}) }),
    ),
    outputs: preset.outputs.map((o) => ({ name: o.name, type: o.type, json_schema: outputJsonSchema(o.type) })),
    is_dynamic: false,
    is_streaming_output: false,
    is_streaming_input: false,
    gpu: preset.gpu,
    runs_on: preset.gpu ? "gpu-runner" : "edge",
  };
}

export function presetSummary(preset: Preset): PresetSummary {
  const { graph, ...rest } = preset;
  return { ...rest, node_count: graph.nodes.length };
}
