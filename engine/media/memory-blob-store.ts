import { MediaError, type BlobContent, type BlobEntry, type BlobInfo, type BlobListing, type BlobListOptions, type BlobStore, type BlobWriteOptions } from "./blob-store";
import { extensionForContentType } from "./content-types";

interface MemoryObject extends BlobContent {
  kind: "asset" | "temp";
  name?: string;
  parentId?: string | null;
  nodeId?: string;
}

/**
 * A blob store held in memory, for headless runs and tests. Objects are named `asset://<id>.<ext>`, the same
 * form the server accepts, so a graph that works here works there.
 */
export class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, MemoryObject>();
  /** Folder asset ids that writes may name as their parent. */
  readonly folders = new Set<string>();
  /** Names and parents of the folders made with addFolder (a folder only in `folders` is named by its id). */
  readonly folderInfo = new Map<string, { name: string; parentId: string | null }>();

  /** Puts bytes in the store directly (as a test or the CLI's upload would); returns its `asset://` URI. */
  add(bytes: Uint8Array, contentType: string, id: string = crypto.randomUUID().replace(/-/g, ""), options: { name?: string; parentId?: string | null } = {}): string {
    const uri = `asset://${id}.${extensionForContentType(contentType)}`;
    this.objects.set(uri, { bytes, contentType, kind: "asset", name: options.name, parentId: options.parentId ?? null });
    return uri;
  }

  /** Makes a folder asset (inside `parentId`, or at the top level); returns its id. */
  addFolder(name: string, parentId: string | null = null, id: string = crypto.randomUUID().replace(/-/g, "")): string {
    this.folders.add(id);
    this.folderInfo.set(id, { name, parentId });
    return id;
  }

  async list(folderId: string, options: BlobListOptions = {}): Promise<BlobListing> {
    if (!this.folders.has(folderId)) throw new MediaError(`folder '${folderId}' was not found`, "not_found");
    const all: BlobEntry[] = [];
    for (const [id, info] of this.folderInfo) {
      if (info.parentId === folderId) all.push({ assetId: id, name: info.name, contentType: "folder", uri: null, size: null, isFolder: true });
    }
    for (const [uri, o] of this.objects) {
      const assetId = assetIdOf(uri);
      if (o.kind !== "asset" || o.parentId !== folderId || !assetId) continue;
      all.push({ assetId, name: o.name ?? uri.slice("asset://".length), contentType: o.contentType, uri, size: o.bytes.length, isFolder: false });
    }
    const prefix = options.contentType?.toLowerCase();
    const entries = all
      .filter((e) => !prefix || e.contentType.toLowerCase().startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.assetId < b.assetId ? -1 : a.assetId > b.assetId ? 1 : 0));
    const start = options.cursor ? Number(options.cursor) : 0;
    const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
    const page = entries.slice(start, start + limit);
    return { entries: page, next: start + limit < entries.length ? String(start + limit) : null };
  }

  private lookup(uri: string): MemoryObject {
    const found = this.objects.get(uri);
    if (!found) throw new MediaError(`'${uri}' was not found`, "not_found");
    return found;
  }

  async resolve(uri: string): Promise<BlobInfo> {
    const found = this.lookup(uri);
    return { uri, assetId: assetIdOf(uri), contentType: found.contentType, size: found.bytes.length };
  }

  async read(uri: string): Promise<BlobContent> {
    const found = this.lookup(uri);
    return { bytes: found.bytes, contentType: found.contentType };
  }

  async write(bytes: Uint8Array, options: BlobWriteOptions): Promise<BlobInfo> {
    if (options.parentId && !this.folders.has(options.parentId)) throw new MediaError(`folder '${options.parentId}' was not found`, "not_found");
    const id = crypto.randomUUID().replace(/-/g, "");
    const uri = `asset://${id}.${extensionForContentType(options.contentType)}`;
    this.objects.set(uri, { bytes: bytes.slice(), contentType: options.contentType, kind: options.kind, name: options.name, parentId: options.parentId, nodeId: options.nodeId });
    return { uri, assetId: options.kind === "asset" ? id : null, contentType: options.contentType, size: bytes.length };
  }
}

function assetIdOf(uri: string): string | null {
  const m = /^asset:\/\/([^./]+)/.exec(uri);
  return m ? m[1] : null;
}
