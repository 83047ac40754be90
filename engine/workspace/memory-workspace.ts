import { contentTypeForName } from "../media/content-types";
import {
  ancestorsOf,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_FILE_BYTES,
  isBelow,
  workspaceFilePath,
  workspaceFolderPath,
} from "./paths";
import { WorkspaceError, type WorkspaceEntry, type WorkspaceService } from "./workspace-service";

export interface MemoryWorkspaceOptions {
  /** Largest file (bytes). */
  maxFileBytes?: number;
  /** Most entries one listing or tree operation may touch. */
  maxEntries?: number;
  /** Most bytes the whole workspace may hold: it lives in the process's memory. */
  maxTotalBytes?: number;
  /** Milliseconds since the epoch, for `modified`. */
  now?: () => number;
}

interface StoredFile {
  bytes: Uint8Array;
  modified: number;
  created: number;
  contentType: string;
}

function check(signal?: AbortSignal): void {
  signal?.throwIfAborted();
}

/**
 * A workspace held in memory: for tests and `nodetool-edge run --local`, where nothing may touch the host's
 * file system. It keeps the semantics of the R2 workspace (see workspace-service.ts), so a graph that works
 * here works on the server; its contents end with the process.
 */
export class MemoryWorkspace implements WorkspaceService {
  private readonly files = new Map<string, StoredFile>();
  /** Folders created explicitly (others exist because a file lies below them). */
  private readonly dirs = new Map<string, number>();
  private readonly maxFileBytes: number;
  private readonly maxEntries: number;
  private readonly maxTotalBytes: number;
  private readonly now: () => number;

  constructor(options: MemoryWorkspaceOptions = {}) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.maxTotalBytes = options.maxTotalBytes ?? 256 * 1024 * 1024;
    this.now = options.now ?? Date.now;
  }

  private kindOf(path: string): "file" | "dir" | null {
    if (path === "") return "dir";
    if (this.files.has(path)) return "file";
    if (this.dirs.has(path)) return "dir";
    for (const key of this.files.keys()) if (isBelow(key, path)) return "dir";
    for (const key of this.dirs.keys()) if (isBelow(key, path)) return "dir";
    return null;
  }

  private entry(path: string): WorkspaceEntry | null {
    const kind = this.kindOf(path);
    if (kind === null) return null;
    if (kind === "file") {
      const f = this.files.get(path)!;
      return { path, size: f.bytes.length, isDirectory: false, modified: f.modified, contentType: f.contentType, created: f.created };
    }
    let modified = this.dirs.get(path) ?? 0;
    for (const [key, f] of this.files) if (isBelow(key, path)) modified = Math.max(modified, f.modified);
    return { path, size: 0, isDirectory: true, modified, contentType: null };
  }

  /** Every file and folder strictly below `folder`, folders implied by deeper entries included, sorted. */
  private below(folder: string): string[] {
    const found = new Set<string>();
    const add = (key: string) => {
      if (!isBelow(key, folder)) return;
      found.add(key);
      for (const a of ancestorsOf(key)) if (isBelow(a, folder)) found.add(a);
    };
    for (const key of this.files.keys()) add(key);
    for (const key of this.dirs.keys()) add(key);
    if (found.size > this.maxEntries) throw new WorkspaceError(`'${folder || "."}' holds more than ${this.maxEntries} entries`, "too_large");
    return [...found].sort();
  }

  /** Refuses a file where a folder is, or below a file. */
  private checkFileSlot(path: string): void {
    if (this.kindOf(path) === "dir") throw new WorkspaceError(`'${path}' is a folder, not a file`, "invalid");
    this.checkParents(path);
  }

  private checkParents(path: string): void {
    for (const a of ancestorsOf(path)) {
      if (this.files.has(a)) throw new WorkspaceError(`'${a}' is a file, not a folder, so '${path}' cannot be created`, "invalid");
    }
  }

  private checkSize(path: string, size: number, replacing = 0): void {
    if (size > this.maxFileBytes) throw new WorkspaceError(`'${path}' would be ${size} bytes, more than the ${this.maxFileBytes}-byte limit per workspace file`, "too_large");
    let total = size - replacing;
    for (const f of this.files.values()) total += f.bytes.length;
    if (total > this.maxTotalBytes) throw new WorkspaceError(`the workspace would hold more than ${this.maxTotalBytes} bytes`, "too_large");
  }

  private requireFile(path: string): StoredFile {
    const kind = this.kindOf(path);
    if (kind === null) throw new WorkspaceError(`'${path}' was not found in the workspace`, "not_found");
    if (kind === "dir") throw new WorkspaceError(`'${path}' is a folder, not a file`, "invalid");
    return this.files.get(path)!;
  }

  async read(rawPath: string, signal?: AbortSignal): Promise<Uint8Array> {
    check(signal);
    return this.requireFile(workspaceFilePath(rawPath)).bytes.slice();
  }

  async write(rawPath: string, bytes: Uint8Array, contentType?: string, signal?: AbortSignal): Promise<WorkspaceEntry> {
    check(signal);
    const path = workspaceFilePath(rawPath);
    this.checkFileSlot(path);
    const previous = this.files.get(path);
    this.checkSize(path, bytes.length, previous?.bytes.length ?? 0);
    const now = this.now();
    this.files.set(path, { bytes: bytes.slice(), modified: now, created: previous?.created ?? now, contentType: contentType || contentTypeForName(path) });
    return this.entry(path)!;
  }

  async stat(rawPath: string, signal?: AbortSignal): Promise<WorkspaceEntry | null> {
    check(signal);
    return this.entry(workspaceFolderPath(rawPath, "path"));
  }

  async list(rawFolder: string, options: { recursive?: boolean } = {}, signal?: AbortSignal): Promise<WorkspaceEntry[]> {
    check(signal);
    const folder = workspaceFolderPath(rawFolder);
    const kind = this.kindOf(folder);
    if (kind === null) throw new WorkspaceError(`folder '${folder}' was not found in the workspace`, "not_found");
    if (kind === "file") throw new WorkspaceError(`'${folder}' is a file, not a folder`, "invalid");
    const paths = this.below(folder);
    const chosen = options.recursive ? paths : paths.filter((p) => !p.slice(folder === "" ? 0 : folder.length + 1).includes("/"));
    return chosen.map((p) => this.entry(p)!);
  }

  async delete(rawPath: string, options: { recursive?: boolean } = {}, signal?: AbortSignal): Promise<void> {
    check(signal);
    const path = workspaceFilePath(rawPath);
    const kind = this.kindOf(path);
    if (kind === null) throw new WorkspaceError(`'${path}' was not found in the workspace`, "not_found");
    if (kind === "file") {
      this.files.delete(path);
      return;
    }
    const inside = this.below(path);
    if (inside.length > 0 && !options.recursive) throw new WorkspaceError(`folder '${path}' is not empty; delete it recursively`, "invalid");
    for (const p of inside) {
      this.files.delete(p);
      this.dirs.delete(p);
    }
    this.dirs.delete(path);
  }

  async move(rawFrom: string, rawTo: string, signal?: AbortSignal): Promise<void> {
    check(signal);
    const from = workspaceFilePath(rawFrom, "source");
    const to = workspaceFilePath(rawTo, "destination");
    const kind = this.kindOf(from);
    if (kind === null) throw new WorkspaceError(`'${from}' was not found in the workspace`, "not_found");
    if (from === to) return;
    if (isBelow(to, from)) throw new WorkspaceError(`cannot move '${from}' into itself ('${to}')`, "invalid");
    if (kind === "file") {
      this.checkFileSlot(to);
      this.files.set(to, this.files.get(from)!);
      this.files.delete(from);
      return;
    }
    if (this.kindOf(to) !== null) throw new WorkspaceError(`'${to}' already exists`, "invalid");
    this.checkParents(to);
    const inside = this.below(from);
    for (const p of inside) {
      const target = to + p.slice(from.length);
      const file = this.files.get(p);
      if (file) {
        this.files.set(target, file);
        this.files.delete(p);
      }
      const dir = this.dirs.get(p);
      if (dir !== undefined) {
        this.dirs.set(target, dir);
        this.dirs.delete(p);
      }
    }
    this.dirs.set(to, this.dirs.get(from) ?? this.now());
    this.dirs.delete(from);
  }

  async copy(rawFrom: string, rawTo: string, signal?: AbortSignal): Promise<void> {
    check(signal);
    const from = workspaceFilePath(rawFrom, "source");
    const to = workspaceFilePath(rawTo, "destination");
    const kind = this.kindOf(from);
    if (kind === null) throw new WorkspaceError(`'${from}' was not found in the workspace`, "not_found");
    if (from === to) return;
    if (kind === "file") {
      const file = this.files.get(from)!;
      await this.write(to, file.bytes, file.contentType);
      return;
    }
    if (isBelow(to, from)) throw new WorkspaceError(`cannot copy '${from}' into itself ('${to}')`, "invalid");
    // Like a recursive copy onto an existing folder: entries merge, files of the same name are replaced.
    await this.mkdir(to);
    for (const p of this.below(from)) {
      const target = to + p.slice(from.length);
      const file = this.files.get(p);
      if (file) await this.write(target, file.bytes, file.contentType);
      else await this.mkdir(target);
    }
  }

  async mkdir(rawPath: string, signal?: AbortSignal): Promise<WorkspaceEntry> {
    check(signal);
    const path = workspaceFilePath(rawPath);
    if (this.files.has(path)) throw new WorkspaceError(`'${path}' is a file, not a folder`, "invalid");
    this.checkParents(path);
    if (!this.dirs.has(path)) this.dirs.set(path, this.now());
    return this.entry(path)!;
  }
}
