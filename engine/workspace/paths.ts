import { WorkspaceError } from "./workspace-service";

/**
 * Workspace paths: relative, `/`-separated, checked like the Worker's storage keys (edge/storage/keys.ts
 * `keyProblem`, which the R2 workspace also runs on its full keys) so that every implementation accepts the
 * same paths. Harmless spellings are normalised first (`./a`, `a//b`, `a/./b`, `a/`), the workspace root is
 * `""`, and anything that could leave the user's tree or confuse a key is refused with a clear message.
 */

/** Longest path (UTF-8 bytes): R2 keys are at most 1024 bytes, and the area and owner segment come first. */
export const MAX_PATH_BYTES = 768;
/** Deepest path (segments). */
export const MAX_PATH_DEPTH = 32;
/** Default size cap of one workspace file: a job holds a file in memory (and base64 of it) while it works. */
export const DEFAULT_MAX_FILE_BYTES = 25 * 1024 * 1024;
/** Default cap on the entries one listing, recursive delete, move or copy may touch. */
export const DEFAULT_MAX_ENTRIES = 10_000;

function invalid(message: string): never {
  throw new WorkspaceError(message, "invalid");
}

/** The canonical form of a workspace path; `""` is the workspace root. Throws a WorkspaceError when unsafe. */
export function normalizeWorkspacePath(raw: unknown, what = "path"): string {
  if (typeof raw !== "string") invalid(`${what} must be a string`);
  // NodeTool: packages/base-nodes/src/nodes/workspace.ts (ensureWorkspacePath) - the same three refusals.
  if (raw === "") invalid(`${what} cannot be empty`);
  if (raw.startsWith("/")) invalid(`${what} '${shown(raw)}': absolute paths are not allowed; use relative paths within the workspace`);
  if (raw.includes("\\")) invalid(`${what} '${shown(raw)}' contains a backslash; use '/' to separate folders`);
  // C0 controls (NUL included), DEL and C1 controls, as keyProblem refuses them.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(raw)) invalid(`${what} contains a NUL or control character`);
  if (/%[0-9a-fA-F]{2}/.test(raw)) invalid(`${what} '${shown(raw)}' contains a percent-encoded sequence (%XX), which storage keys do not allow`);
  const segments: string[] = [];
  for (const segment of raw.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") invalid(`${what} '${shown(raw)}': parent directory traversal (..) is not allowed`);
    segments.push(segment);
  }
  if (segments.length > MAX_PATH_DEPTH) invalid(`${what} is deeper than ${MAX_PATH_DEPTH} folders`);
  const path = segments.join("/");
  if (new TextEncoder().encode(path).length > MAX_PATH_BYTES) invalid(`${what} is longer than ${MAX_PATH_BYTES} bytes`);
  return path;
}

/** A path naming a file or folder inside the workspace (not the root itself). */
export function workspaceFilePath(raw: unknown, what = "path"): string {
  const path = normalizeWorkspacePath(raw, what);
  if (path === "") invalid(`${what} '${String(raw)}' names the workspace root, not a file`);
  return path;
}

/** A folder path, where `.` (or `""` given explicitly as a folder) is the workspace root. */
export function workspaceFolderPath(raw: unknown, what = "folder"): string {
  if (raw === "" || raw === undefined || raw === null) return "";
  return normalizeWorkspacePath(raw, what);
}

/** Every ancestor folder of a path, nearest last: `a/b/c` -> `["a", "a/b"]`. */
export function ancestorsOf(path: string): string[] {
  const parts = path.split("/");
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join("/"));
  return out;
}

/** The parent folder of a path (`""` for top-level entries). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Whether `path` lies strictly below `folder` (`""` is the root, below which everything lies). */
export function isBelow(path: string, folder: string): boolean {
  return folder === "" ? path !== "" : path.startsWith(`${folder}/`);
}

function shown(raw: string): string {
  return raw.length > 80 ? `${raw.slice(0, 77)}...` : raw;
}
