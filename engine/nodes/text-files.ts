/**
 * `nodetool.text.*` nodes that save or load text: assets go through the blob store, file paths through the
 * job user's workspace (where NodeTool's absolute and `~` paths are mounted, engine/workspace/node-support.ts).
 * File names are Python strftime templates, filled with the current UTC time (NodeTool: `datetime.now()`).
 * LoadTextAssets streams the text assets of an asset folder (engine/media/asset-folders.ts).
 */
import { folderFiles, readEntry } from "../media/asset-folders";
import { InlineBytes } from "../media/data-uri";
import { folderId, saveMedia } from "../media/refs";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { existingFolder, fileName, inNode, joinPath, workspaceOf } from "../files/save-support";
import { toBool, toList, toText } from "../values/coerce";
import { fnmatchRegExp } from "../workspace/fnmatch";
import { normalizeWorkspacePath } from "../workspace/paths";

const EMPTY_FOLDER = { type: "folder", uri: "", asset_id: null, data: null, metadata: null };
const DEFAULT_NAME = "%Y-%m-%d-%H-%M-%S.txt";
const NAME_HELP = "Name of the output file; strftime codes (%Y %m %d %H %M %S ...) are replaced by the current date and time (UTC)";
const utf8 = new TextEncoder();

export const textFileNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.text.SaveText",
    description: "Saves input text to a file in the assets folder.\n    text, save, file",
    properties: [
      prop("text", "str", ""),
      prop("folder", "folder", EMPTY_FOLDER, { description: "Name of the output folder." }),
      prop("name", "str", DEFAULT_NAME, { description: NAME_HELP }),
    ],
    outputs: [out("output", "text")],
    process: async (inputs, ctx) => {
      const name = fileName(inputs.name, DEFAULT_NAME, ctx);
      const saved = await saveMedia(ctx, utf8.encode(toText(inputs.text)), { type: "text", contentType: "text/plain", kind: "asset", name, parentId: folderId(inputs.folder) }, "SaveText");
      return { output: saved };
    },
  }),
  // NodeTool answers a file:// URI of its host; here the reference carries the saved text itself.
  defineNode({
    type: "nodetool.text.SaveTextFile",
    description: "Saves input text to a file in a folder of the workspace.\n    text, save, file",
    properties: [
      prop("text", "str", ""),
      prop("folder", "str", "", { description: "Path to the output folder (in the workspace)." }),
      prop("name", "str", DEFAULT_NAME, { description: NAME_HELP }),
    ],
    outputs: [out("output", "text")],
    process: (inputs, ctx) =>
      inNode("SaveTextFile", async () => {
        const ws = workspaceOf(ctx, "SaveTextFile");
        const folder = await existingFolder(ws, inputs.folder, ctx);
        const name = fileName(inputs.name, DEFAULT_NAME, ctx);
        const bytes = utf8.encode(toText(inputs.text));
        await ws.write(normalizeWorkspacePath(joinPath(folder, name), "name"), bytes, "text/plain", ctx.signal);
        return { output: { type: "text", uri: "", asset_id: null, data: InlineBytes.wrap(bytes, "text/plain") } };
      }),
  }),
  // One item per text/* asset directly in the folder, by name. NodeTool's Python node lists content types
  // starting with "text" (nodetool-base nodes/nodetool/text.py); its TypeScript node emits the file's text,
  // as here, so the item feeds str inputs directly.
  defineNode({
    type: "nodetool.text.LoadTextAssets",
    title: "Load Text Assets",
    description: "Load text files from an asset folder.\n    load, text, file, import",
    properties: [prop("folder", "folder", EMPTY_FOLDER, { description: "The asset folder to load the text files from." })],
    outputs: [out("text", "text"), out("name", "str")],
    gen: async function* (inputs, ctx) {
      const decoder = new TextDecoder();
      for await (const entry of folderFiles(ctx, inputs.folder, "LoadTextAssets", { contentType: "text" })) {
        const { bytes } = await readEntry(ctx, entry, "LoadTextAssets");
        yield { text: decoder.decode(bytes), name: entry.name };
      }
    },
  }),
  // Emits one item per file: its text (UTF-8) and its path, written as the folder was given plus the name.
  defineNode({
    type: "nodetool.text.LoadTextFolder",
    description: "Load all text files from a workspace folder, optionally including subfolders.\n    text, load, folder, files",
    properties: [
      prop("folder", "str", "", { description: "Folder to scan for text files" }),
      prop("include_subdirectories", "bool", false, { description: "Include text files in subfolders" }),
      prop("extensions", "list[str]", [".txt", ".csv", ".json", ".xml", ".md", ".html", ".pdf"], { description: "Text file extensions to include" }),
      prop("pattern", "str", "", { description: "Pattern to match text files" }),
    ],
    outputs: [out("text", "str"), out("path", "str")],
    gen: async function* (inputs, ctx) {
      const what = "LoadTextFolder";
      const ws = workspaceOf(ctx, what);
      const { folder, entries } = await inNode(what, async () => {
        const folder = await existingFolder(ws, inputs.folder, ctx);
        return { folder, entries: await ws.list(folder, { recursive: toBool(inputs.include_subdirectories) }, ctx.signal) };
      });
      const given = toText(inputs.folder).replace(/\/+$/, "");
      const extensions = new Set(toList(inputs.extensions).map((e) => toText(e).toLowerCase()));
      const pattern = toText(inputs.pattern);
      const match = pattern ? fnmatchRegExp(pattern) : null;
      const decoder = new TextDecoder();
      for (const entry of entries) {
        if (entry.isDirectory) continue;
        const base = entry.path.slice(entry.path.lastIndexOf("/") + 1);
        const dot = base.lastIndexOf(".");
        if (!extensions.has(dot > 0 ? base.slice(dot).toLowerCase() : "")) continue;
        const path = `${given}/${folder === "" ? entry.path : entry.path.slice(folder.length + 1)}`;
        if (match && !match.test(path)) continue;
        const bytes = await inNode(what, () => ws.read(entry.path, ctx.signal));
        yield { text: decoder.decode(bytes), path };
      }
    },
  }),
];
