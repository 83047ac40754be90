import posix from "path-browserify";
import type { NodeContext } from "../registry/types";
import { WorkspaceError, type WorkspaceService } from "./workspace-service";
import { normalizeWorkspacePath } from "./paths";

/**
 * What the workspace and lib.os nodes share: the service lookup, error wording, and the virtual file system
 * that lib.os sees. There is no host file system here: the job user's workspace is mounted at
 * WORKSPACE_DIR, which is also the working directory and the home directory (`~`), so NodeTool's absolute
 * and `~` paths keep working, and anything that resolves outside it is refused.
 */
export const WORKSPACE_DIR = "/workspace";

/** The job user's workspace, or a clear error where the host offers none (callers add the node's name). */
export function requireWorkspace(ctx: NodeContext): WorkspaceService {
  const ws = ctx.services.workspace;
  if (!ws) throw new Error("this run has no workspace storage");
  return ws;
}

/** Prefixes a workspace failure with the node's name (aborts pass through untouched). */
export function withName(err: unknown, what: string): Error {
  if (err instanceof Error && err.name === "AbortError") return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof WorkspaceError) return new WorkspaceError(`${what}: ${message}`, err.reason);
  return new Error(`${what}: ${message}`);
}

/** Runs a node body, naming the node in any error it throws. */
export async function named<T>(what: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw withName(err, what);
  }
}

/** NodeTool's `os.path.expanduser` for our mount: `~` and `~/...` are the workspace. */
export function expandUser(p: string): string {
  if (p === "~") return WORKSPACE_DIR;
  if (p.startsWith("~/")) return posix.join(WORKSPACE_DIR, p.slice(2));
  return p;
}

/** A path resolved the way the host's would be, with the workspace as the working directory. */
export function absolutePath(p: string): string {
  // Always with an absolute first argument: path.resolve would otherwise consult process.cwd().
  return posix.resolve(WORKSPACE_DIR, p);
}

/**
 * The workspace path a lib.os path names (`""` for the workspace itself): relative paths resolve against the
 * workspace, absolute ones must lie inside it.
 */
export function osToWorkspacePath(raw: string, what = "path"): string {
  const abs = absolutePath(expandUser(raw));
  if (abs === WORKSPACE_DIR) return "";
  if (!abs.startsWith(`${WORKSPACE_DIR}/`)) {
    throw new WorkspaceError(`${what} '${raw}' is outside the workspace: on this server files live only in the user's workspace (${WORKSPACE_DIR})`, "invalid");
  }
  return normalizeWorkspacePath(abs.slice(WORKSPACE_DIR.length + 1), what);
}

/** NodeTool's datetime object (UTC; the fields both its generations read). */
export function datetimeValue(ms: number): Record<string, unknown> {
  const d = new Date(ms);
  return {
    type: "datetime",
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    microsecond: d.getUTCMilliseconds() * 1000,
    tzinfo: "UTC",
    utc_offset: 0,
  };
}

/**
 * A free name for a new file: `name`, else `stem_1.ext`, `stem_2.ext`, ... as NodeTool's Save*File nodes
 * pick when overwrite is off (NodeTool: packages/base-nodes/src/nodes/workspace.ts).
 */
export async function freeName(ws: WorkspaceService, folder: string, filename: string, signal: AbortSignal): Promise<string> {
  const join = (name: string) => (folder === "" ? name : `${folder}/${name}`);
  const first = normalizeWorkspacePath(join(filename), "filename");
  if (!(await ws.stat(first, signal))) return first;
  const ext = posix.extname(filename);
  const stem = filename.slice(0, filename.length - ext.length);
  for (let n = 1; n <= 1000; n++) {
    const candidate = normalizeWorkspacePath(join(`${stem}_${n}${ext}`), "filename");
    if (!(await ws.stat(candidate, signal))) return candidate;
  }
  throw new Error(`no free name for '${filename}' after 1000 tries; set overwrite`);
}
