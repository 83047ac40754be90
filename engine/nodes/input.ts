import { resolveMediaInput } from "../media/refs";
import { defineNode, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl, PropertyDecl } from "../registry/types";
import { describe } from "../values/coerce";

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

/**
 * Media inputs take `asset://<id>.<ext>`, a storage URL of this deployment, a `data:` URI (or, when the server
 * allows it, an http(s) URL), as a bare string or a `{type, uri}` reference. The reference is checked before
 * anything runs on it (it exists, it is the caller's, the URL is allowed) and handed on with its storage URL;
 * nodes read the bytes through the blob store when they need them.
 */
function mediaInputNode(type: string, mediaType: string, description: string): NodeDecl {
  const isList = /^list\[/.test(mediaType);
  const itemType = isList ? mediaType.slice(5, -1) : mediaType;
  return defineNode({
    type: `nodetool.input.${type}`,
    kind: "input",
    description,
    properties: common(mediaType, isList ? [] : mediaRef(mediaType)),
    outputs: [{ name: "output", type: mediaType }],
    process: async (inputs, ctx: NodeContext) => {
      const what = `${type} '${ctx.nodeName}'`;
      if (!isList) return { output: await resolveMediaInput(inputs.value, itemType, ctx, what) };
      const value = inputs.value ?? [];
      if (!Array.isArray(value)) throw new Error(`${what} must be a list of ${itemType} references, got ${describe(value)}`);
      const items = await Promise.all(value.map((item, i) => resolveMediaInput(item, itemType, ctx, `${what} item ${i}`)));
      return { output: items };
    },
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
  mediaInputNode("ImageInput", "image", "An image, as an asset, storage URL or data: URI."),
  mediaInputNode("AudioInput", "audio", "An audio file, as an asset, storage URL or data: URI."),
  mediaInputNode("VideoInput", "video", "A video, as an asset, storage URL or data: URI."),
  mediaInputNode("DocumentInput", "document", "A document, as an asset, storage URL or data: URI."),
  mediaInputNode("ImageListInput", "list[image]", "A list of images."),
  mediaInputNode("AudioListInput", "list[audio]", "A list of audio files."),
  mediaInputNode("VideoListInput", "list[video]", "A list of videos."),
  inputNode("LanguageModelInput", "language_model", { type: "language_model", provider: "", id: "" }, "A language model choice."),
];
