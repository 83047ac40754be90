import { runWorkflow } from "../../engine/executor/run-workflow";
import { dataPackNodes } from "../../engine/nodes/data-packs";
import { constantNodes } from "../../engine/nodes/constant";
import { outputNodes } from "../../engine/nodes/output";
import { NodeRegistry } from "../../engine/registry/registry";
import type { EngineServices, NodeDecl } from "../../engine/registry/types";
import { GraphSchema } from "../../schema/workflow";

/**
 * Runs one node of the data packs through the real executor with a registry of only the packs, the constants
 * and the output node (so these tests do not depend on unrelated node modules), and returns every handle's
 * value. `services` pins the clock or supplies storage.
 */
export async function runPackNode(
  type: string,
  data: Record<string, unknown> = {},
  handles: string[] = ["output"],
  services: Partial<EngineServices> = {},
  extra: readonly NodeDecl[] = [],
): Promise<Record<string, unknown>> {
  const registry = new NodeRegistry([...dataPackNodes, ...constantNodes, ...outputNodes, ...extra]);
  const g = GraphSchema.parse({
    nodes: [{ id: "n", type, data }, ...handles.map((h) => ({ id: `o_${h}`, type: "nodetool.output.Output", data: { name: h } }))],
    edges: handles.map((h, i) => ({ id: `e${i}`, source: "n", sourceHandle: h, target: `o_${h}`, targetHandle: "value" })),
  });
  const r = await runWorkflow(g, {}, { registry, emit: () => {}, services });
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return r.result as Record<string, unknown>;
}

/** The single `output` of a data-pack node. */
export async function packOutput(type: string, data: Record<string, unknown> = {}, services: Partial<EngineServices> = {}): Promise<unknown> {
  return (await runPackNode(type, data, ["output"], services)).output;
}
