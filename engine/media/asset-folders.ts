/**
 * Walks the files of one of the job user's asset folders through the blob store's `list` (the Worker answers
 * it from D1's `parent_id`, scoped to the job's user). Used by the Load*Assets nodes, which stream one item
 * per matching asset as NodeTool does (`context.list_assets(parent_id=folder.asset_id, content_type=...)`).
 */
import type { NodeContext } from "../registry/types";
import { MediaError, type BlobContent, type BlobEntry, type BlobStore } from "./blob-store";
import { folderId } from "./refs";

/** A folder holding more files than this is refused part-way rather than streamed without end. */
export const MAX_FOLDER_ASSETS = 10_000;
const PAGE = 100;

function fail(err: unknown, what: string): Error {
  return err instanceof MediaError ? new Error(`${what}: ${err.message}`) : err instanceof Error ? err : new Error(`${what}: ${String(err)}`);
}

function listingStore(ctx: NodeContext, what: string): BlobStore & Required<Pick<BlobStore, "list">> {
  const blobs = ctx.services.blobs;
  if (!blobs) throw new Error(`${what}: this run has no asset storage`);
  if (!blobs.list) throw new Error(`${what}: this run's asset storage cannot list folders`);
  return blobs as BlobStore & Required<Pick<BlobStore, "list">>;
}

/**
 * The files (not sub-folders) directly inside the folder a `FolderRef` names, by name, filtered by a
 * content-type prefix and/or a predicate. An empty reference fails with NodeTool's message.
 */
export async function* folderFiles(
  ctx: NodeContext,
  folder: unknown,
  what: string,
  options: { contentType?: string; accept?: (entry: BlobEntry) => boolean } = {},
): AsyncGenerator<BlobEntry> {
  const id = folderId(folder);
  if (id === null) throw new Error(`${what}: Please select an asset folder.`);
  const blobs = listingStore(ctx, what);
  let cursor: string | null = null;
  let seen = 0;
  do {
    if (ctx.signal.aborted) throw Object.assign(new Error("The job was cancelled"), { name: "AbortError" });
    let page;
    try {
      page = await blobs.list(id, { contentType: options.contentType, limit: PAGE, cursor, signal: ctx.signal });
    } catch (err) {
      throw fail(err, what);
    }
    for (const entry of page.entries) {
      if (entry.isFolder || entry.uri === null) continue;
      if (options.accept && !options.accept(entry)) continue;
      if (++seen > MAX_FOLDER_ASSETS) throw new Error(`${what}: the folder holds more than ${MAX_FOLDER_ASSETS} matching files`);
      yield entry;
    }
    cursor = page.next;
  } while (cursor !== null);
}

/** The bytes of a listed file. */
export async function readEntry(ctx: NodeContext, entry: BlobEntry, what: string): Promise<BlobContent> {
  try {
    return await listingStore(ctx, what).read(entry.uri!, ctx.signal);
  } catch (err) {
    throw fail(err, what);
  }
}
