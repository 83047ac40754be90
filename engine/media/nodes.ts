import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { toText } from "../values/coerce";
import { imageInfo } from "./image-info";
import { folderId, formatName, readMedia, saveMedia } from "./refs";

/** NodeTool's empty references, the defaults of media properties. */
export const emptyMediaRef = (type: string) => ({ type, uri: "", asset_id: null, data: null });

/**
 * `nodetool.{image,audio,video}.Save*`: stores the media as an asset of the job's user (in `folder`, named
 * by the `name` template) and hands on the saved reference. The bytes are stored as they are: there is no
 * transcoding on the edge, so the content type (and the stored extension) follows the media, not the name.
 */
function saveNode(family: "image" | "audio" | "video", defaultName: string): NodeDecl {
  const title = family[0].toUpperCase() + family.slice(1);
  return defineNode({
    type: `nodetool.${family}.Save${title}`,
    description: `Saves the ${family} as an asset in a folder, with a name built from date and time variables (%Y %m %d %H %M %S).`,
    properties: [
      prop(family, family, emptyMediaRef(family), { description: `The ${family} to save.`, required: true }),
      prop("folder", "folder", emptyMediaRef("folder"), { description: "The asset folder to save it in (none: the top level)." }),
      prop("name", "str", defaultName, { description: "Name of the asset; %Y %m %d %H %M %S are replaced by the current date and time (UTC)." }),
    ],
    outputs: [out("output", family)],
    process: async (inputs, ctx) => {
      const what = `Save${title}`;
      const source = await readMedia(inputs[family], ctx, `${what}: ${family}`, family);
      const name = formatName(toText(inputs.name) || defaultName, ctx.services.now());
      const saved = await saveMedia(ctx, source.bytes, { type: family, contentType: source.contentType, kind: "asset", name, parentId: folderId(inputs.folder) }, what);
      return { output: saved };
    },
  });
}

export const mediaNodes: NodeDecl[] = [
  saveNode("image", "%Y-%m-%d_%H-%M-%S.png"),
  saveNode("audio", "%Y-%m-%d-%H-%M-%S.opus"),
  saveNode("video", "%Y-%m-%d-%H-%M-%S.mp4"),
  defineNode({
    type: "nodetool.image.GetMetadata",
    description: "Reads an image's format, colour mode, size and channel count from its header.",
    properties: [prop("image", "image", emptyMediaRef("image"), { description: "The input image.", required: true })],
    outputs: [out("format", "str"), out("mode", "str"), out("width", "int"), out("height", "int"), out("channels", "int")],
    process: async (inputs, ctx) => {
      const { bytes, contentType } = await readMedia(inputs.image, ctx, "GetMetadata: image", "image");
      const found = imageInfo(bytes);
      if (!found) throw new Error(`GetMetadata: not a PNG, JPEG, GIF, WebP or BMP image (${contentType}, ${bytes.length} bytes)`);
      return { format: found.format, mode: found.mode, width: found.width, height: found.height, channels: found.channels };
    },
  }),
];
