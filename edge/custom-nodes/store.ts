import { CustomNodeSchema, type CustomNode } from "../../schema/custom-nodes";
import { DOCUMENT_NAME, UserDocumentStore } from "../storage/user-documents";

/**
 * Custom nodes live in R2 as one JSON document each, below the owner's own segment:
 *
 *     custom-nodes/<owner>/<name>.json
 *
 * The area is not one /storage serves, and every key is built from the caller's user id: another user's
 * custom node is simply not there. The model it runs stays among the user's models (edge/models).
 */

/** A user keeps at most this many custom nodes: every catalog read lists them all. */
export const MAX_CUSTOM_NODES = 100;

/** A name from a route: the node's name, its filename (`<name>.onnx` / `<name>.json`) or its type (`custom.<name>`). */
export function customNameOf(raw: string): string | null {
  const name = raw.replace(/^custom\./, "").replace(/\.(onnx|json)$/, "");
  return DOCUMENT_NAME.test(name) ? name : null;
}

export class CustomNodeStore extends UserDocumentStore<CustomNode> {
  constructor(bucket: R2Bucket, userId: string) {
    super(bucket, userId, { area: "custom-nodes", schema: CustomNodeSchema, max: MAX_CUSTOM_NODES });
  }
}
