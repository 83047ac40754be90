import { strFromU8, unzipSync } from "fflate";
import mammoth from "mammoth";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { toDataUri } from "../../engine/media/data-uri";
import type { WorkspaceEntry, WorkspaceService } from "../../engine/workspace/workspace-service";
import { graph, registry } from "./helpers";

class MemoryWorkspace implements WorkspaceService {
  files = new Map<string, Uint8Array>();
  private entry = (path: string): WorkspaceEntry => ({ path, size: this.files.get(path)!.length, isDirectory: false, modified: 0, contentType: null });
  async read(path: string) {
    const f = this.files.get(path);
    if (!f) throw new Error(`no file ${path}`);
    return f;
  }
  async write(path: string, bytes: Uint8Array) {
    this.files.set(path, new Uint8Array(bytes));
    return this.entry(path);
  }
  async stat(path: string) {
    return this.files.has(path) ? this.entry(path) : null;
  }
  async list() {
    return [...this.files.keys()].map(this.entry);
  }
  async delete() {}
  async move() {}
  async copy() {}
  async mkdir(path: string): Promise<WorkspaceEntry> {
    return { path, size: 0, isDirectory: true, modified: 0, contentType: null };
  }
}

function pngBytes(width: number, height: number): Uint8Array {
  const png = new PNG({ width, height });
  png.data.fill(200);
  return new Uint8Array(PNG.sync.write(png));
}

const frame = {
  type: "dataframe",
  uri: "",
  asset_id: null,
  columns: [
    { name: "name", data_type: "object", description: "" },
    { name: "n", data_type: "int", description: "" },
  ],
  data: [
    ["tea", 2],
    ["milk", null],
  ],
};

type Spec = { id: string; type: string; data?: Record<string, unknown> };

/** Runs a chain of nodes, each feeding `document` of the next. */
async function chain(specs: Spec[], ws: MemoryWorkspace) {
  const edges = specs.slice(1).map((s, i) => [specs[i].id, "output", s.id, "document"] as [string, string, string, string]);
  const r = await runWorkflow(graph(specs, edges), {}, { registry, services: { now: () => Date.UTC(2026, 4, 6, 7, 8, 9), workspace: ws } });
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
}

describe("lib.docx", () => {
  it("builds a document step by step and saves a real .docx in the workspace", async () => {
    const ws = new MemoryWorkspace();
    await chain(
      [
        { id: "c", type: "lib.docx.CreateDocument" },
        { id: "h", type: "lib.docx.AddHeading", data: { text: "Quarterly Report", level: 1 } },
        { id: "p", type: "lib.docx.AddParagraph", data: { text: "Centered and bold.", alignment: "CENTER", bold: true, font_size: 14 } },
        { id: "t", type: "lib.docx.AddTable", data: { data: frame } },
        { id: "i", type: "lib.docx.AddImage", data: { image: { type: "image", uri: toDataUri(pngBytes(144, 72), "image/png") }, width: 1 } },
        { id: "b", type: "lib.docx.AddPageBreak" },
        { id: "h2", type: "lib.docx.AddHeading", data: { text: "Appendix", level: 2 } },
        { id: "m", type: "lib.docx.SetDocumentProperties", data: { title: "Q2", author: "Ada", keywords: "report" } },
        { id: "s", type: "lib.docx.SaveDocument", data: { path: { type: "file_path", path: "~/reports" }, filename: "report-%Y-%m-%d.docx" } },
      ],
      ws,
    );
    const saved = ws.files.get("reports/report-2026-05-06.docx");
    expect(saved).toBeDefined();
    const html = (await mammoth.convertToHtml({ buffer: Buffer.from(saved!) })).value;
    expect(html).toContain("<h1>Quarterly Report</h1>");
    expect(html).toContain("<strong>Centered and bold.</strong>");
    expect(html).toContain("<td><p>tea</p></td><td><p>2</p></td>");
    expect(html).toContain("<td><p>milk</p></td><td><p>None</p></td>");
    expect(html).toContain("<h2>Appendix</h2>");
    const zip = unzipSync(saved!);
    const body = strFromU8(zip["word/document.xml"]);
    expect(body).toMatch(/<w:jc w:val="center"\/>/);
    expect(body).toMatch(/<w:sz w:val="28"\/>/);
    expect(body).toMatch(/<w:br w:type="page"\/>/);
    // 1 inch wide (914400 EMU), the height following the 2:1 aspect ratio.
    expect(body).toMatch(/<wp:extent cx="914400" cy="457200"\/>/);
    expect(Object.keys(zip).some((k) => k.startsWith("word/media/"))).toBe(true);
    const core = strFromU8(zip["docProps/core.xml"]);
    expect(core).toContain("<dc:title>Q2</dc:title>");
    expect(core).toContain("<dc:creator>Ada</dc:creator>");
    expect(core).toContain("<cp:keywords>report</cp:keywords>");
  });

  it("loads a Word file, saves it unchanged when unedited and appends when edited", async () => {
    const ws = new MemoryWorkspace();
    await chain(
      [
        { id: "c", type: "lib.docx.CreateDocument" },
        { id: "h", type: "lib.docx.AddHeading", data: { text: "Minutes", level: 1 } },
        { id: "p", type: "lib.docx.AddParagraph", data: { text: "First item.", italic: true } },
        { id: "m", type: "lib.docx.SetDocumentProperties", data: { title: "Meeting" } },
        { id: "s", type: "lib.docx.SaveDocument", data: { path: { type: "file_path", path: "docs" }, filename: "a.docx" } },
      ],
      ws,
    );
    const original = ws.files.get("docs/a.docx")!;
    await chain(
      [
        { id: "l", type: "lib.docx.LoadWordDocument", data: { path: "docs/a.docx" } },
        { id: "s", type: "lib.docx.SaveDocument", data: { path: { type: "file_path", path: "docs" }, filename: "copy.docx" } },
      ],
      ws,
    );
    expect(ws.files.get("docs/copy.docx")).toEqual(original);
    await chain(
      [
        { id: "l", type: "lib.docx.LoadWordDocument", data: { path: "/docs/a.docx" } },
        { id: "p", type: "lib.docx.AddParagraph", data: { text: "Second item." } },
        { id: "s", type: "lib.docx.SaveDocument", data: { path: { type: "file_path", path: "docs" }, filename: "b.docx" } },
      ],
      ws,
    );
    const edited = ws.files.get("docs/b.docx")!;
    const html = (await mammoth.convertToHtml({ buffer: Buffer.from(edited) })).value;
    expect(html).toBe("<h1>Minutes</h1><p><em>First item.</em></p><p>Second item.</p>");
    expect(strFromU8(unzipSync(edited)["docProps/core.xml"])).toContain("<dc:title>Meeting</dc:title>");
  });

  it("fails clearly without a document, with a bad heading level or a missing file", async () => {
    const ws = new MemoryWorkspace();
    await expect(chain([{ id: "p", type: "lib.docx.AddParagraph", data: { text: "x" } }], ws)).rejects.toThrow(/document/);
    const notDocx = { type: "document", uri: toDataUri(new TextEncoder().encode("plain"), "text/plain") };
    await expect(chain([{ id: "p", type: "lib.docx.AddParagraph", data: { document: notDocx, text: "x" } }], ws)).rejects.toThrow(/not a Word document built by lib.docx/);
    await expect(chain([{ id: "c", type: "lib.docx.CreateDocument" }, { id: "h", type: "lib.docx.AddHeading", data: { text: "x", level: 12 } }], ws)).rejects.toThrow(/between 1 and 9/);
    await expect(chain([{ id: "l", type: "lib.docx.LoadWordDocument", data: { path: "nope.docx" } }], ws)).rejects.toThrow(/no file 'nope.docx'/);
    await expect(
      chain([{ id: "c", type: "lib.docx.CreateDocument" }, { id: "i", type: "lib.docx.AddImage", data: { image: { type: "image", uri: toDataUri(new Uint8Array([1, 2, 3]), "image/png") } } }], ws),
    ).rejects.toThrow(/PNG, JPEG, GIF or BMP/);
  });
});
