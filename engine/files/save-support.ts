/** What the file-saving nodes share: strftime file names and workspace folders that must already exist. */
import { nowParts } from "../datetime/calendar";
import { strftime } from "../datetime/strftime";
import type { NodeContext } from "../registry/types";
import { toText } from "../values/coerce";
import { osToWorkspacePath } from "../workspace/node-support";
import type { WorkspaceService } from "../workspace/workspace-service";

/** A file name from a strftime template, at the host's current time. */
export function fileName(template: unknown, fallback: string, ctx: NodeContext): string {
  return strftime(nowParts(ctx.services.now()), toText(template) || fallback);
}

/** A workspace folder given as NodeTool gives a local folder; it must exist, as NodeTool requires. */
export async function existingFolder(ws: WorkspaceService, raw: unknown, ctx: NodeContext): Promise<string> {
  const given = toText(raw);
  if (given === "") throw new Error("folder cannot be empty");
  const folder = osToWorkspacePath(given, "folder");
  if (folder !== "") {
    const entry = await ws.stat(folder, ctx.signal);
    if (!entry?.isDirectory) throw new Error(`Folder does not exist: ${given}`);
  }
  return folder;
}

export const joinPath = (folder: string, name: string) => (folder === "" ? name : `${folder}/${name}`);

/** The job user's workspace, or a clear error where the host offers none. */
export function workspaceOf(ctx: NodeContext, what: string): WorkspaceService {
  const ws = ctx.services.workspace;
  if (!ws) throw new Error(`${what}: this run has no workspace storage`);
  return ws;
}

/** Runs a node body, naming the node in any error it throws (aborts pass through untouched). */
export async function inNode<T>(what: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof Error && err.name === "AbortError") throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(message.startsWith(`${what}:`) ? message : `${what}: ${message}`);
  }
}
