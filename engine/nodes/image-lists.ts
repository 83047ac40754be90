/**
 * `nodetool.image.ImagesToList` and `nodetool.image.BatchToList`: image references gathered into a list, no
 * pixels touched. NodeTool: nodetool-base src/nodetool/nodes/nodetool/image.py.
 */
import { isEmptyMedia } from "../media/av-jobs";
import { emptyMediaRef } from "../media/nodes";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { isRecord } from "../values/coerce";

/** NodeTool's ImageRef(data=value): the value becomes the data of an otherwise empty image reference. */
const imageWithData = (data: unknown) => ({ type: "image", uri: "", asset_id: null, data, metadata: null });

const isImageRef = (value: unknown) => isRecord(value) && value.type === "image";

const imagesToList = defineNode({
  type: "nodetool.image.ImagesToList",
  description: "Convert all dynamic properties to a list of image references.\n    list, images, processing",
  isDynamic: true,
  properties: [],
  outputs: [out("output", "list[image]")],
  process: (inputs) => {
    // Every dynamic property in order: image references as they are, anything else as an image's data.
    const output = Object.entries(inputs)
      .filter(([name]) => !name.startsWith("_"))
      .map(([, value]) => (isImageRef(value) ? value : imageWithData(value)));
    return { output };
  },
});

const batchToList = defineNode({
  type: "nodetool.image.BatchToList",
  description: "Convert an image batch to a list of image references.\n    batch, list, images, processing",
  properties: [prop("batch", "image", emptyMediaRef("image"), { description: "The batch of images to convert." })],
  outputs: [out("output", "list[image]")],
  process: (inputs) => {
    const batch = inputs.batch;
    if (isEmptyMedia(batch)) throw new Error("The input batch is not connected.");
    const data = isRecord(batch) ? batch.data : undefined;
    if (data === null || data === undefined) throw new Error("The input batch is empty.");
    if (!Array.isArray(data)) throw new Error("The input batch is not a list.");
    return { output: data.map(imageWithData) };
  },
});

export const imageListNodes: NodeDecl[] = [imagesToList, batchToList];
