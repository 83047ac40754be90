/**
 * LoadImageAssets, LoadAudioAssets and LoadVideoAssets: stream one reference per media asset of an asset folder,
 * with its name, as NodeTool does (`list_assets(parent_id=folder.asset_id, content_type="image" | "audio" |
 * "video")`, nodetool-base nodes/nodetool/image.py, audio.py, video.py). Only references travel: nothing is
 * read until a node downstream needs the bytes.
 */
import { folderFiles } from "../media/asset-folders";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";

const emptyFolder = () => ({ type: "folder", uri: "", asset_id: null, data: null, metadata: null });

function loadAssets(type: string, title: string, description: string, media: "image" | "audio" | "video", folderDescription: string): NodeDecl {
  const what = type.slice(type.lastIndexOf(".") + 1);
  return defineNode({
    type,
    title,
    description,
    properties: [prop("folder", "folder", emptyFolder(), { description: folderDescription })],
    outputs: [out(media, media), out("name", "str")],
    async *gen(inputs, ctx) {
      for await (const entry of folderFiles(ctx, inputs.folder, what, { contentType: media })) {
        yield { [media]: { type: media, uri: entry.uri, asset_id: entry.assetId, data: null, metadata: null }, name: entry.name };
      }
    },
  });
}

export const mediaAssetNodes: NodeDecl[] = [
  loadAssets("nodetool.image.LoadImageAssets", "Load Image Assets", "Load images from an asset folder.\n    load, image, file, import", "image", "The asset folder to load the images from."),
  loadAssets("nodetool.audio.LoadAudioAssets", "Load Audio Assets", "Load audio files from an asset folder.\n    load, audio, file, import", "audio", "The asset folder to load the audio files from."),
  loadAssets("nodetool.video.LoadVideoAssets", "Load Video Folder", "Load video files from an asset folder.\n\n    video, assets, load", "video", "The asset folder to load the video files from."),
];
