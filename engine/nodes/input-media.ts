/**
 * Media inputs of `nodetool.input.*`. They take `asset://<id>.<ext>`, a storage URL of this deployment, a
 * `data:` URI (or, when the server allows it, an http(s) URL), as a bare string or a `{type, uri}` reference.
 * The reference is checked before anything runs on it (it exists, it is the caller's, the URL is allowed) and
 * handed on with its storage URL; nodes read the bytes through the blob store when they need them.
 */
import { InlineBytes } from "../media/data-uri";
import { contentTypeForName } from "../media/content-types";
import { resolveMediaInput, saveMedia } from "../media/refs";
import { defineNode, out } from "../registry/define-node";
import type { NodeContext, NodeDecl } from "../registry/types";
import { describe, isRecord, toText } from "../values/coerce";
import { inputOutputs, inputProperties } from "./input-common";

const mediaRef = (type: string, extra: Record<string, unknown> = {}) => ({ type, uri: "", asset_id: null, data: null, metadata: null, ...extra });

function mediaInputNode(type: string, mediaType: string, description: string, defaultValue: unknown): NodeDecl {
  const isList = /^list\[/.test(mediaType);
  const itemType = isList ? mediaType.slice(5, -1) : mediaType;
  return defineNode({
    type: `nodetool.input.${type}`,
    kind: "input",
    description,
    properties: inputProperties(mediaType, defaultValue),
    outputs: [out("output", mediaType)],
    process: async (inputs, ctx: NodeContext) => {
      const what = `${type} '${ctx.nodeName}'`;
      if (!isList) return inputOutputs(await resolveMediaInput(inputs.value, itemType, ctx, what));
      const value = inputs.value ?? [];
      if (!Array.isArray(value)) throw new Error(`${what} must be a list of ${itemType} references, got ${describe(value)}`);
      const items = await Promise.all(value.map((item, i) => resolveMediaInput(item, itemType, ctx, `${what} item ${i}`)));
      return inputOutputs(items);
    },
  });
}

/** A dataframe comes with its rows inline (`columns` + `data`) or as a stored reference, which is checked. */
const dataframeInput = defineNode({
  type: "nodetool.input.DataframeInput",
  kind: "input",
  description: "A table: `{type: \"dataframe\", columns, data}` with its rows inline, or a stored reference.",
  properties: inputProperties("dataframe", mediaRef("dataframe", { columns: null })),
  outputs: [out("output", "dataframe")],
  process: async (inputs, ctx) => {
    const value = inputs.value;
    if (isRecord(value) && Array.isArray(value.data)) return inputOutputs(value);
    return inputOutputs(await resolveMediaInput(value, "dataframe", ctx, `DataframeInput '${ctx.nodeName}'`));
  },
});

/** An asset folder is named by its asset id; the nodes that save into it check it when they write. */
const assetFolderInput = defineNode({
  type: "nodetool.input.AssetFolderInput",
  kind: "input",
  description: "An asset folder: `{type: \"folder\", asset_id}`.",
  properties: inputProperties("folder", mediaRef("folder")),
  outputs: [out("output", "folder")],
  process: (inputs, ctx) => {
    const value = inputs.value;
    if (value !== null && value !== undefined && !isRecord(value)) {
      throw new Error(`AssetFolderInput '${ctx.nodeName}' must be a folder reference {type: "folder", asset_id}, got ${describe(value)}`);
    }
    return inputOutputs(value ?? null);
  },
});

/**
 * NodeTool turns a local file path into a document reference (`file://<path>`). A hosted run has no local
 * files: the path names a file in the job user's workspace, whose bytes become the document (stored as a
 * temporary object when the run has media storage).
 * NodeTool: packages/base-nodes/src/nodes/input.ts `DocumentFileInputNode`.
 */
const documentFileInput = defineNode({
  type: "nodetool.input.DocumentFileInput",
  kind: "input",
  description: "A document given by its path in the user's workspace; hands on the document and the path.",
  properties: inputProperties("str", ""),
  outputs: [out("document", "document"), out("path", "str")],
  process: async (inputs, ctx) => {
    const path = toText(inputs.value ?? "").trim();
    const what = `DocumentFileInput '${ctx.nodeName}'`;
    if (path === "") return { document: mediaRef("document"), path, value: path };
    const workspace = ctx.services.workspace;
    if (!workspace) throw new Error(`${what}: this run has no workspace to read '${path}' from`);
    const entry = await workspace.stat(path, ctx.signal);
    if (!entry) throw new Error(`${what}: '${path}' was not found in the workspace`);
    if (entry.isDirectory) throw new Error(`${what}: '${path}' is a folder, not a document`);
    const bytes = await workspace.read(path, ctx.signal);
    const contentType = entry.contentType ?? contentTypeForName(path);
    const name = path.slice(path.lastIndexOf("/") + 1);
    const document = ctx.services.blobs
      ? await saveMedia(ctx, bytes, { type: "document", contentType, kind: "temp", name }, what)
      : { ...mediaRef("document"), data: InlineBytes.wrap(bytes, contentType) };
    return { document, path, value: path };
  },
});

export const mediaInputNodes: NodeDecl[] = [
  mediaInputNode("ImageInput", "image", "An image, as an asset, storage URL or data: URI.", mediaRef("image")),
  mediaInputNode("AudioInput", "audio", "An audio file, as an asset, storage URL or data: URI.", mediaRef("audio")),
  mediaInputNode("VideoInput", "video", "A video, as an asset, storage URL or data: URI.", mediaRef("video", { duration: null, format: null })),
  mediaInputNode("DocumentInput", "document", "A document, as an asset, storage URL or data: URI.", mediaRef("document")),
  mediaInputNode(
    "Model3DInput",
    "model_3d",
    "A 3D model (glb, obj, stl, ply ...), as an asset, storage URL or data: URI.",
    mediaRef("model_3d", { format: null, material_file: null, texture_files: [] }),
  ),
  mediaInputNode("ImageListInput", "list[image]", "A list of images.", []),
  mediaInputNode("AudioListInput", "list[audio]", "A list of audio files.", []),
  mediaInputNode("VideoListInput", "list[video]", "A list of videos.", []),
  dataframeInput,
  assetFolderInput,
  documentFileInput,
];
