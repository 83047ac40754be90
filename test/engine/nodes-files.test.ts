import { describe, expect, it } from "vitest";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import { dictionaryFileNodes } from "../../engine/nodes/dictionary-files";
import { listNodes } from "../../engine/nodes/list";
import { textFileNodes } from "../../engine/nodes/text-files";
import { MemoryWorkspace } from "../../engine/workspace/memory-workspace";
import { readCsvDicts, writeCsvDicts } from "../../engine/csv/dict-csv";
import { runPackNode } from "./data-pack-harness";

const NOW = Date.UTC(2024, 4, 6, 7, 8, 9);
const EXTRA = [...textFileNodes, ...dictionaryFileNodes, ...listNodes];
const utf8 = new TextEncoder();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function services() {
  return { now: () => NOW, blobs: new MemoryBlobStore(), workspace: new MemoryWorkspace({ now: () => NOW }) };
}

const run = (type: string, data: Record<string, unknown>, s: ReturnType<typeof services>, handles = ["output"]) => runPackNode(type, data, handles, s, EXTRA);

describe("CSV as lists of dictionaries", () => {
  it("reads like csv.DictReader and writes like csv.DictWriter", () => {
    expect(readCsvDicts('\ufeffa,b\n1,"x, ""y"""\n\n2\n3,4,5\n')).toEqual([{ a: "1", b: 'x, "y"' }, { a: "2", b: null }, { a: "3", b: "4", null: ["5"] }]);
    expect(writeCsvDicts([{ a: 1, b: "x,y" }, { a: true, b: null }])).toBe('a,b\r\n1,"x,y"\r\nTrue,\r\n');
    expect(() => writeCsvDicts([{ a: 1 }, { a: 2, z: 3 }])).toThrow(/fields not in fieldnames: 'z'/);
  });
});

describe("text, list and dictionary file nodes", () => {
  it("SaveText stores a text asset named by a strftime template", async () => {
    const s = services();
    s.blobs.folders.add("f1");
    const { output } = await run("nodetool.text.SaveText", { text: "héllo", folder: { type: "folder", asset_id: "f1" }, name: "note-%Y%m%d-%H%M%S.txt" }, s);
    const ref = output as { type: string; uri: string; asset_id: string };
    expect(ref.type).toBe("text");
    const stored = s.blobs.objects.get(ref.uri)!;
    expect(text(stored.bytes)).toBe("héllo");
    expect(stored.name).toBe("note-20240506-070809.txt");
    expect(stored.parentId).toBe("f1");
  });

  it("SaveTextFile writes into an existing workspace folder", async () => {
    const s = services();
    await s.workspace.write("notes/keep.txt", utf8.encode("x"));
    const { output } = await run("nodetool.text.SaveTextFile", { text: "body", folder: "notes", name: "%Y-%m-%d.txt" }, s);
    expect(text(await s.workspace.read("notes/2024-05-06.txt"))).toBe("body");
    expect(output).toMatchObject({ type: "text" });
    await run("nodetool.text.SaveTextFile", { text: "abs", folder: "/workspace/notes", name: "b.txt" }, s);
    expect(text(await s.workspace.read("notes/b.txt"))).toBe("abs");
    await expect(run("nodetool.text.SaveTextFile", { text: "x", folder: "missing", name: "a.txt" }, s)).rejects.toThrow(/Folder does not exist: missing/);
    await expect(run("nodetool.text.SaveTextFile", { text: "x", folder: "", name: "a.txt" }, s)).rejects.toThrow(/folder cannot be empty/);
    await expect(run("nodetool.text.SaveTextFile", { text: "x", folder: "/etc", name: "a.txt" }, s)).rejects.toThrow(/outside the workspace/);
  });

  it("LoadTextFolder streams matching files with their paths", async () => {
    const s = services();
    await s.workspace.write("docs/a.txt", utf8.encode("A"));
    await s.workspace.write("docs/b.md", utf8.encode("B"));
    await s.workspace.write("docs/c.png", new Uint8Array([1]));
    await s.workspace.write("docs/sub/d.txt", utf8.encode("D"));
    const collect = async (data: Record<string, unknown>) => {
      const { runWorkflow } = await import("../../engine/executor/run-workflow");
      const { NodeRegistry } = await import("../../engine/registry/registry");
      const { outputNodes } = await import("../../engine/nodes/output");
      const { GraphSchema } = await import("../../schema/workflow");
      const g = GraphSchema.parse({
        nodes: [
          { id: "n", type: "nodetool.text.LoadTextFolder", data },
          { id: "t", type: "nodetool.output.Output", data: { name: "text" } },
          { id: "p", type: "nodetool.output.Output", data: { name: "path" } },
        ],
        edges: [
          { id: "e1", source: "n", sourceHandle: "text", target: "t", targetHandle: "value" },
          { id: "e2", source: "n", sourceHandle: "path", target: "p", targetHandle: "value" },
        ],
      });
      const r = await runWorkflow(g, {}, { registry: new NodeRegistry([...textFileNodes, ...outputNodes]), emit: () => {}, services: s });
      if (r.status !== "completed") throw new Error(r.error ?? r.status);
      return { text: r.outputs.text, path: r.outputs.path };
    };
    const flat = await collect({ folder: "docs" });
    expect([...(flat.path as string[])].sort()).toEqual(["docs/a.txt", "docs/b.md"]);
    const deep = await collect({ folder: "docs", include_subdirectories: true, pattern: "*.txt" });
    expect([...(deep.text as string[])].sort()).toEqual(["A", "D"]);
  });

  it("SaveList saves one str() per line", async () => {
    const s = services();
    const { output } = await run("nodetool.list.SaveList", { values: ["a", 1, true, null, { k: [1] }] }, s);
    const stored = s.blobs.objects.get((output as { uri: string }).uri)!;
    expect(text(stored.bytes)).toBe("a\n1\nTrue\nNone\n{'k': [1]}");
    expect(stored.name).toBe("text.txt");
  });

  it("SaveCSVFile and LoadCSVFile round-trip through the workspace", async () => {
    const s = services();
    await s.workspace.write("out/.keep", utf8.encode(""));
    await run("nodetool.dictionary.SaveCSVFile", { data: [{ name: "Ada", n: 1 }, { name: "Bob, Jr.", n: 2 }], folder: "out", filename: "t-%d.csv" }, s, []);
    expect(text(await s.workspace.read("out/t-06.csv"))).toBe('name,n\r\nAda,1\r\n"Bob, Jr.",2\r\n');
    const { output } = await run("nodetool.dictionary.LoadCSVFile", { path: "~/out/t-06.csv" }, s);
    expect(output).toEqual([{ name: "Ada", n: "1" }, { name: "Bob, Jr.", n: "2" }]);
    await expect(run("nodetool.dictionary.SaveCSVFile", { data: [], folder: "out", filename: "x.csv" }, s, [])).rejects.toThrow(/'data' field cannot be empty/);
    await expect(run("nodetool.dictionary.LoadCSVFile", { path: "nope.csv" }, s)).rejects.toThrow(/LoadCSVFile/);
  });

  it("nodetool.constant.Constant runs and gives nothing", async () => {
    expect(await run("nodetool.constant.Constant", {}, services(), [])).toEqual({});
  });
});
