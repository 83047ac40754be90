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
}

export class WorkspaceError extends Error {
  constructor(
    message: string,
    readonly reason: "not_found" | "invalid" | "too_large" | "unavailable" = "invalid",
  ) {
    super(message);
    this.name = "WorkspaceError";
  }
}
