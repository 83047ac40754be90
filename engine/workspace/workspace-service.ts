/**
 * A user's workspace: a private file tree that outlives jobs (`nodetool.workspace.*`, `lib.os.*`, the agents'
 * workspace tool). The Worker keeps it in R2 under the user's own prefix; no host filesystem is ever touched.
 * Paths are relative, `/`-separated, checked like storage keys (no `..`, no leading `/`, no backslash or NUL).
 */
export interface WorkspaceEntry {
  path: string;
  size: number;
  isDirectory: boolean;
  modified: number;
  contentType: string | null;
  /** When the file was first written (ms); kept across overwrites, absent where unknown. */
  created?: number;
}

export interface WorkspaceService {
  read(path: string, signal?: AbortSignal): Promise<Uint8Array>;
  write(path: string, bytes: Uint8Array, contentType?: string, signal?: AbortSignal): Promise<WorkspaceEntry>;
  stat(path: string, signal?: AbortSignal): Promise<WorkspaceEntry | null>;
  /** Entries directly under a folder (or every entry below it when recursive). */
  list(folder: string, options?: { recursive?: boolean }, signal?: AbortSignal): Promise<WorkspaceEntry[]>;
  delete(path: string, options?: { recursive?: boolean }, signal?: AbortSignal): Promise<void>;
  move(from: string, to: string, signal?: AbortSignal): Promise<void>;
  copy(from: string, to: string, signal?: AbortSignal): Promise<void>;
  /** Creates a folder and any missing parents; a no-op when it exists; an error when a file is in the way. */
  mkdir(path: string, signal?: AbortSignal): Promise<WorkspaceEntry>;
}

/*
 * Semantics every implementation keeps (engine/workspace/memory-workspace.ts, edge/workspace/r2-workspace.ts),
 * those of a POSIX file tree: paths go through engine/workspace/paths.ts (`""` is the root, for list only);
 * `write` creates missing parent folders and fails where a folder or a file-as-parent is in the way; folders
 * exist explicitly (mkdir) or implicitly (a file below them); `read` of a folder, `delete` of a non-empty folder
 * without `recursive`, and `move` onto an existing folder fail with reason "invalid"; a missing path is
 * "not_found"; a file over the size cap, or a listing or tree operation over the entry cap, is "too_large".
 */

export class WorkspaceError extends Error {
  constructor(
    message: string,
    readonly reason: "not_found" | "invalid" | "too_large" | "unavailable" = "invalid",
  ) {
    super(message);
    this.name = "WorkspaceError";
  }
}
