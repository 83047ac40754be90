import { defineNode, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";

/**
 * Sinks: the executor records what each receives under its `data.name`, so they have no implementation
 * of their own beyond passing the value on.
 */
function sink(type: string, valueType: string, description: string): NodeDecl {
  return defineNode({
    type,
    kind: "output",
    description,
    properties: [
      prop("name", "str", "", { description: "The key of this value in the result map" }),
      prop("value", valueType, null, { required: true }),
      prop("description", "str", ""),
    ],
    outputs: [{ name: "output", type: valueType }],
    process: (inputs) => ({ output: inputs.value }),
  });
}

const TYPED_OUTPUTS: [string, string][] = [
  ["StringOutput", "str"],
  ["TextOutput", "str"],
  ["IntegerOutput", "int"],
  ["FloatOutput", "float"],
  ["BooleanOutput", "bool"],
  ["ListOutput", "list"],
  ["DictionaryOutput", "dict"],
  ["ImageOutput", "image"],
  ["ImageListOutput", "list[image]"],
  ["AudioOutput", "audio"],
  ["VideoOutput", "video"],
  ["DocumentOutput", "document"],
  ["DataframeOutput", "dataframe"],
];

export const outputNodes: NodeDecl[] = [
  sink("nodetool.output.Output", "any", "A workflow result, named by `name` in the result map."),
  ...TYPED_OUTPUTS.map(([name, type]) => sink(`nodetool.output.${name}`, type, `A ${type} result (older NodeTool typed output).`)),
  sink("nodetool.workflows.base_node.Preview", "any", "Shows a value while the workflow runs; also part of the result map."),
];
