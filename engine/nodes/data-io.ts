import { loadTable } from "../dataframe/convert";
import { parseCsv, toCsv } from "../dataframe/csv";
import { DataframeError, toRecords, toRef } from "../dataframe/table";
import { folderFiles, readEntry } from "../media/asset-folders";
import { folderId, formatName, saveMedia } from "../media/refs";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl } from "../registry/types";
import { toText } from "../values/coerce";
import { WorkspaceError } from "../workspace/workspace-service";
import { dataframeProp } from "./data";

/**
 * `nodetool.data.*` nodes that read, write or stream dataframes. URLs are fetched through the host's
 * `services.http` (behind its fetch guard), files live in the user's workspace (`services.workspace`) and
 * saved dataframes are assets (`services.blobs`); nothing here touches a filesystem or the network itself.
 *
 * LoadCSVAssets streams the CSV assets (text/csv) of an asset folder (engine/media/asset-folders.ts).
 */

const emptyFolder = () => ({ type: "folder", uri: "", asset_id: null, data: null, metadata: null });
const DECODER = new TextDecoder();

/** Yields to the event loop now and then while streaming rows, and stops when the job is cancelled. */
async function pace(ctx: NodeContext, i: number): Promise<void> {
  if (ctx.signal.aborted) {
    const err = new Error("The job was cancelled");
    err.name = "AbortError";
    throw err;
  }
  if (i % 1024 === 1023) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

function workspace(ctx: NodeContext, what: string) {
  const ws = ctx.services.workspace;
  if (!ws) throw new Error(`${what}: this run has no workspace to read or write files`);
  return ws;
}

const workspaceMessage = (err: unknown, what: string): Error =>
  err instanceof WorkspaceError ? new Error(`${what}: ${err.message}`) : err instanceof Error ? err : new Error(`${what}: ${String(err)}`);

/** Joins a workspace folder and a file name, without doubled or leading slashes. */
function joinPath(folder: string, name: string): string {
  const f = folder.replace(/^\/+|\/+$/g, "");
  const n = name.replace(/^\/+/, "");
  return f === "" || f === "." ? n : `${f}/${n}`;
}

function rowStream(name: string, rowHandle: string, description: string): NodeDecl {
  return defineNode({
    type: `nodetool.data.${name}`,
    description,
    properties: [dataframeProp("dataframe", "The input dataframe.")],
    outputs: [out(rowHandle, "dict"), out("index", "any")],
    async *gen(inputs, ctx) {
      const records = toRecords(await loadTable(inputs.dataframe, ctx, `${name}: dataframe`));
      for (let index = 0; index < records.length; index++) {
        await pace(ctx, index);
        yield { [rowHandle]: records[index], index };
      }
    },
  });
}

export const dataIoNodes: NodeDecl[] = [
  // NodeTool: list_assets(parent_id=folder, content_type="text/csv"), one dataframe per file (nodetool-base nodes/nodetool/data.py).
  defineNode({
    type: "nodetool.data.LoadCSVAssets",
    title: "Load CSV Assets",
    description:
      "Load dataframes from an asset folder.\n    load, dataframe, file, import\n\n    Use cases:\n    - Load multiple dataframes from a folder\n    - Process multiple datasets in sequence\n    - Batch import of data files",
    properties: [prop("folder", "folder", emptyFolder(), { description: "The asset folder to load the dataframes from." })],
    outputs: [out("dataframe", "dataframe"), out("name", "str")],
    async *gen(inputs, ctx) {
      for await (const entry of folderFiles(ctx, inputs.folder, "LoadCSVAssets", { contentType: "text/csv" })) {
        const { bytes } = await readEntry(ctx, entry, "LoadCSVAssets");
        yield { dataframe: toRef(parseCsv(DECODER.decode(bytes), `LoadCSVAssets: ${entry.name}`)), name: entry.name };
      }
    },
  }),
  defineNode({
    type: "nodetool.data.LoadCSVURL",
    title: "Load CSVURL",
    description: "Load CSV file from URL.\n    csv, dataframe, import",
    properties: [prop("url", "str", "", { description: "The URL of the CSV file to load." })],
    outputs: [out("output", "dataframe")],
    process: async (inputs, ctx) => {
      const url = toText(inputs.url).trim();
      if (url === "") throw new DataframeError("LoadCSVURL: url cannot be empty");
      const http = ctx.services.http;
      if (!http) throw new Error("LoadCSVURL: this run has no outbound HTTP service");
      const res = await http.request({ url, method: "GET" }, ctx.signal);
      if (res.status >= 400) throw new Error(`LoadCSVURL: ${url} answered HTTP ${res.status}`);
      return { output: toRef(parseCsv(DECODER.decode(res.bytes), "LoadCSVURL")) };
    },
  }),
  defineNode({
    type: "nodetool.data.LoadCSVFile",
    title: "Load CSVFile",
    description: "Load CSV file from file path (in the workspace).\n    csv, dataframe, import",
    properties: [prop("file_path", "str", "", { description: "The path to the CSV file to load." })],
    outputs: [out("output", "dataframe")],
    process: async (inputs, ctx) => {
      const path = toText(inputs.file_path).trim();
      if (path === "") throw new DataframeError("LoadCSVFile: file_path cannot be empty");
      let bytes: Uint8Array;
      try {
        bytes = await workspace(ctx, "LoadCSVFile").read(path, ctx.signal);
      } catch (err) {
        throw workspaceMessage(err, "LoadCSVFile");
      }
      return { output: toRef(parseCsv(DECODER.decode(bytes), "LoadCSVFile")) };
    },
  }),
  defineNode({
    type: "nodetool.data.SaveCSVDataframeFile",
    title: "Save CSVDataframe File",
    description:
      "Write a pandas DataFrame to a CSV file (in the workspace).\n    files, csv, write, output, save, file\n\n    The filename can include time and date variables:\n    %Y - Year, %m - Month, %d - Day\n    %H - Hour, %M - Minute, %S - Second",
    properties: [
      dataframeProp("dataframe", "DataFrame to write to CSV"),
      prop("folder", "str", "", { description: "Folder where the file will be saved" }),
      prop("filename", "str", "", { description: "Name of the CSV file to save. Supports strftime format codes." }),
    ],
    outputs: [out("output", "dataframe")],
    process: async (inputs, ctx) => {
      const folder = toText(inputs.folder).trim();
      const filename = toText(inputs.filename).trim();
      if (folder === "") throw new DataframeError("SaveCSVDataframeFile: folder cannot be empty");
      if (filename === "") throw new DataframeError("SaveCSVDataframeFile: filename cannot be empty");
      const table = await loadTable(inputs.dataframe, ctx, "SaveCSVDataframeFile: dataframe");
      const ws = workspace(ctx, "SaveCSVDataframeFile");
      try {
        if (folder !== "." && folder !== "/") {
          const entry = await ws.stat(folder.replace(/^\/+|\/+$/g, ""), ctx.signal);
          if (!entry?.isDirectory) throw new DataframeError(`SaveCSVDataframeFile: folder does not exist: ${folder}`);
        }
        await ws.write(joinPath(folder, formatName(filename, ctx.services.now())), new TextEncoder().encode(toCsv(table)), "text/csv", ctx.signal);
      } catch (err) {
        throw workspaceMessage(err, "SaveCSVDataframeFile");
      }
      return { output: toRef(table) };
    },
  }),
  defineNode({
    type: "nodetool.data.SaveDataframe",
    description: "Save dataframe in specified folder (as a CSV asset).\n    csv, folder, save",
    properties: [
      dataframeProp("df"),
      prop("folder", "folder", emptyFolder(), { description: "Name of the output folder." }),
      prop("name", "str", "output.csv", { description: "Name of the output file; %Y %m %d %H %M %S are replaced by the current date and time (UTC)." }),
    ],
    outputs: [out("output", "dataframe")],
    process: async (inputs, ctx) => {
      const table = await loadTable(inputs.df, ctx, "SaveDataframe: df");
      const name = formatName(toText(inputs.name) || "output.csv", ctx.services.now());
      const saved = await saveMedia(ctx, new TextEncoder().encode(toCsv(table)), { type: "dataframe", contentType: "text/csv", kind: "asset", name, parentId: folderId(inputs.folder) }, "SaveDataframe");
      return { output: toRef(table, { uri: saved.uri, asset_id: saved.asset_id ?? null }) };
    },
  }),
  rowStream("ForEachRow", "row", "Iterate over rows of a dataframe.\n    iterator, loop, dataframe, sequence, rows"),
  rowStream("RowIterator", "dict", "Iterate over rows of a dataframe."),
  defineNode({
    type: "nodetool.data.FilterNone",
    description: "Filters out None values from a stream.\n    filter, none, null, stream",
    properties: [prop("value", "any", [], { description: "Input stream" })],
    outputs: [out("output", "any")],
    run: async (inputs, outputs) => {
      // Like NodeTool's iter_any_input, only items that arrive on the handle count; a stored value is no stream.
      if (!inputs.connected("value")) return;
      for await (const item of inputs.stream("value")) {
        if (item !== null && item !== undefined) outputs.emit("output", item);
      }
    },
  }),
];
