import { contentTypeForName } from "../../engine/media/content-types";
import { ancestorsOf, DEFAULT_MAX_ENTRIES, isBelow, workspaceFilePath, workspaceFolderPath } from "../../engine/workspace/paths";
import { WorkspaceError, type WorkspaceEntry, type WorkspaceService } from "../../engine/workspace/workspace-service";
import { getConfig } from "../config/config";
import type { Env } from "../config/env";
import { keyProblem, ownerSegment } from "../storage/keys";

/**
 * The job user's workspace in R2, under the user's own prefix:
 *
 *     workspace/<owner>/<path>     a file, or a folder marker (an empty object with customMetadata kind=dir)
 *
 * `<owner>` is the storage owner segment (edge/storage/keys.ts), so no user id reaches another's prefix, and
 * every key passes the storage key check. R2 has no folders: a folder exists because a marker or a file
 * below it does (workspace-service.ts has the semantics the in-memory workspace shares). Sizes are capped per
 * file (WORKSPACE_MAX_FILE_BYTES) and tree operations by entry count.
 */
export const WORKSPACE_AREA = "workspace";

const DIR_MARKER = { kind: "dir" } as const;

export interface R2WorkspaceOptions {
  maxFileBytes?: number;
  maxEntries?: number;
}

export class R2Workspace implements WorkspaceService {
  private readonly bucket: R2Bucket;
  private readonly prefix: string;
  private readonly owner: string;
  private readonly maxFileBytes: number;
  private readonly maxEntries: number;

  constructor(env: Env, userId: string, options: R2WorkspaceOptions = {}) {
    this.bucket = env.STORAGE;
    this.owner = ownerSegment(userId);
    this.prefix = `${WORKSPACE_AREA}/${this.owner}/`;
    this.maxFileBytes = options.maxFileBytes ?? getConfig(env).storage.workspaceMaxFileBytes;
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  /** The bucket key of a workspace path, checked as every storage key is. */
  private key(path: string): string {
    const problem = keyProblem(`${this.owner}/${path}`);
    if (problem) throw new WorkspaceError(`'${path}' cannot be stored: ${problem}`, "invalid");
    return this.prefix + path;
  }

  private pathOf(key: string): string {
    return key.slice(this.prefix.length);
  }

  private static isMarker(obj: R2Object): boolean {
    return obj.customMetadata?.kind === DIR_MARKER.kind;
  }

  private toEntry(obj: R2Object): WorkspaceEntry {
    const path = this.pathOf(obj.key);
    if (R2Workspace.isMarker(obj)) return { path, size: 0, isDirectory: true, modified: obj.uploaded.getTime(), contentType: null };
    const created = Number(obj.customMetadata?.created);
    return {
      path,
      size: obj.size,
      isDirectory: false,
      modified: obj.uploaded.getTime(),
      contentType: obj.httpMetadata?.contentType ?? contentTypeForName(path),
      ...(Number.isFinite(created) && created > 0 ? { created } : {}),
    };
  }

  /** The first object below a folder, if any (which makes the folder exist). */
  private async firstBelow(path: string): Promise<R2Object | undefined> {
    const listed = await this.bucket.list({ prefix: `${this.key(path)}/`, limit: 1 });
    return listed.objects[0];
  }

  private async entry(path: string): Promise<WorkspaceEntry | null> {
    if (path === "") return { path: "", size: 0, isDirectory: true, modified: 0, contentType: null };
    const obj = await this.bucket.head(this.key(path));
    if (obj) return this.toEntry(obj);
    const child = await this.firstBelow(path);
    return child ? { path, size: 0, isDirectory: true, modified: child.uploaded.getTime(), contentType: null } : null;
  }

  /** Refuses a path whose parent chain holds a file (a file cannot contain anything). */
  private async checkParents(path: string): Promise<void> {
    const heads = await Promise.all(ancestorsOf(path).map(async (a) => [a, await this.bucket.head(this.key(a))] as const));
    for (const [a, obj] of heads) {
      if (obj && !R2Workspace.isMarker(obj)) throw new WorkspaceError(`'${a}' is a file, not a folder, so '${path}' cannot be created`, "invalid");
    }
  }

  /** Every object strictly below a folder (files and markers), at most maxEntries of them. */
  private async objectsBelow(folder: string, delimited: boolean): Promise<{ objects: R2Object[]; folders: string[] }> {
    const prefix = folder === "" ? this.prefix : `${this.key(folder)}/`;
    const objects: R2Object[] = [];
    const folders: string[] = [];
    let cursor: string | undefined;
    do {
      // `include` brings the metadata that tells folder markers from files (the installed types predate it).
      const options: R2ListOptions & { include: string[] } = { prefix, cursor, include: ["customMetadata", "httpMetadata"], ...(delimited ? { delimiter: "/" } : {}) };
      const page = await this.bucket.list(options);
      objects.push(...page.objects);
      folders.push(...(page.delimitedPrefixes ?? []).map((p) => this.pathOf(p.slice(0, -1))));
      if (objects.length + folders.length > this.maxEntries) throw new WorkspaceError(`'${folder || "."}' holds more than ${this.maxEntries} entries`, "too_large");
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return { objects, folders };
  }

  async read(rawPath: string, signal?: AbortSignal): Promise<Uint8Array> {
    signal?.throwIfAborted();
    const path = workspaceFilePath(rawPath);
    const obj = await this.bucket.get(this.key(path));
    if (!obj) {
      if (await this.firstBelow(path)) throw new WorkspaceError(`'${path}' is a folder, not a file`, "invalid");
      throw new WorkspaceError(`'${path}' was not found in the workspace`, "not_found");
    }
    if (R2Workspace.isMarker(obj) || obj.size > this.maxFileBytes) {
      await obj.body.cancel();
      if (R2Workspace.isMarker(obj)) throw new WorkspaceError(`'${path}' is a folder, not a file`, "invalid");
      throw new WorkspaceError(`'${path}' is larger than the ${this.maxFileBytes}-byte limit per workspace file`, "too_large");
    }
    return new Uint8Array(await obj.arrayBuffer());
  }

  async write(rawPath: string, bytes: Uint8Array, contentType?: string, signal?: AbortSignal): Promise<WorkspaceEntry> {
    signal?.throwIfAborted();
    const path = workspaceFilePath(rawPath);
    const key = this.key(path);
    if (bytes.length > this.maxFileBytes) {
      throw new WorkspaceError(`'${path}' would be ${bytes.length} bytes, more than the ${this.maxFileBytes}-byte limit per workspace file (WORKSPACE_MAX_FILE_BYTES)`, "too_large");
    }
    const [existing, child] = await Promise.all([this.bucket.head(key), this.firstBelow(path)]);
    if ((existing && R2Workspace.isMarker(existing)) || child) throw new WorkspaceError(`'${path}' is a folder, not a file`, "invalid");
    await this.checkParents(path);
    const created = Number(existing?.customMetadata?.created) || Date.now();
    const written = await this.bucket.put(key, bytes, {
      httpMetadata: { contentType: contentType || contentTypeForName(path) },
      customMetadata: { created: String(created) },
    });
    return this.toEntry(written!);
  }

  async stat(rawPath: string, signal?: AbortSignal): Promise<WorkspaceEntry | null> {
    signal?.throwIfAborted();
    return this.entry(workspaceFolderPath(rawPath, "path"));
  }

  async list(rawFolder: string, options: { recursive?: boolean } = {}, signal?: AbortSignal): Promise<WorkspaceEntry[]> {
    signal?.throwIfAborted();
    const folder = workspaceFolderPath(rawFolder);
    const self = await this.entry(folder);
    if (!self) throw new WorkspaceError(`folder '${folder}' was not found in the workspace`, "not_found");
    if (!self.isDirectory) throw new WorkspaceError(`'${folder}' is a file, not a folder`, "invalid");
    const { objects, folders } = await this.objectsBelow(folder, !options.recursive);
    const byPath = new Map<string, WorkspaceEntry>();
    const folderEntry = (path: string) => byPath.get(path) ?? byPath.set(path, { path, size: 0, isDirectory: true, modified: 0, contentType: null }).get(path)!;
    for (const obj of objects) {
      const e = this.toEntry(obj);
      byPath.set(e.path, e);
      // Folders implied by deeper files: listing without a delimiter names only objects.
      for (const a of ancestorsOf(e.path)) if (isBelow(a, folder)) folderEntry(a).modified = Math.max(folderEntry(a).modified, e.modified);
    }
    for (const f of folders) folderEntry(f);
    return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(rawPath: string, options: { recursive?: boolean } = {}, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const path = workspaceFilePath(rawPath);
    const self = await this.entry(path);
    if (!self) throw new WorkspaceError(`'${path}' was not found in the workspace`, "not_found");
    if (!self.isDirectory) {
      await this.bucket.delete(this.key(path));
      return;
    }
    const { objects } = await this.objectsBelow(path, false);
    if (objects.length > 0 && !options.recursive) throw new WorkspaceError(`folder '${path}' is not empty; delete it recursively`, "invalid");
    const keys = [...objects.map((o) => o.key), this.key(path)];
    for (let i = 0; i < keys.length; i += 1000) await this.bucket.delete(keys.slice(i, i + 1000));
  }

  /** Copies one object to a new path, keeping its content type. */
  private async copyObject(fromKey: string, toPath: string, signal?: AbortSignal): Promise<void> {
    const obj = await this.bucket.get(fromKey);
    if (!obj) return;
    if (R2Workspace.isMarker(obj)) {
      await obj.body.cancel();
      await this.mkdir(toPath, signal);
      return;
    }
    await this.write(toPath, new Uint8Array(await obj.arrayBuffer()), obj.httpMetadata?.contentType, signal);
  }

  private async tree(from: string, to: string, signal?: AbortSignal): Promise<R2Object[]> {
    if (isBelow(to, from)) throw new WorkspaceError(`cannot copy or move '${from}' into itself ('${to}')`, "invalid");
    const { objects } = await this.objectsBelow(from, false);
    await this.mkdir(to, signal);
    for (const obj of objects) {
      signal?.throwIfAborted();
      await this.copyObject(obj.key, to + this.pathOf(obj.key).slice(from.length), signal);
    }
    return objects;
  }

  async move(rawFrom: string, rawTo: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const from = workspaceFilePath(rawFrom, "source");
    const to = workspaceFilePath(rawTo, "destination");
    const self = await this.entry(from);
    if (!self) throw new WorkspaceError(`'${from}' was not found in the workspace`, "not_found");
    if (from === to) return;
    if (!self.isDirectory) {
      await this.copyObject(this.key(from), to, signal);
      await this.bucket.delete(this.key(from));
      return;
    }
    if (await this.entry(to)) throw new WorkspaceError(`'${to}' already exists`, "invalid");
    const moved = await this.tree(from, to, signal);
    const keys = [...moved.map((o) => o.key), this.key(from)];
    for (let i = 0; i < keys.length; i += 1000) await this.bucket.delete(keys.slice(i, i + 1000));
  }

  async copy(rawFrom: string, rawTo: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const from = workspaceFilePath(rawFrom, "source");
    const to = workspaceFilePath(rawTo, "destination");
    const self = await this.entry(from);
    if (!self) throw new WorkspaceError(`'${from}' was not found in the workspace`, "not_found");
    if (from === to) return;
    if (!self.isDirectory) await this.copyObject(this.key(from), to, signal);
    else await this.tree(from, to, signal);
  }

  async mkdir(rawPath: string, signal?: AbortSignal): Promise<WorkspaceEntry> {
    signal?.throwIfAborted();
    const path = workspaceFilePath(rawPath);
    const current = await this.entry(path);
    if (current?.isDirectory) return current;
    if (current) throw new WorkspaceError(`'${path}' is a file, not a folder`, "invalid");
    await this.checkParents(path);
    const marker = await this.bucket.put(this.key(path), new Uint8Array(0), { customMetadata: { ...DIR_MARKER } });
    return this.toEntry(marker!);
  }
}
