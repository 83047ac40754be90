/**
 * `nodetool.dictionary.LoadCSVFile` / `SaveCSVFile`: lists of dictionaries as CSV files in the workspace
 * (engine/csv/dict-csv.ts). NodeTool: nodetool-base src/nodetool/nodes/nodetool/dictionary.py.
 */
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { describe, isRecord, toText } from "../values/coerce";
import { osToWorkspacePath } from "../workspace/node-support";
import { normalizeWorkspacePath } from "../workspace/paths";
import { readCsvDicts, writeCsvDicts } from "../csv/dict-csv";
import { existingFolder, fileName, inNode, joinPath, workspaceOf } from "../files/save-support";

export const dictionaryFileNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.dictionary.LoadCSVFile",
    title: "Load CSV File",
    description: "Read a CSV file from the workspace as a list of dictionaries (values are strings).\n    files, csv, read, input, load, file",
    properties: [prop("path", "str", "", { description: "Path to the CSV file to read" })],
    outputs: [out("output", "list[dict]")],
    process: (inputs, ctx) =>
      inNode("LoadCSVFile", async () => {
        const given = toText(inputs.path);
        if (given === "") throw new Error("path cannot be empty");
        const bytes = await workspaceOf(ctx, "LoadCSVFile").read(osToWorkspacePath(given), ctx.signal);
        return { output: readCsvDicts(new TextDecoder().decode(bytes)) };
      }),
  }),
  defineNode({
    type: "nodetool.dictionary.SaveCSVFile",
    title: "Save CSV File",
    description: "Write a list of dictionaries to a CSV file in a workspace folder; the filename supports strftime codes.\n    files, csv, write, output, save, file",
    properties: [
      prop("data", "list[dict]", [], { description: "list of dictionaries to write to CSV" }),
      prop("folder", "str", "", { description: "Folder where the file will be saved" }),
      prop("filename", "str", "", { description: "Name of the CSV file to save. Supports strftime format codes." }),
    ],
    outputs: [],
    process: (inputs, ctx) =>
      inNode("SaveCSVFile", async () => {
        const data = inputs.data ?? [];
        if (!Array.isArray(data)) throw new Error(`data must be a list of dictionaries, got ${describe(data)}`);
        if (data.length === 0) throw new Error("'data' field cannot be empty");
        const rows = data.map((row, i) => {
          if (!isRecord(row)) throw new Error(`data[${i}] must be a dictionary, got ${describe(row)}`);
          return row;
        });
        if (toText(inputs.folder) === "") throw new Error("folder cannot be empty");
        if (toText(inputs.filename) === "") throw new Error("filename cannot be empty");
        const ws = workspaceOf(ctx, "SaveCSVFile");
        const folder = await existingFolder(ws, inputs.folder, ctx);
        const path = normalizeWorkspacePath(joinPath(folder, fileName(inputs.filename, "", ctx)), "filename");
        await ws.write(path, new TextEncoder().encode(writeCsvDicts(rows)), "text/csv", ctx.signal);
        return {};
      }),
  }),
];
