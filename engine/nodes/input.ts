/**
 * `nodetool.input.*` (and NodeTool's runner-level `test.Input`): each input node that no edge feeds is a
 * workflow parameter named by `data.name` (engine/graph/inputs.ts); the run's param, or the stored `value`,
 * is what it hands on.
 *
 * NodeTool's input nodes return their value as `value` while the metadata names the handle `output`; its
 * runner hands an input's value to every outgoing edge whatever the source handle
 * (NodeTool: packages/kernel/src/runner.ts `_dispatchInputs`). So both handles carry the value here, and
 * validation accepts `value` on any input node (engine/graph/validate.ts `outputType`).
 */
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl, PropertyDecl } from "../registry/types";
import { inputOutputs, inputProperties } from "./input-common";
import { mediaInputNodes } from "./input-media";
import { messageInputNodes } from "./input-message";

function inputNode(type: string, valueType: string, defaultValue: unknown, description: string, extra: PropertyDecl[] = []): NodeDecl {
  return defineNode({
    type: `nodetool.input.${type}`,
    kind: "input",
    description,
    properties: inputProperties(valueType, defaultValue, extra),
    outputs: [out("output", valueType)],
    process: (inputs) => inputOutputs(inputs.value),
  });
}

/** A model choice as NodeTool stores it: `{type, provider, id, name, ...}`, provider "empty" when unset. */
const model = (type: string, extra: Record<string, unknown> = {}) => ({ type, provider: "empty", id: "", name: "", ...extra });

/**
 * NodeTool's test and CLI graphs use `test.Input` as a bare parameter: any value, named by its `name`. Without
 * a param or a stored value it hands on nothing, as NodeTool's runner does (`_dispatchInputs` skips it).
 */
const testInput = defineNode({
  type: "test.Input",
  title: "Input",
  kind: "input",
  description: "A parameter of any type, named by `name` (NodeTool's test and CLI graphs).",
  properties: [
    prop("name", "str", "", { description: "The parameter name callers set in `params`" }),
    prop("value", "any", undefined, { description: "Value used when the run does not set this parameter" }),
    prop("description", "str", ""),
  ],
  outputs: [out("output", "any")],
  process: (inputs) => inputOutputs(inputs.value),
});

export const inputNodes: NodeDecl[] = [
  inputNode("StringInput", "str", "", "A text parameter.", [
    prop("max_length", "int", 0, { description: "Maximum length in characters; 0 means unlimited", min: 0, max: 100000 }),
    prop("line_mode", "str", "single_line", { values: ["single_line", "multi_line"] }),
  ]),
  inputNode("IntegerInput", "int", 0, "A whole-number parameter with bounds.", [prop("min", "int", 0), prop("max", "int", 99999)]),
  inputNode("FloatInput", "float", 0, "A number parameter with bounds.", [prop("min", "float", 0), prop("max", "float", 99999)]),
  inputNode("BooleanInput", "bool", false, "A true/false parameter."),
  inputNode("SelectInput", "str", "", "A choice among fixed options.", [prop("options", "list[str]", []), prop("enum_type_name", "str", "")]),
  inputNode("StringListInput", "list[str]", [], "A list of strings."),
  inputNode("TextListInput", "list[str]", [], "A list of texts."),
  inputNode("FilePathInput", "str", "", "A file path, handed on as text (nodes that read files resolve it in the user's workspace)."),
  inputNode("FolderPathInput", "str", "", "A folder path, handed on as text (nodes that list folders resolve it in the user's workspace)."),
  inputNode("ColorInput", "color", { type: "color", value: null }, "A colour: `{type: \"color\", value: \"#rrggbb\"}` or the hex string."),
  inputNode("ImageSizeInput", "image_size", null, "Image dimensions: `{width, height}`."),
  inputNode("LanguageModelInput", "language_model", model("language_model", { path: null, supported_tasks: [] }), "A language model choice."),
  inputNode("ImageModelInput", "image_model", model("image_model", { path: null, supported_tasks: [] }), "An image generation model choice."),
  inputNode("VideoModelInput", "video_model", model("video_model", { path: null, supported_tasks: [] }), "A video generation model choice."),
  inputNode("TTSModelInput", "tts_model", model("tts_model", { path: null, voices: [], selected_voice: "" }), "A text-to-speech model choice."),
  inputNode("ASRModelInput", "asr_model", model("asr_model", { path: null }), "A speech recognition model choice."),
  inputNode("EmbeddingModelInput", "embedding_model", model("embedding_model", { dimensions: 0 }), "An embedding model choice."),
  inputNode(
    "HuggingFaceModelInput",
    "hf.model",
    { type: "hf.model", repo_id: "", path: null, variant: null, allow_patterns: null, ignore_patterns: null },
    "A Hugging Face model choice.",
  ),
  ...mediaInputNodes,
  ...messageInputNodes,
  testInput,
];
