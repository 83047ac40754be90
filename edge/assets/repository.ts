import { and, desc, eq, inArray, isNull, like, lt, or, type SQL } from "drizzle-orm";
import { assets, type AssetRow } from "../../schema/tables";
import type { Db } from "../db/client";
import { decodeCursor, encodeCursor } from "../db/cursor";
import { ApiError } from "../errors/api-error";

export const FOLDER = "folder";

/** The most assets one folder deletion removes (a folder tree larger than this is refused, not half-deleted). */
const MAX_TREE = 5000;

export function newAssetId(): string {
  return crypto.randomUUID().replace(/-/g, "");
}

export type NewAsset = Omit<AssetRow, "id" | "user_id" | "created_at"> & { id?: string };

/** A user's assets. Every query filters on the owner, so another user's asset reads as missing. */
export class AssetRepository {
  constructor(
    private readonly db: Db,
    readonly userId: string,
  ) {}

  async list(opts: { limit: number; cursor?: string; contentType?: string; parentId?: string }): Promise<{ rows: AssetRow[]; next: string | null }> {
    const conditions: SQL[] = [eq(assets.user_id, this.userId)];
    if (opts.parentId !== undefined) {
      conditions.push(this.isRoot(opts.parentId) || opts.parentId === "root" ? isNull(assets.parent_id) : eq(assets.parent_id, opts.parentId));
    }
    if (opts.contentType) {
      const t = opts.contentType.trim().toLowerCase();
      // A bare type (`image`) matches `image/*`; a full one (`image/png`) or `folder` matches exactly.
      conditions.push(t.includes("/") || t === FOLDER ? eq(assets.content_type, t) : like(assets.content_type, `${t.replace(/[%_]/g, "")}/%`));
    }
    if (opts.cursor) {
      const c = decodeCursor(opts.cursor);
      conditions.push(or(lt(assets.created_at, c.created_at), and(eq(assets.created_at, c.created_at), lt(assets.id, c.id)))!);
    }
    const rows = await this.db
      .select()
      .from(assets)
      .where(and(...conditions))
      .orderBy(desc(assets.created_at), desc(assets.id))
      .limit(opts.limit + 1);
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    return { rows: page, next: rows.length > opts.limit && last ? encodeCursor(last) : null };
  }

  /**
   * Whether a parent id names the top level. NodeTool's root folder is the user id: its top-level assets have
   * `parent_id` = user id (NodeTool: src/nodetool/api/asset.py, packages/websocket/src/http-api.ts). They are
   * stored with a null parent and presented with the user id (edge/assets/present.ts).
   */
  isRoot(parentId: string | null | undefined): boolean {
    return parentId === null || parentId === undefined || parentId === "" || parentId === this.userId;
  }

  async find(id: string): Promise<AssetRow | undefined> {
    return this.db.query.assets.findFirst({ where: and(eq(assets.id, id), eq(assets.user_id, this.userId)) });
  }

  async get(id: string): Promise<AssetRow> {
    const row = await this.find(id);
    if (!row) throw ApiError.notFound(`Asset '${id}'`);
    return row;
  }

  /** A file (not a folder) with its stored object. */
  async getFile(id: string): Promise<AssetRow & { storage_key: string }> {
    const row = await this.get(id);
    if (row.storage_key === null) throw new ApiError("invalid_request", `Asset '${id}' is a folder; it has no file`);
    return row as AssetRow & { storage_key: string };
  }

  /** Checks that `parentId` names one of the user's folders (null or the user id: the top level). */
  async checkFolder(parentId: string | null | undefined): Promise<void> {
    if (this.isRoot(parentId)) return;
    const row = await this.find(parentId!);
    if (!row) throw ApiError.notFound(`Folder '${parentId}'`);
    if (row.content_type !== FOLDER) throw new ApiError("validation_error", `Asset '${parentId}' is not a folder`, [{ path: "parent_id", message: "not a folder" }]);
  }

  async create(input: NewAsset): Promise<AssetRow> {
    const row: AssetRow = {
      ...input,
      id: input.id ?? newAssetId(),
      user_id: this.userId,
      parent_id: this.isRoot(input.parent_id) ? null : input.parent_id,
      created_at: new Date().toISOString(),
    };
    await this.db.insert(assets).values(row);
    return row;
  }

  /** Deletes an asset, and a folder with everything in it; returns the deleted rows (their objects are the caller's to remove). */
  async delete(id: string): Promise<AssetRow[]> {
    const root = await this.get(id);
    const doomed: AssetRow[] = [root];
    let frontier = root.content_type === FOLDER ? [root.id] : [];
    while (frontier.length > 0) {
      const children: AssetRow[] = [];
      // D1 limits bound parameters per statement: ask in slices.
      for (let i = 0; i < frontier.length; i += 90) {
        const slice = frontier.slice(i, i + 90);
        children.push(...(await this.db.select().from(assets).where(and(eq(assets.user_id, this.userId), inArray(assets.parent_id, slice)))));
      }
      doomed.push(...children);
      if (doomed.length > MAX_TREE) throw new ApiError("conflict", `The folder holds more than ${MAX_TREE} assets; delete some of them first`);
      frontier = children.filter((c) => c.content_type === FOLDER).map((c) => c.id);
    }
    const ids = doomed.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 90) {
      await this.db.delete(assets).where(and(eq(assets.user_id, this.userId), inArray(assets.id, ids.slice(i, i + 90))));
    }
    return doomed;
  }
}
