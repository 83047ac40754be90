/**
 * The one interface through which nodes reach stored media (docs/architecture.md#2-dependency-direction-and-host-services: the host passes in a blob
 * store). The engine itself only understands `data:` URIs and inline bytes; every other URI (`asset://<id>.<ext>`,
 * a storage URL of the deployment, an http(s) URL) is the host's to resolve, check and read. Runtime-agnostic:
 * the Worker implements it on R2 and D1 (edge/storage/blob-store.ts), tests and the CLI in memory.
 */

/** Where a media URI points, once the host has checked it. */
export interface BlobInfo {
  /** The URI to show clients: a storage URL for stored objects, the URL itself for remote ones. */
  uri: string;
  /** The asset the object belongs to, when it is one. */
  assetId: string | null;
  contentType: string | null;
  /** Bytes, when known without reading. */
  size: number | null;
}

export interface BlobContent {
  bytes: Uint8Array;
  contentType: string;
}

export interface BlobWriteOptions {
  contentType: string;
  /** `asset`: listed among the user's assets and kept; `temp`: a temporary object that expires. */
  kind: "asset" | "temp";
  /** The asset's display name (assets only). */
  name?: string;
  /** The folder asset to file it under (assets only). */
  parentId?: string | null;
  /** The node that produced it, recorded with the asset. */
  nodeId?: string;
}

export interface BlobListOptions {
  /**
   * Only entries whose content type starts with this (NodeTool's `list_assets(content_type=...)` is a prefix
   * match: `text` lists text/plain and text/csv, `text/csv` only CSV).
   */
  contentType?: string;
  /** Page size (the store may cap it). */
  limit?: number;
  /** `next` of the previous page. */
  cursor?: string | null;
  signal?: AbortSignal;
}

/** One asset directly inside a folder. */
export interface BlobEntry {
  assetId: string;
  name: string;
  contentType: string;
  /** The `asset://<id>.<ext>` URI to read it with; null for a sub-folder. */
  uri: string | null;
  size: number | null;
  isFolder: boolean;
}

export interface BlobListing {
  /** Sorted by name (then id). */
  entries: BlobEntry[];
  /** Pass as `cursor` for the next page; null on the last one. */
  next: string | null;
}

export interface BlobStore {
  /**
   * The assets directly inside one of the job user's folders, a page at a time. Throws MediaError (not_found)
   * for an unknown folder, another user's, or an asset that is no folder. Optional: hosts without asset
   * folders leave it out, and the nodes that need it then fail with a clear message.
   */
  list?(folderId: string, options?: BlobListOptions): Promise<BlobListing>;
  /** Checks a URI (allowed, exists, the job user's) without reading it. Throws MediaError when it cannot be used. */
  resolve(uri: string, signal?: AbortSignal): Promise<BlobInfo>;
  /** The bytes a URI points at. Throws MediaError when it cannot be read. */
  read(uri: string, signal?: AbortSignal): Promise<BlobContent>;
  /** Stores bytes for the job's user. */
  write(bytes: Uint8Array, options: BlobWriteOptions): Promise<BlobInfo>;
}

/** A media reference that cannot be used: unknown, another user's, refused by policy, malformed. */
export class MediaError extends Error {
  constructor(
    message: string,
    readonly reason: "not_found" | "refused" | "invalid" | "too_large" | "unavailable" = "invalid",
  ) {
    super(message);
    this.name = "MediaError";
  }
}
