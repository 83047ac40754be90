import type { Asset } from "../../schema/assets";
import type { AssetRow } from "../../schema/tables";
import { extensionOf } from "../../engine/media/content-types";
import { storageUrl } from "../storage/keys";
import { FOLDER } from "./repository";

/** `<id>.<ext>`: an asset's file name in its key, in `asset://` URIs and in the `/api/images` routes. */
export function assetFileName(row: AssetRow): string | null {
  if (row.storage_key === null) return null;
  const ext = extensionOf(row.storage_key);
  return ext ? `${row.id}.${ext}` : row.id;
}

/** `base`: the public base of URLs (edge/storage/public-base.ts). Top-level assets name the user id as their parent, as in NodeTool. */
export function presentAsset(row: AssetRow, base: string): Asset {
  const file = assetFileName(row);
  return {
    id: row.id,
    user_id: row.user_id,
    parent_id: row.parent_id ?? row.user_id,
    name: row.name,
    content_type: row.content_type,
    size: row.content_type === FOLDER ? null : row.size,
    metadata: row.metadata ?? null,
    workflow_id: row.workflow_id,
    job_id: row.job_id,
    node_id: row.node_id,
    created_at: row.created_at,
    uri: file ? `asset://${file}` : null,
    get_url: row.storage_key ? storageUrl(row.storage_key, base) : null,
    thumb_url: null,
  };
}
