import posix from "path-browserify";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeContext, NodeDecl, Outputs } from "../registry/types";
import { toBool, toText } from "../values/coerce";
import { fnmatchRegExp } from "../workspace/fnmatch";
import { absolutePath, datetimeValue, expandUser, named, osToWorkspacePath, requireWorkspace, WORKSPACE_DIR } from "../workspace/node-support";
import type { WorkspaceEntry, WorkspaceService } from "../workspace/workspace-service";

/**
 * `lib.os.*` nodes that touch files. NodeTool runs them on the host's file system (NodeTool:
 * packages/base-nodes/src/nodes/lib-os.ts); here the only file system is the job user's workspace, mounted at
 * /workspace, which is also the working and home directory. Relative, `~` and `/workspace/...` paths work;
 * any path that resolves elsewhere fails saying so. Timestamps are UTC datetimes.
 */

type Body = (ws: WorkspaceService, inputs: Inputs, ctx: NodeContext) => Promise<Outputs>;

function fileNode(name: string, description: string, properties: ReturnType<typeof prop>[], outputs: ReturnType<typeof out>[], body: Body): NodeDecl {
  return defineNode({
    type: `lib.os.${name}`,
    description,
    properties,
    outputs,
    process: (inputs, ctx) => named(name, () => body(requireWorkspace(ctx), inputs, ctx)),
  });
}

const pathProp = (description: string) => prop("path", "str", "", { description });

/** The workspace path of a required `path` input (NodeTool: "'path' field cannot be empty"). */
function requiredPath(raw: unknown, field = "path"): string {
  const p = toText(raw);
  if (!p) throw new Error(`'${field}' field cannot be empty`);
  return osToWorkspacePath(p, field);
}

async function existing(ws: WorkspaceService, raw: unknown, ctx: NodeContext): Promise<WorkspaceEntry> {
  const path = requiredPath(raw);
  const entry = await ws.stat(path, ctx.signal);
  if (!entry) throw new Error(`No such file or directory: '${toText(raw)}'`);
  return entry;
}

function timeNode(name: string, description: string, pick: (e: WorkspaceEntry) => number): NodeDecl {
  return fileNode(name, description, [pathProp("Path to file")], [out("output", "datetime")], async (ws, inputs, ctx) => ({
    output: datetimeValue(pick(await existing(ws, inputs.path, ctx))),
  }));
}

export const osFileNodes: NodeDecl[] = [
  defineNode({
    type: "lib.os.WorkspaceDirectory",
    description: "Get the workspace directory (the mount point of the user's workspace).",
    outputs: [out("output", "str")],
    process: () => ({ output: WORKSPACE_DIR }),
  }),
  fileNode("FileExists", "Check if a file or directory exists at the specified path.", [pathProp("Path to check for existence")], [out("output", "bool")], async (ws, inputs, ctx) => ({
    output: (await ws.stat(requiredPath(inputs.path), ctx.signal)) !== null,
  })),
  defineNode({
    type: "lib.os.ListFiles",
    description: "list files in a directory matching a pattern.",
    properties: [
      prop("folder", "str", "~", { description: "Directory to scan" }),
      prop("pattern", "str", "*", { description: "File pattern to match (e.g. *.txt)" }),
      prop("include_subdirectories", "bool", false, { description: "Search subdirectories" }),
    ],
    outputs: [out("file", "str")],
    gen: async function* (inputs, ctx) {
      const what = "ListFiles";
      const found = await named(what, async () => {
        const ws = requireWorkspace(ctx);
        const given = expandUser(toText(inputs.folder ?? "~"));
        if (!given) throw new Error("directory cannot be empty");
        const folder = osToWorkspacePath(given, "folder");
        const rx = fnmatchRegExp(toText(inputs.pattern ?? "*"));
        const entries = await ws.list(folder, { recursive: toBool(inputs.include_subdirectories) }, ctx.signal);
        // Named as NodeTool names them: the folder as given, joined with the path below it.
        const below = (e: WorkspaceEntry) => (folder === "" ? e.path : e.path.slice(folder.length + 1));
        return entries.filter((e) => rx.test(posix.basename(e.path))).map((e) => posix.join(given, below(e)));
      });
      for (const file of found) yield { file };
    },
  }),
  fileNode(
    "CopyFile",
    "Copy a file from source to destination path.",
    [prop("source_path", "str", "", { description: "Source file path" }), prop("destination_path", "str", "", { description: "Destination file path" })],
    [out("output", "str")],
    async (ws, inputs, ctx) => {
      const from = requiredPath(inputs.source_path, "source_path");
      const to = requiredPath(inputs.destination_path, "destination_path");
      if (from === "" || to === "") throw new Error("cannot copy the workspace itself");
      await ws.copy(from, to, ctx.signal);
      return { output: toText(inputs.destination_path) };
    },
  ),
  fileNode(
    "MoveFile",
    "Move a file from source to destination path.",
    [prop("source_path", "str", "", { description: "Source file path" }), prop("destination_path", "str", "", { description: "Destination file path" })],
    [],
    async (ws, inputs, ctx) => {
      const from = requiredPath(inputs.source_path, "source_path");
      const to = requiredPath(inputs.destination_path, "destination_path");
      if (from === "" || to === "") throw new Error("cannot move the workspace itself");
      await ws.move(from, to, ctx.signal);
      return {};
    },
  ),
  fileNode(
    "CreateDirectory",
    "Create a new directory at specified path.",
    [pathProp("Directory path to create"), prop("exist_ok", "bool", true, { description: "Don't error if directory already exists" })],
    [],
    async (ws, inputs, ctx) => {
      const path = requiredPath(inputs.path);
      const existingEntry = await ws.stat(path, ctx.signal);
      if (existingEntry && !(inputs.exist_ok === undefined ? true : toBool(inputs.exist_ok))) throw new Error(`File exists: '${toText(inputs.path)}'`);
      if (path !== "") await ws.mkdir(path, ctx.signal);
      return {};
    },
  ),
  fileNode("GetFileSize", "Get file size in bytes.", [pathProp("Path to file")], [out("output", "int")], async (ws, inputs, ctx) => ({
    output: (await existing(ws, inputs.path, ctx)).size,
  })),
  // NodeTool's CreatedTime reads the status-change time (st_ctime), which every write moves: the last write.
  timeNode("CreatedTime", "Get file creation timestamp.", (e) => e.modified),
  timeNode("ModifiedTime", "Get file last modified timestamp.", (e) => e.modified),
  // Reads are not recorded: as on a file system mounted noatime, the access time stays at creation.
  timeNode("AccessedTime", "Get file last accessed timestamp.", (e) => e.created ?? e.modified),
  fileNode("IsFile", "Check if path is a file.", [pathProp("Path to check")], [out("output", "bool")], async (ws, inputs, ctx) => {
    const entry = await ws.stat(requiredPath(inputs.path), ctx.signal);
    return { output: entry !== null && !entry.isDirectory };
  }),
  fileNode("IsDirectory", "Check if path is a directory.", [pathProp("Path to check")], [out("output", "bool")], async (ws, inputs, ctx) => {
    const entry = await ws.stat(requiredPath(inputs.path), ctx.signal);
    return { output: entry?.isDirectory };
  }),
  fileNode("GetPathInfo", "Gets information about a path.", [pathProp("Path to analyze")], [out("output", "dict")], async (ws, inputs, ctx) => {
    const p = toText(inputs.path);
    // An empty path names nothing (NodeTool: existsSync("") is false), though it resolves to the working directory.
    const entry = p === "" ? null : await ws.stat(osToWorkspacePath(p), ctx.signal);
    const extension = posix.extname(p);
    return {
      output: {
        dirname: posix.dirname(p),
        basename: posix.basename(p),
        extension,
        absolute: absolutePath(p),
        exists: entry !== null,
        is_file: entry !== null && !entry.isDirectory,
        is_dir: entry?.isDirectory,
        is_symlink: false,
      },
    };
  }),
];
