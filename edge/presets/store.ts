import { PresetSchema, type Preset } from "../../schema/presets";
import { UserDocumentStore } from "../storage/user-documents";

/**
 * Presets live in R2 as one JSON object each, `presets/<owner>/<name>.json` (edge/storage/user-documents.ts):
 * only these routes reach the area, and another user's preset is simply not there.
 */

/** A user keeps at most this many presets: every catalog read lists them all. */
export const MAX_PRESETS = 200;
/** The largest preset document (its subgraph is bounded by the graph limits too). */
export const MAX_PRESET_BYTES = 1024 * 1024;

export class PresetStore extends UserDocumentStore<Preset> {
  constructor(bucket: R2Bucket, userId: string) {
    super(bucket, userId, { area: "presets", schema: PresetSchema, max: MAX_PRESETS });
  }
}
