import { defineNode, prop } from "../registry/define-node";
import type { NodeDecl, PropertyDecl } from "../registry/types";

const common = (valueType: string, defaultValue: unknown, extra: PropertyDecl[] = []): PropertyDecl[] => [
  prop("name", "str", "", { description: "The parameter name callers set in `params`" }),
  prop("value", valueType, defaultValue, { description: "Value used when the run does not set this parameter" }),
  prop("description", "str", "", { description: "Shown to people filling in the form" }),
  ...extra,
];

function inputNode(type: string, valueType: string, defaultValue: unknown, description: string, extra: PropertyDecl[] = []): NodeDecl {
  return defineNode({
    type: `nodetool.input.${type}`,
    kind: "input",
    description,
    properties: common(valueType, defaultValue, extra),
    outputs: [{ name: "output", type: valueType }],
    process: (inputs) => ({ output: inputs.value }),
  });
}

const mediaRef = (type: string) => ({ type, uri: "", asset_id: null, data: null });

/** `nodetool.input.*`: each unconnected input node is a workflow parameter named by `data.name`. */
export const inputNodes: NodeDecl[] = [
  inputNode("StringInput", "str", "", "A text parameter.", [
    prop("max_length", "int", 0, { description: "Maximum length in characters; 0 means unlimited", min: 0 }),
    prop("line_mode", "str", "single_line", { values: ["single_line", "multiline"] }),
  ]),
  inputNode("IntegerInput", "int", 0, "A whole-number parameter with bounds.", [prop("min", "int", 0), prop("max", "int", 99999)]),
  inputNode("FloatInput", "float", 0, "A number parameter with bounds.", [prop("min", "float", 0), prop("max", "float", 99999)]),
  inputNode("BooleanInput", "bool", false, "A true/false parameter."),
  inputNode("SelectInput", "str", "", "A choice among fixed options.", [prop("options", "list[str]", []), prop("enum_type_name", "str", "")]),
  inputNode("StringListInput", "list[str]", [], "A list of strings."),
  inputNode("TextListInput", "list[str]", [], "A list of texts."),
  inputNode("ImageInput", "image", mediaRef("image"), "An image, as an asset, storage URL or data: URI."),
  inputNode("AudioInput", "audio", mediaRef("audio"), "An audio file, as an asset, storage URL or data: URI."),
  inputNode("VideoInput", "video", mediaRef("video"), "A video, as an asset, storage URL or data: URI."),
  inputNode("DocumentInput", "document", mediaRef("document"), "A document, as an asset, storage URL or data: URI."),
  inputNode("ImageListInput", "list[image]", [], "A list of images."),
  inputNode("AudioListInput", "list[audio]", [], "A list of audio files."),
  inputNode("VideoListInput", "list[video]", [], "A list of videos."),
  inputNode("LanguageModelInput", "language_model", { type: "language_model", provider: "", id: "" }, "A language model choice."),
];
