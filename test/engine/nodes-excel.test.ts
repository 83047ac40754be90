import { strFromU8, unzipSync } from "fflate";
import readXlsxFile from "read-excel-file/universal";
import writeXlsxFile from "write-excel-file/universal";
import { describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { toDataUri } from "../../engine/media/data-uri";
import type { WorkspaceEntry, WorkspaceService } from "../../engine/workspace/workspace-service";
import { graph, registry } from "./helpers";

class MemoryWorkspace implements WorkspaceService {
  files = new Map<string, Uint8Array>();
  private entry = (path: string): WorkspaceEntry => ({ path, size: this.files.get(path)!.length, isDirectory: false, modified: 0, contentType: null });
  async read(path: string) {
    return this.files.get(path)!;
  }
  async write(path: string, bytes: Uint8Array) {
    this.files.set(path, new Uint8Array(bytes));
    return this.entry(path);
  }
  async stat(path: string) {
    return this.files.has(path) ? this.entry(path) : null;
  }
  async list() {
    return [];
  }
  async delete() {}
  async move() {}
  async copy() {}
  async mkdir(path: string): Promise<WorkspaceEntry> {
    return { path, size: 0, isDirectory: true, modified: 0, contentType: null };
  }
}

const frame = {
  type: "dataframe",
  uri: "",
  asset_id: null,
  columns: [
    { name: "city", data_type: "object", description: "" },
    { name: "population", data_type: "int", description: "" },
  ],
  data: [
    ["Lisbon", 545000],
    ["Oslo", 709000],
  ],
};

type Spec = { id: string; type: string; data?: Record<string, unknown> };

/** Runs a chain of nodes, each feeding `workbook` of the next; returns what reached the output, if any. */
async function chain(specs: Spec[], ws = new MemoryWorkspace(), outputHandle?: string) {
  const nodes: Spec[] = [...specs];
  const edges = specs.slice(1).map((s, i) => [specs[i].id, "output", s.id, "workbook"] as [string, string, string, string]);
  if (outputHandle) {
    nodes.push({ id: "out", type: "nodetool.output.Output", data: { name: "out" } });
    edges.push([specs[specs.length - 1].id, outputHandle, "out", "value"]);
  }
  const r = await runWorkflow(graph(nodes, edges), {}, { registry, services: { now: () => Date.UTC(2026, 0, 2, 3, 4, 5), workspace: ws } });
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return r.result.out;
}

describe("lib.excel", () => {
  it("writes a dataframe, formats and fits it, and saves a real .xlsx", async () => {
    const ws = new MemoryWorkspace();
    await chain(
      [
        { id: "c", type: "lib.excel.CreateWorkbook", data: { sheet_name: "Cities" } },
        { id: "d", type: "lib.excel.DataFrameToExcel", data: { dataframe: frame, sheet_name: "Cities" } },
        { id: "d2", type: "lib.excel.DataFrameToExcel", data: { dataframe: frame, sheet_name: "Offset", start_cell: "B3", include_header: false } },
        { id: "f", type: "lib.excel.FormatCells", data: { sheet_name: "Cities", cell_range: "A1:B1", bold: true, background_color: "FFFF00", text_color: "FF0000" } },
        { id: "a", type: "lib.excel.AutoFitColumns", data: { sheet_name: "Cities" } },
        { id: "s", type: "lib.excel.SaveWorkbook", data: { folder: { type: "file_path", path: "~/sheets" }, filename: "cities_%Y%m%d.xlsx" } },
      ],
      ws,
    );
    const saved = ws.files.get("sheets/cities_20260102.xlsx")!;
    expect(saved).toBeDefined();
    const buffer = saved.buffer.slice(saved.byteOffset, saved.byteOffset + saved.byteLength) as ArrayBuffer;
    const sheets = await readXlsxFile(buffer);
    expect(sheets.map((s) => s.sheet)).toEqual(["Cities", "Offset"]);
    expect(sheets[0].data).toEqual([
      ["city", "population"],
      ["Lisbon", 545000],
      ["Oslo", 709000],
    ]);
    const zip = unzipSync(saved);
    const sheetXml = Object.keys(zip).filter((k) => /^xl\/worksheets\/sheet\d+\.xml$/.test(k)).sort().map((k) => strFromU8(zip[k]));
    expect(sheetXml[1]).toContain('r="B3"');
    expect(sheetXml[1]).toContain('r="C4"');
    expect(sheetXml[1]).not.toContain('r="A1"');
    // "population" is 10 characters: width 12; "Lisbon" 6: width 8.
    expect(sheetXml[0]).toMatch(/<col min="1" max="1" width="8"/);
    expect(sheetXml[0]).toMatch(/<col min="2" max="2" width="12"/);
    const styles = strFromU8(zip["xl/styles.xml"]);
    expect(styles).toMatch(/FFFF00/i);
    expect(styles).toMatch(/FF0000/i);
    expect(styles).toContain("<b/>");
  });

  it("reads a sheet into a dataframe, with and without a header row", async () => {
    const df = (await chain(
      [
        { id: "c", type: "lib.excel.CreateWorkbook" },
        { id: "d", type: "lib.excel.DataFrameToExcel", data: { dataframe: frame } },
        { id: "r", type: "lib.excel.ExcelToDataFrame", data: {} },
      ],
      undefined,
      "output",
    )) as { columns: { name: string; data_type: string }[]; data: unknown[][] };
    expect(df.columns.map((c) => [c.name, c.data_type])).toEqual([
      ["city", "object"],
      ["population", "int"],
    ]);
    expect(df.data).toEqual(frame.data);

    const raw = (await chain(
      [
        { id: "c", type: "lib.excel.CreateWorkbook" },
        { id: "d", type: "lib.excel.DataFrameToExcel", data: { dataframe: frame } },
        { id: "r", type: "lib.excel.ExcelToDataFrame", data: { has_header: false } },
      ],
      undefined,
      "output",
    )) as { columns: { name: string }[]; data: unknown[][] };
    expect(raw.columns.map((c) => c.name)).toEqual(["0", "1"]);
    expect(raw.data[0]).toEqual(["city", "population"]);
  });

  it("reads an uploaded .xlsx file given as the workbook", async () => {
    const blob = await writeXlsxFile([{ sheet: "Data", data: [["k", "v"], ["a", 1], ["b", 2.5]] }]).toBlob();
    const uri = toDataUri(new Uint8Array(await blob.arrayBuffer()), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const df = (await chain([{ id: "r", type: "lib.excel.ExcelToDataFrame", data: { workbook: { type: "excel", uri }, sheet_name: "Data" } }], undefined, "output")) as {
      columns: { name: string; data_type: string }[];
      data: unknown[][];
    };
    expect(df.columns.map((c) => [c.name, c.data_type])).toEqual([
      ["k", "object"],
      ["v", "float"],
    ]);
    expect(df.data).toEqual([
      ["a", 1],
      ["b", 2.5],
    ]);
  });

  it("fails clearly on a missing sheet, a bad range or a bad colour", async () => {
    await expect(chain([{ id: "c", type: "lib.excel.CreateWorkbook" }, { id: "r", type: "lib.excel.ExcelToDataFrame", data: { sheet_name: "Nope" } }])).rejects.toThrow(
      /Worksheet Nope does not exist/,
    );
    await expect(chain([{ id: "c", type: "lib.excel.CreateWorkbook" }, { id: "f", type: "lib.excel.FormatCells", data: { cell_range: "A1:ZZ" } }])).rejects.toThrow(/not a cell reference/);
    await expect(chain([{ id: "c", type: "lib.excel.CreateWorkbook" }, { id: "f", type: "lib.excel.FormatCells", data: { text_color: "red" } }])).rejects.toThrow(/not a hex colour/);
  });
});
