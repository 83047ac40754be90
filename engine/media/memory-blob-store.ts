import { MediaError, type BlobContent, type BlobInfo, type BlobStore, type BlobWriteOptions } from "./blob-store";
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

  /** Puts bytes in the store directly (as a test or the CLI's upload would); returns its `asset://` URI. */
  add(bytes: Uint8Array, contentType: string, id: string = crypto.randomUUID().replace(/-/g, "")): string {
    const uri = `asset://${id}.${extensionForContentType(contentType)}`;
    this.objects.set(uri, { bytes, contentType, kind: "asset" });
    return uri;
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
