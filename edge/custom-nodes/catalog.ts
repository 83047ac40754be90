import type { CatalogNode } from "../../schema/catalog";
import { CUSTOM_NAMESPACE, type CustomNode, type CustomNodePort } from "../../schema/custom-nodes";
import { catalogProperty } from "../catalog/catalog";
import { outputJsonSchema } from "../catalog/node-schema";

const shapeText = (p: CustomNodePort) => (p.shape === null ? "any shape" : `shape [${p.shape.map((d) => (d === null ? "?" : String(d))).join(", ")}]`);
const stepsText = (steps: CustomNode["preprocess"][string] | undefined) => (steps && steps.length > 0 ? `; steps: ${steps.map((s) => s.op).join(" -> ")}` : "");

/** A custom node as a node type of its owner's catalog: the model's inputs are its properties, its outputs its outputs. */
export function customCatalogNode(node: CustomNode): CatalogNode {
  return {
    type: node.node_type,
    title: node.name,
    description: node.description,
    namespace: CUSTOM_NAMESPACE,
    kind: "node",
    properties: node.inputs.map((p) =>
      catalogProperty({
        name: p.name,
        type: "tensor",
        default: null,
        required: true,
        description: `Model input '${p.name}': ${p.dtype}, ${shapeText(p)}${stepsText(node.preprocess[p.name])}. A tensor, an np_array or nested lists of numbers.`,
      }),
    ),
    outputs: node.outputs.map((o) => ({ name: o.name, type: "tensor", json_schema: outputJsonSchema("tensor") })),
    is_dynamic: false,
    is_streaming_output: false,
    is_streaming_input: false,
    gpu: true,
    runs_on: "gpu-runner",
  };
}
