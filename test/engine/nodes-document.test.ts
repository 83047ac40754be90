import { Document as DocxDocument, HeadingLevel, Packer, Paragraph, TextRun } from "docx";
import { PDFDocument, StandardFonts } from "pdf-lib";
import writeXlsxFile from "write-excel-file/universal";
import { describe, expect, it } from "vitest";
import { RecursiveSplitter } from "../../engine/documents/text-split";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { toDataUri } from "../../engine/media/data-uri";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import type { WorkspaceEntry, WorkspaceService } from "../../engine/workspace/workspace-service";
import { graph, registry } from "./helpers";

/** A workspace in memory: files only, folders implied by paths. */
class MemoryWorkspace implements WorkspaceService {
  files = new Map<string, { bytes: Uint8Array; contentType: string | null }>();
  private entry(path: string): WorkspaceEntry {
    const f = this.files.get(path)!;
    return { path, size: f.bytes.length, isDirectory: false, modified: 0, contentType: f.contentType };
  }
  async read(path: string) {
    const f = this.files.get(path);
    if (!f) throw new Error(`no file ${path}`);
    return f.bytes;
  }
  async write(path: string, bytes: Uint8Array, contentType?: string) {
    this.files.set(path, { bytes: new Uint8Array(bytes), contentType: contentType ?? null });
    return this.entry(path);
  }
  async stat(path: string) {
    return this.files.has(path) ? this.entry(path) : null;
  }
  async list(folder: string, options?: { recursive?: boolean }) {
    const prefix = folder ? `${folder}/` : "";
    const out: WorkspaceEntry[] = [];
    for (const path of this.files.keys()) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      if (options?.recursive || !rest.includes("/")) out.push(this.entry(path));
    }
    return out;
  }
  async delete() {}
  async move() {}
  async copy() {}
  async mkdir(path: string): Promise<WorkspaceEntry> {
    return { path, size: 0, isDirectory: true, modified: 0, contentType: null };
  }
}

const text = (s: string) => ({ type: "document", uri: toDataUri(new TextEncoder().encode(s), "text/plain"), asset_id: null, data: null });

/** Runs one streaming node and collects every item of the named outputs. */
async function collect(type: string, data: Record<string, unknown>, services: Record<string, unknown> = {}, handles = ["text", "source_id", "start_index"]) {
  const nodes = [{ id: "n", type, data }, ...handles.map((h) => ({ id: `o_${h}`, type: "nodetool.output.Output", data: { name: h } }))];
  const g = graph(nodes, handles.map((h) => ["n", h, `o_${h}`, "value"] as [string, string, string, string]));
  const items: Record<string, unknown[]> = Object.fromEntries(handles.map((h) => [h, []]));
  const r = await runWorkflow(g, {}, {
    registry,
    services: { now: () => Date.UTC(2026, 0, 2, 3, 4, 5), ...services },
    emit: (m) => {
      const msg = m as { type: string; output_name?: string; node_id?: string; value?: unknown };
      if (msg.type === "output_update" && msg.node_id?.startsWith("o_")) items[msg.node_id.slice(2)].push(msg.value);
    },
  });
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return items;
}

describe("nodetool.document splitters", () => {
  it("SplitRecursively splits at the first separator present and reports start offsets", async () => {
    const doc = "aaaa bbbb\n\ncccc dddd\n\neeee";
    const r = await collect("nodetool.document.SplitRecursively", { document: text(doc), chunk_size: 12, chunk_overlap: 0 });
    expect(r.text).toEqual(["aaaa bbbb", "cccc dddd", "eeee"]);
    expect(r.start_index).toEqual([0, 11, 22]);
    expect((r.source_id as string[])[2].endsWith(":2")).toBe(true);
  });

  it("SplitRecursively keeps chunks within chunk_size, overlapping by up to chunk_overlap", () => {
    const words = Array.from({ length: 300 }, (_, i) => `w${(i * 7919) % 1000}`).join(" ");
    const body = words.replace(/(w\d+ w\d+ w\d+ w\d+ w\d+) /g, "$1. ").replace(/(\. [^.]*\. [^.]*\.) /g, "$1\n\n");
    const splitter = new RecursiveSplitter({ chunkSize: 60, chunkOverlap: 20, separators: ["\n\n", "\n", ".", " "] });
    const chunks = splitter.splitWithOffsets(body);
    expect(chunks.length).toBeGreaterThan(10);
    const byWord = new RecursiveSplitter({ chunkSize: 30, chunkOverlap: 12, separators: [" "] }).splitWithOffsets(words);
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(60);
      expect(body.slice(c.startIndex, c.startIndex + c.text.length)).toBe(c.text);
    }
    const covered = new Set<number>();
    for (const c of chunks) for (let i = c.startIndex; i < c.startIndex + c.text.length; i++) covered.add(i);
    for (let i = 0; i < body.length; i++) if (body[i].trim() !== "") expect(covered.has(i)).toBe(true);
    expect(byWord.every((c) => c.text.length <= 30 && words.slice(c.startIndex, c.startIndex + c.text.length) === c.text)).toBe(true);
    const overlaps = byWord.slice(1).map((c, i) => byWord[i].startIndex + byWord[i].text.length - c.startIndex);
    expect(overlaps.every((o) => o > 0 && o <= 12)).toBe(true);
    expect(() => new RecursiveSplitter({ chunkSize: 10, chunkOverlap: 20 })).toThrow(/larger than chunk_size/);
  });

  it("SplitMarkdown splits by headers and merges sections under the same headers", async () => {
    const md = "# Title\nintro line\n## Sub\nbody a\n\nbody b\n# Next\nend";
    const r = await collect("nodetool.document.SplitMarkdown", { document: { type: "document", uri: "memo.md", data: md } });
    expect(r.text).toEqual(["intro line", "body a  \nbody b", "end"]);
    expect(r.start_index).toEqual([0, 0, 0]);
    expect(r.source_id).toEqual(["memo.md", "memo.md", "memo.md"]);
    const small = await collect("nodetool.document.SplitMarkdown", { document: text("# A\none two three four five six"), chunk_size: 10, chunk_overlap: 0 });
    // Pieces keep their leading separator, so " three" (6) after "one two" (7) overflows 10.
    expect(small.text).toEqual(["one two", "three", "four five", "six"]);
  });

  it("SplitHTML groups runs of the same tag, skipping nested split tags", async () => {
    const html = "<h1>Title</h1><p>One <b>bold</b> end</p><p>Two</p><ul><li>a</li><li>b</li></ul><script>x()</script>";
    const r = await collect("nodetool.document.SplitHTML", { document: { type: "document", uri: "", data: html } });
    expect(r.text).toEqual(["Title", "One\nend", "bold", "Two", "a\nb"]);
    expect(r.start_index).toEqual([0, 1, 2, 3, 4]);
  });

  it("SplitJSON makes key-path lines, one chunk per top-level array item", async () => {
    const obj = await collect("nodetool.document.SplitJSON", { document: text('{"user":{"name":"Ada","tags":["x","y"]},"ok":true,"n":null}') });
    expect(obj.text).toEqual(["user name Ada\nuser tags x\nuser tags y\nok True\nn None"]);
    const arr = await collect("nodetool.document.SplitJSON", { document: text('[{"a":1},{"b":{"c":2.5}}]') });
    expect(arr.text).toEqual(["a 1", "b c 2.5"]);
    expect((await collect("nodetool.document.SplitJSON", { document: text("not json") })).text).toEqual([]);
  });
});

describe("nodetool.document files", () => {
  it("saves a document into the workspace, loads it back and lists matching files", async () => {
    const ws = new MemoryWorkspace();
    const blobs = new MemoryBlobStore();
    await ws.write("notes/a.txt", new TextEncoder().encode("alpha"), "text/plain");
    await ws.write("notes/.hidden.txt", new TextEncoder().encode("h"), "text/plain");
    await ws.write("notes/deep/c.txt", new TextEncoder().encode("gamma"), "text/plain");
    await ws.write("notes/b.md", new TextEncoder().encode("# beta"), "text/markdown");
    const g = graph(
      [
        { id: "c", type: "nodetool.constant.Document", data: { value: text("saved text") } },
        { id: "s", type: "nodetool.document.SaveDocumentFile", data: { folder: "~/out", filename: "note-%Y%m%d.txt" } },
      ],
      [["c", "output", "s", "document"]],
    );
    const r = await runWorkflow(g, {}, { registry, services: { now: () => Date.UTC(2026, 0, 2), workspace: ws, blobs } });
    expect(r.status).toBe("completed");
    expect(new TextDecoder().decode(ws.files.get("out/note-20260102.txt")!.bytes)).toBe("saved text");

    const flat = await collect("nodetool.document.ListDocuments", { folder: "notes", pattern: "*.txt" }, { workspace: ws, blobs }, ["document"]);
    expect((flat.document as Array<{ metadata: { path: string } }>).map((d) => d.metadata.path)).toEqual(["notes/a.txt"]);
    const deep = await collect("nodetool.document.ListDocuments", { folder: "/notes", pattern: "*.txt", recursive: true }, { workspace: ws, blobs }, ["document"]);
    expect((deep.document as Array<{ metadata: { path: string } }>).map((d) => d.metadata.path)).toEqual(["notes/a.txt", "notes/deep/c.txt"]);

    const split = graph(
      [
        { id: "l", type: "nodetool.document.LoadDocumentFile", data: { path: "notes/deep/c.txt" } },
        { id: "x", type: "nodetool.document.SplitRecursively", data: {} },
        { id: "o", type: "nodetool.output.Output", data: { name: "t" } },
      ],
      [
        ["l", "output", "x", "document"],
        ["x", "text", "o", "value"],
      ],
    );
    const loaded = await runWorkflow(split, {}, { registry, services: { now: () => 0, workspace: ws, blobs } });
    expect(loaded.status).toBe("completed");
    expect(loaded.result.t).toBe("gamma");
  });

  it("refuses paths that leave the workspace and runs without one", async () => {
    const ws = new MemoryWorkspace();
    const bad = await runWorkflow(graph([{ id: "l", type: "nodetool.document.LoadDocumentFile", data: { path: "../etc/passwd" } }]), {}, { registry, services: { now: () => 0, workspace: ws } });
    expect(bad.error).toMatch(/leaves the workspace/);
    const none = await runWorkflow(graph([{ id: "l", type: "nodetool.document.LoadDocumentFile", data: { path: "a.txt" } }]), {}, { registry, services: { now: () => 0 } });
    expect(none.error).toMatch(/no workspace/);
  });
});

describe("lib.markitdown.ConvertToMarkdown", () => {
  async function convert(uri: string): Promise<string> {
    const g = graph(
      [
        { id: "c", type: "lib.markitdown.ConvertToMarkdown", data: { document: { type: "document", uri } } },
        { id: "x", type: "nodetool.document.SplitRecursively", data: { chunk_size: 100000, chunk_overlap: 0 } },
        { id: "o", type: "nodetool.output.Output", data: { name: "md" } },
      ],
      [
        ["c", "output", "x", "document"],
        ["x", "text", "o", "value"],
      ],
    );
    const r = await runWorkflow(g, {}, { registry, services: { now: () => 0 } });
    if (r.status !== "completed") throw new Error(r.error ?? r.status);
    return r.result.md as string;
  }

  it("converts HTML with headings, emphasis, links, lists and tables", async () => {
    const html = `<html><head><title>t</title></head><body><h2>Intro</h2><p>Hello <strong>big</strong> <a href="https://x.test/">link</a></p><ul><li>one</li><li>two</li></ul><table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table></body></html>`;
    expect(await convert(toDataUri(new TextEncoder().encode(html), "text/html"))).toBe(
      "## Intro\n\nHello **big** [link](https://x.test/)\n\n- one\n- two\n\n| k | v |\n| --- | --- |\n| a | 1 |",
    );
  });

  it("converts Word, PDF and Excel files", async () => {
    const docx = new DocxDocument({
      sections: [{ children: [new Paragraph({ text: "Report", heading: HeadingLevel.HEADING_1 }), new Paragraph({ children: [new TextRun({ text: "Plain and " }), new TextRun({ text: "bold", bold: true })] })] }],
    });
    const docxBytes = new Uint8Array(await Packer.toArrayBuffer(docx));
    expect(await convert(toDataUri(docxBytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))).toBe("# Report\n\nPlain and **bold**");

    const pdf = await PDFDocument.create();
    const page = pdf.addPage([400, 400]);
    page.drawText("Big Title", { x: 20, y: 350, size: 30, font: await pdf.embedFont(StandardFonts.Helvetica) });
    page.drawText("small words here", { x: 20, y: 300, size: 10, font: await pdf.embedFont(StandardFonts.Helvetica) });
    expect(await convert(toDataUri(await pdf.save(), "application/pdf"))).toBe("# Big Title\n\nsmall words here");

    const xlsx = await (await writeXlsxFile([{ sheet: "Prices", data: [["item", "price"], ["tea", 2.5]] }]).toBlob()).arrayBuffer();
    expect(await convert(toDataUri(new Uint8Array(xlsx), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))).toBe(
      "## Prices\n\n| item | price |\n| --- | --- |\n| tea | 2.5 |",
    );
  });
});
