import posix from "path-browserify";
import { bytesToBase64, base64ToBytes } from "../media/data-uri";
import { emptyMediaRef } from "../media/nodes";
import { formatName, readMedia, toMediaRef } from "../media/refs";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeContext, NodeDecl, Outputs } from "../registry/types";
import { toBool, toText } from "../values/coerce";
import { fnmatchRegExp } from "../workspace/fnmatch";
import { freeName, named, requireWorkspace, WORKSPACE_DIR } from "../workspace/node-support";
import { normalizeWorkspacePath, workspaceFilePath, workspaceFolderPath } from "../workspace/paths";
import { textCodec } from "../workspace/text-codec";
import type { WorkspaceService } from "../workspace/workspace-service";

/**
 * `nodetool.workspace.*`: files in the job user's workspace, a private tree that outlives jobs (R2 on the
 * server, memory in a local run). Paths are relative to the workspace; absolute paths and `..` are refused,
 * as NodeTool refuses them (NodeTool: packages/base-nodes/src/nodes/workspace.ts). Outputs that name a file
 * give the path as it was given, like NodeTool's.
 */

const pathProp = (description = "Relative path to file within workspace") => prop("path", "str", "", { description });

type Body = (ws: WorkspaceService, inputs: Inputs, ctx: NodeContext) => Promise<Outputs>;

function wsNode(name: string, description: string, properties: ReturnType<typeof prop>[], outputs: ReturnType<typeof out>[], body: Body): NodeDecl {
  return defineNode({
    type: `nodetool.workspace.${name}`,
    description,
    properties,
    outputs,
    process: (inputs, ctx) => named(name, () => body(requireWorkspace(ctx), inputs, ctx)),
  });
}

/** A media file saved into the workspace (SaveImageFile, SaveVideoFile). */
function saveMediaFile(family: "image" | "video", defaultName: string): NodeDecl {
  const title = family === "image" ? "Image" : "Video";
  const name = `Save${title}File`;
  return wsNode(
    name,
    `Save ${family === "image" ? "an image" : "a video"} to a file in the workspace. The filename can include %Y %m %d %H %M %S (UTC date and time).`,
    [
      prop(family, family, family === "video" ? { ...emptyMediaRef("video"), metadata: null, duration: null, format: null } : { ...emptyMediaRef("image"), metadata: null }, { description: `The ${family} to save` }),
      prop("folder", "str", ".", { description: "Relative folder path within workspace (use . for workspace root)" }),
      prop("filename", "str", defaultName, { description: "Name of the file; %Y %m %d %H %M %S are replaced by the date and time" }),
      prop("overwrite", "bool", false, { description: "Overwrite the file if it already exists, otherwise file will be renamed" }),
    ],
    [out("output", family)],
    async (ws, inputs, ctx) => {
      const media = await readMedia(inputs[family], ctx, family, family);
      const folder = workspaceFolderPath(toText(inputs.folder ?? "."));
      const filename = formatName(toText(inputs.filename) || defaultName, ctx.services.now());
      if (filename.includes("/")) throw new Error(`filename '${filename}' must not contain '/'; put folders in 'folder'`);
      const path = toBool(inputs.overwrite) ? normalizeWorkspacePath(folder === "" ? filename : `${folder}/${filename}`, "filename") : await freeName(ws, folder, filename, ctx.signal);
      await ws.write(path, media.bytes, media.contentType, ctx.signal);
      // The saved file holds exactly the input's bytes, so the input's (resolved) reference still reads them;
      // NodeTool answers a file:// URI of the host, which has no meaning off the host.
      return { output: { ...toMediaRef(inputs[family], family, family), type: family } };
    },
  );
}

export const workspaceNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.workspace.GetWorkspaceDir",
    description: "Get the current workspace directory path (where the workspace is mounted for lib.os paths).",
    outputs: [out("output", "str")],
    process: () => ({ output: WORKSPACE_DIR }),
  }),
  defineNode({
    type: "nodetool.workspace.ListWorkspaceFiles",
    description: "List files in the workspace directory matching a pattern.",
    properties: [
      prop("path", "str", ".", { description: "Relative path within workspace (use . for workspace root)" }),
      prop("pattern", "str", "*", { description: "File pattern to match (e.g. *.txt, *.json)" }),
      prop("recursive", "bool", false, { description: "Search subdirectories recursively" }),
    ],
    outputs: [out("file", "str")],
    gen: async function* (inputs, ctx) {
      const what = "ListWorkspaceFiles";
      const entries = await named(what, async () => {
        const ws = requireWorkspace(ctx);
        const folder = workspaceFolderPath(toText(inputs.path ?? "."), "path");
        const rx = fnmatchRegExp(toText(inputs.pattern ?? "*") || "*");
        const all = await ws.list(folder, { recursive: toBool(inputs.recursive) }, ctx.signal);
        return all.filter((e) => rx.test(posix.basename(e.path)));
      });
      for (const e of entries) yield { file: e.path };
    },
  }),
  wsNode(
    "ReadTextFile",
    "Read a text file from the workspace.",
    [pathProp(), prop("encoding", "str", "utf-8", { description: "Text encoding (utf-8, ascii, etc.)" })],
    [out("output", "str")],
    async (ws, inputs, ctx) => {
      const codec = textCodec(toText(inputs.encoding ?? "utf-8") || "utf-8");
      return { output: codec.decode(await ws.read(workspaceFilePath(toText(inputs.path)), ctx.signal)) };
    },
  ),
  wsNode(
    "WriteTextFile",
    "Write text to a file in the workspace.",
    [
      pathProp(),
      prop("content", "str", "", { description: "Text content to write" }),
      prop("encoding", "str", "utf-8", { description: "Text encoding (utf-8, ascii, etc.)" }),
      prop("append", "bool", false, { description: "Append to file instead of overwriting" }),
    ],
    [out("output", "str")],
    async (ws, inputs, ctx) => {
      const path = workspaceFilePath(toText(inputs.path));
      let bytes = textCodec(toText(inputs.encoding ?? "utf-8") || "utf-8").encode(toText(inputs.content));
      if (toBool(inputs.append)) {
        const existing = await ws.stat(path, ctx.signal);
        if (existing && !existing.isDirectory) {
          const before = await ws.read(path, ctx.signal);
          const joined = new Uint8Array(before.length + bytes.length);
          joined.set(before);
          joined.set(bytes, before.length);
          bytes = joined;
        }
      }
      await ws.write(path, bytes, undefined, ctx.signal);
      return { output: toText(inputs.path) };
    },
  ),
  wsNode("ReadBinaryFile", "Read a binary file from the workspace as base64-encoded string.", [pathProp()], [out("output", "str")], async (ws, inputs, ctx) => ({
    output: bytesToBase64(await ws.read(workspaceFilePath(toText(inputs.path)), ctx.signal)),
  })),
  wsNode(
    "WriteBinaryFile",
    "Write binary data (base64-encoded) to a file in the workspace.",
    [pathProp(), prop("content", "str", "", { description: "Base64-encoded binary content to write" })],
    [out("output", "str")],
    async (ws, inputs, ctx) => {
      const path = workspaceFilePath(toText(inputs.path));
      await ws.write(path, base64ToBytes(toText(inputs.content)), undefined, ctx.signal);
      return { output: toText(inputs.path) };
    },
  ),
  wsNode(
    "DeleteWorkspaceFile",
    "Delete a file or directory from the workspace.",
    [pathProp("Relative path to file or directory within workspace"), prop("recursive", "bool", false, { description: "Delete directories recursively" })],
    [out("output", "none")],
    async (ws, inputs, ctx) => {
      const path = workspaceFilePath(toText(inputs.path));
      const entry = await ws.stat(path, ctx.signal);
      if (!entry) throw new Error(`'${path}' was not found in the workspace`);
      if (entry.isDirectory && !toBool(inputs.recursive)) throw new Error("Path is a directory. Set recursive=true to delete.");
      await ws.delete(path, { recursive: true }, ctx.signal);
      return { output: null };
    },
  ),
  wsNode("CreateWorkspaceDirectory", "Create a directory in the workspace.", [pathProp("Relative path to directory within workspace")], [out("output", "str")], async (ws, inputs, ctx) => {
    await ws.mkdir(workspaceFilePath(toText(inputs.path)), ctx.signal);
    return { output: toText(inputs.path) };
  }),
  wsNode("WorkspaceFileExists", "Check if a file or directory exists in the workspace.", [pathProp("Relative path within workspace to check")], [out("output", "bool")], async (ws, inputs, ctx) => ({
    output: (await ws.stat(normalizeWorkspacePath(toText(inputs.path)), ctx.signal)) !== null,
  })),
  wsNode("GetWorkspaceFileInfo", "Get information about a file in the workspace.", [pathProp()], [out("output", "dict")], async (ws, inputs, ctx) => {
    const path = normalizeWorkspacePath(toText(inputs.path));
    const entry = await ws.stat(path, ctx.signal);
    if (!entry) throw new Error(`'${path}' was not found in the workspace`);
    const created = entry.created ?? entry.modified;
    return {
      output: {
        path: toText(inputs.path),
        name: posix.basename(toText(inputs.path)),
        size: entry.size,
        is_file: !entry.isDirectory,
        is_directory: entry.isDirectory,
        created: new Date(created).toISOString(),
        modified: new Date(entry.modified).toISOString(),
        // Reads are not recorded: as on a file system mounted noatime, the access time stays at creation.
        accessed: new Date(created).toISOString(),
      },
    };
  }),
  wsNode(
    "CopyWorkspaceFile",
    "Copy a file within the workspace.",
    [prop("source", "str", "", { description: "Relative source path within workspace" }), prop("destination", "str", "", { description: "Relative destination path within workspace" })],
    [out("output", "str")],
    async (ws, inputs, ctx) => {
      await ws.copy(workspaceFilePath(toText(inputs.source), "source"), workspaceFilePath(toText(inputs.destination), "destination"), ctx.signal);
      return { output: toText(inputs.destination) };
    },
  ),
  wsNode(
    "MoveWorkspaceFile",
    "Move or rename a file within the workspace.",
    [prop("source", "str", "", { description: "Relative source path within workspace" }), prop("destination", "str", "", { description: "Relative destination path within workspace" })],
    [out("output", "str")],
    async (ws, inputs, ctx) => {
      await ws.move(workspaceFilePath(toText(inputs.source), "source"), workspaceFilePath(toText(inputs.destination), "destination"), ctx.signal);
      return { output: toText(inputs.destination) };
    },
  ),
  wsNode("GetWorkspaceFileSize", "Get file size in bytes for a workspace file.", [pathProp()], [out("output", "int")], async (ws, inputs, ctx) => {
    const path = normalizeWorkspacePath(toText(inputs.path));
    const entry = await ws.stat(path, ctx.signal);
    if (!entry) throw new Error(`'${path}' was not found in the workspace`);
    if (entry.isDirectory) throw new Error(`Path is not a file: ${toText(inputs.path)}`);
    return { output: entry.size };
  }),
  wsNode("IsWorkspaceFile", "Check if a path in the workspace is a file.", [pathProp("Relative path within workspace to check")], [out("output", "bool")], async (ws, inputs, ctx) => {
    const entry = await ws.stat(normalizeWorkspacePath(toText(inputs.path)), ctx.signal);
    return { output: entry !== null && !entry.isDirectory };
  }),
  wsNode("IsWorkspaceDirectory", "Check if a path in the workspace is a directory.", [pathProp("Relative path within workspace to check")], [out("output", "bool")], async (ws, inputs, ctx) => {
    const entry = await ws.stat(normalizeWorkspacePath(toText(inputs.path)), ctx.signal);
    return { output: entry?.isDirectory };
  }),
  defineNode({
    type: "nodetool.workspace.JoinWorkspacePaths",
    description: "Join path components relative to workspace.",
    properties: [prop("paths", "list[str]", [], { description: "Path components to join (relative to workspace)" })],
    outputs: [out("output", "str")],
    process: (inputs) => {
      const parts = Array.isArray(inputs.paths) ? inputs.paths.map((p) => toText(p)) : [];
      if (parts.length === 0) throw new Error("JoinWorkspacePaths: paths cannot be empty");
      // POSIX separators whatever the host, then the workspace's own checks (absolute paths, `..`).
      const joined = posix.join(...parts);
      try {
        normalizeWorkspacePath(joined, "joined path");
      } catch (err) {
        throw new Error(`JoinWorkspacePaths: ${(err as Error).message}`);
      }
      return { output: joined };
    },
  }),
  saveMediaFile("image", "image.png"),
  saveMediaFile("video", "video.mp4"),
];
