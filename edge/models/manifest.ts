import type { Model } from "../../schema/models";
import { ApiError } from "../errors/api-error";
import { MANIFEST_PREFIX } from "./keys";

/**
 * A model's manifest (edge/models/keys.ts): a small object at `models/<owner>/<name>` whose customMetadata
 * says which file holds the bytes and what they are. Listing reads only manifests; their metadata comes back
 * with the listing, so a page of models costs one R2 list.
 */
export interface ManifestData {
  /** The `model-files/...` key of the bytes. */
  file: string;
  sha256: string;
  size: number;
  contentType: string;
}

/** The manifest's data, or null when the object is not a complete manifest (never written by this code). */
export function readManifest(object: R2Object): ManifestData | null {
  const m = object.customMetadata ?? {};
  const size = Number(m.size);
  if (typeof m.file !== "string" || !m.file.startsWith("model-files/") || !/^[0-9a-f]{64}$/.test(m.sha256 ?? "") || !Number.isSafeInteger(size) || size <= 0) return null;
  return { file: m.file, sha256: m.sha256, size, contentType: m.content_type || "application/octet-stream" };
}

/** The API shape of a model from its manifest object. */
export function presentModel(object: R2Object, data: ManifestData): Model {
  const ownerAndName = object.key.slice(MANIFEST_PREFIX.length);
  return {
    name: ownerAndName.slice(ownerAndName.indexOf("/") + 1),
    size: data.size,
    sha256: data.sha256,
    content_type: data.contentType,
    uploaded_at: object.uploaded.toISOString(),
  };
}

/** The user's model `key` with its manifest data, or null when there is none. */
export async function headModel(bucket: R2Bucket, key: string): Promise<{ object: R2Object; data: ManifestData } | null> {
  const object = await bucket.head(key);
  const data = object && readManifest(object);
  return object && data ? { object, data } : null;
}

/** How often a manifest write retries when another upload of the same name committed in between. */
const COMMIT_ATTEMPTS = 5;

/**
 * Points `key` at a new file in one atomic write, compare-and-swap against the manifest it read, so two
 * concurrent uploads of one name each learn exactly which file they replaced (and delete only that one).
 * The body names the file, so every version has its own ETag. Returns the new manifest and the replaced data.
 */
export async function commitManifest(bucket: R2Bucket, key: string, data: ManifestData): Promise<{ object: R2Object; previous: ManifestData | null }> {
  for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
    const current = await bucket.head(key);
    const object = await bucket.put(key, JSON.stringify({ file: data.file, sha256: data.sha256, size: data.size }), {
      httpMetadata: { contentType: "application/json" },
      customMetadata: { file: data.file, sha256: data.sha256, size: String(data.size), content_type: data.contentType },
      onlyIf: current ? { etagMatches: current.etag } : new Headers({ "If-None-Match": "*" }),
    });
    if (object) return { object, previous: current ? readManifest(current) : null };
  }
  throw new ApiError("conflict", "The model was replaced by other uploads while this one was stored; retry");
}
