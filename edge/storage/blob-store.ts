import { and, asc, eq, gt, isNull, like, or, type SQL } from "drizzle-orm";
import { MediaError, type BlobContent, type BlobInfo, type BlobListing, type BlobListOptions, type BlobStore, type BlobWriteOptions } from "../../engine/media/blob-store";
import { assets } from "../../schema/tables";
import { assetFileName } from "../assets/present";
import { contentTypeForName, extensionForContentType } from "../../engine/media/content-types";
import { AssetRepository, FOLDER, newAssetId } from "../assets/repository";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { getStorageConfig } from "./config";
import { keyOwner, notOwnedMessage, objectKey, ownsKey, parseStoragePath, storageUrl, type KeyOwner } from "./keys";
import { pathBelowBase } from "./public-base";
import { fetchRemote, remoteUrlProblem, type Fetcher } from "../../host/web/remote";
import { isTempExpired } from "./retention";

/** Who the store works for: a job's user (whose objects it may read and write) and the job itself. */
export interface BlobOwner {
  userId: string;
  jobId: string;
  /**
   * The base of the URLs it hands out (edge/storage/public-base.ts): the job spec's `public_base_url`.
   * Without one, PUBLIC_BASE_URL; without that, root-relative.
   */
  publicBase?: string | null;
}

type Target =
  | { kind: "asset"; assetId: string }
  | { kind: "object"; objectKey: string }
  | { kind: "remote"; url: URL };

const ASSET_URI = /^asset:\/\/([A-Za-z0-9][A-Za-z0-9_-]*)(?:\.[A-Za-z0-9]+)?$/;
const ASSET_FILE = /^[0-9a-f]{32}$/;
const MAX_LIST_PAGE = 500;

/**
 * The engine's blob store on R2 and D1, for one job's user. URIs it understands:
 * - `asset://<id>.<ext>`: one of the user's assets (another user's id is "not found");
 * - a storage URL, `/storage/{assets|temp}/<key>` root-relative or absolute on any host (a deployment can
 *   have several hostnames and a job does not know which one its caller used): only the user's own keys;
 * - other http(s) URLs when ALLOW_REMOTE_MEDIA_FETCH is on, under the checks of remote.ts.
 * Saved files are assets (`assets/<owner>/<id>.<ext>` plus a D1 row) or temp objects
 * (`temp/<owner>/<job_id>/<id>.<ext>`; no owner segment in single-tenant auth), named in results by their
 * absolute storage URL below the job's public base, fixed when the job started so replays stay exact.
 */
export class R2BlobStore implements BlobStore {
  private readonly bucket: R2Bucket;
  private readonly keys: KeyOwner;
  private readonly base: string | null;

  constructor(
    private readonly env: Env,
    private readonly owner: BlobOwner,
    private readonly fetcher?: Fetcher,
  ) {
    this.bucket = env.STORAGE;
    this.keys = keyOwner(env, owner.userId);
    this.base = owner.publicBase ?? getStorageConfig(env).publicBaseUrl;
  }

  private url(objectKey: string): string {
    return storageUrl(objectKey, this.base);
  }

  private repo(): AssetRepository {
    return new AssetRepository(db(this.env.DB), this.owner.userId);
  }

  private parse(uri: string): Target {
    const asset = ASSET_URI.exec(uri);
    if (asset) return { kind: "asset", assetId: asset[1] };
    if (uri.startsWith("asset://")) throw new MediaError(`'${uri}' is not a valid asset URI (asset://<id>.<ext>)`, "invalid");
    let url: URL | null = null;
    // PUBLIC_BASE_URL may carry a path prefix (https://example.com/nodetool): a URL below it is ours.
    const below = pathBelowBase(uri, [this.base, getStorageConfig(this.env).publicBaseUrl]);
    if (below?.startsWith("/storage/")) url = new URL(below, "https://storage.invalid");
    else if (uri.startsWith("/storage/")) url = new URL(uri, "https://storage.invalid");
    else if (/^https?:\/\//i.test(uri)) {
      try {
        url = new URL(uri);
      } catch {
        throw new MediaError(`'${uri}' is not a valid URL`, "invalid");
      }
    }
    if (!url) throw new MediaError(`unsupported media URI '${uri.slice(0, 60)}' (use asset://<id>.<ext>, a storage URL, a data: URI or an http(s) URL)`, "invalid");
    if (url.pathname.startsWith("/storage/")) {
      let parsed;
      try {
        parsed = parseStoragePath(url.pathname.slice("/storage/".length));
      } catch (err) {
        throw new MediaError(err instanceof ApiError ? err.message : "invalid storage URL", "invalid");
      }
      // The user's own objects only, even though the public route serves every asset to whoever has the URL.
      if (!ownsKey(this.keys, parsed.key)) throw new MediaError(notOwnedMessage(this.keys, parsed.area, parsed.key), "refused");
      return { kind: "object", objectKey: `${parsed.area}/${parsed.key}` };
    }
    return { kind: "remote", url };
  }

  private async assetObject(assetId: string): Promise<{ objectKey: string; assetId: string }> {
    const row = await this.repo().find(assetId);
    if (!row) throw new MediaError(`asset '${assetId}' was not found`, "not_found");
    if (row.storage_key === null) throw new MediaError(`asset '${assetId}' is a folder, not a file`, "invalid");
    return { objectKey: row.storage_key, assetId };
  }

  private expired(objectKey: string, object: R2Object): boolean {
    return objectKey.startsWith("temp/") && isTempExpired(object, getStorageConfig(this.env).tempRetentionSeconds);
  }

  private remoteAllowed(url: URL): void {
    if (!getStorageConfig(this.env).allowRemoteMediaFetch) {
      throw new MediaError(`fetching media from ${url.origin} is disabled on this server (ALLOW_REMOTE_MEDIA_FETCH)`, "refused");
    }
    const problem = remoteUrlProblem(url);
    if (problem) throw new MediaError(`refused to fetch ${url.origin}: ${problem}`, "refused");
  }

  private static assetIdOfKey(objectKey: string): string | null {
    if (!objectKey.startsWith("assets/")) return null;
    const file = objectKey.slice(objectKey.lastIndexOf("/") + 1);
    const id = file.includes(".") ? file.slice(0, file.indexOf(".")) : file;
    return ASSET_FILE.test(id) ? id : null;
  }

  async resolve(uri: string): Promise<BlobInfo> {
    const target = this.parse(uri);
    if (target.kind === "remote") {
      this.remoteAllowed(target.url);
      return { uri, assetId: null, contentType: null, size: null };
    }
    const { objectKey, assetId } = target.kind === "asset" ? await this.assetObject(target.assetId) : { objectKey: target.objectKey, assetId: R2BlobStore.assetIdOfKey(target.objectKey) };
    const object = await this.bucket.head(objectKey);
    if (!object || this.expired(objectKey, object)) throw new MediaError(`'${uri}' was not found`, "not_found");
    return { uri: this.url(objectKey), assetId, contentType: contentTypeForName(objectKey), size: object.size };
  }

  /**
   * The bucket key and size of a stored URI (checked and existing, like `resolve`), or null for a remote URL:
   * what a gpu-runner is given a signed URL for when media goes by reference (edge/runners/media.ts).
   */
  async locate(uri: string): Promise<{ objectKey: string; size: number } | null> {
    const target = this.parse(uri);
    if (target.kind === "remote") return null;
    const objectKey = target.kind === "asset" ? (await this.assetObject(target.assetId)).objectKey : target.objectKey;
    const object = await this.bucket.head(objectKey);
    if (!object || this.expired(objectKey, object)) throw new MediaError(`'${uri}' was not found`, "not_found");
    return { objectKey, size: object.size };
  }

  async read(uri: string, signal?: AbortSignal): Promise<BlobContent> {
    const target = this.parse(uri);
    const { maxUploadBytes } = getStorageConfig(this.env);
    if (target.kind === "remote") {
      this.remoteAllowed(target.url);
      return fetchRemote(target.url.toString(), { maxBytes: maxUploadBytes, signal, fetcher: this.fetcher });
    }
    const objectKey = target.kind === "asset" ? (await this.assetObject(target.assetId)).objectKey : target.objectKey;
    const object = await this.bucket.get(objectKey);
    if (!object) throw new MediaError(`'${uri}' was not found`, "not_found");
    if (this.expired(objectKey, object)) {
      await object.body.cancel();
      throw new MediaError(`'${uri}' was not found`, "not_found");
    }
    return { bytes: new Uint8Array(await object.arrayBuffer()), contentType: contentTypeForName(objectKey) };
  }

  /** The children of one of the user's folders (D1 `parent_id`), by name; another user's folder reads as missing. */
  async list(folderId: string, options: BlobListOptions = {}): Promise<BlobListing> {
    // NodeTool's root folder is the user id (its top-level assets have parent_id = user id).
    const root = folderId === this.owner.userId;
    if (!root) {
      const folder = await this.repo().find(folderId);
      if (!folder) throw new MediaError(`folder '${folderId}' was not found`, "not_found");
      if (folder.content_type !== FOLDER) throw new MediaError(`asset '${folderId}' is not a folder`, "invalid");
    }
    const limit = Math.max(1, Math.min(options.limit ?? 100, MAX_LIST_PAGE));
    const conditions: SQL[] = [eq(assets.user_id, this.owner.userId), root ? isNull(assets.parent_id) : eq(assets.parent_id, folderId)];
    const prefix = options.contentType?.trim().toLowerCase().replace(/[%_]/g, "");
    if (prefix) conditions.push(like(assets.content_type, `${prefix}%`));
    if (options.cursor) {
      let after: unknown;
      try {
        after = JSON.parse(options.cursor);
      } catch {
        after = null;
      }
      if (!Array.isArray(after) || typeof after[0] !== "string" || typeof after[1] !== "string") throw new MediaError("invalid listing cursor", "invalid");
      conditions.push(or(gt(assets.name, after[0]), and(eq(assets.name, after[0]), gt(assets.id, after[1])))!);
    }
    const rows = await db(this.env.DB)
      .select()
      .from(assets)
      .where(and(...conditions))
      .orderBy(asc(assets.name), asc(assets.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      entries: page.map((row) => {
        const file = assetFileName(row);
        return { assetId: row.id, name: row.name, contentType: row.content_type, uri: file ? `asset://${file}` : null, size: row.size, isFolder: row.content_type === FOLDER };
      }),
      next: rows.length > limit && last ? JSON.stringify([last.name, last.id]) : null,
    };
  }

  async write(bytes: Uint8Array, options: BlobWriteOptions): Promise<BlobInfo> {
    const { maxUploadBytes } = getStorageConfig(this.env);
    if (bytes.length > maxUploadBytes) throw new MediaError(`the file is larger than ${maxUploadBytes} bytes (MAX_UPLOAD_BYTES)`, "too_large");
    const id = newAssetId();
    const ext = extensionForContentType(options.contentType);
    const httpMetadata = { contentType: contentTypeForName(`x.${ext}`) };
    if (options.kind === "temp") {
      const key = objectKey("temp", this.keys, this.owner.jobId, `${id}.${ext}`);
      await this.bucket.put(key, bytes, { httpMetadata });
      return { uri: this.url(key), assetId: null, contentType: httpMetadata.contentType, size: bytes.length };
    }
    const repo = this.repo();
    try {
      await repo.checkFolder(options.parentId);
    } catch (err) {
      throw new MediaError(err instanceof Error ? err.message : String(err), "not_found");
    }
    const key = objectKey("assets", this.keys, `${id}.${ext}`);
    await this.bucket.put(key, bytes, { httpMetadata });
    try {
      await repo.create({
        id,
        parent_id: options.parentId ?? null,
        name: options.name || `${id}.${ext}`,
        content_type: httpMetadata.contentType,
        size: bytes.length,
        storage_key: key,
        metadata: null,
        workflow_id: null,
        job_id: this.owner.jobId,
        node_id: options.nodeId ?? null,
      });
    } catch (err) {
      await this.bucket.delete(key);
      throw err;
    }
    return { uri: this.url(key), assetId: id, contentType: httpMetadata.contentType, size: bytes.length };
  }
}
