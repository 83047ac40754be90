import { describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import type { EngineServices } from "../../engine/registry/types";
import { MemoryWorkspace } from "../../engine/workspace/memory-workspace";
import { normalizeWorkspacePath } from "../../engine/workspace/paths";
import { WorkspaceError } from "../../engine/workspace/workspace-service";
import { graph, registry } from "./helpers";

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs one node against `services` and returns its named outputs (every item for streaming outputs). */
async function node(type: string, data: Record<string, unknown>, services: Partial<EngineServices>, handles = ["output"]): Promise<Record<string, unknown>> {
  const g = graph(
    [{ id: "n", type, data }, ...handles.map((h) => ({ id: `out_${h}`, type: "nodetool.output.Output", data: { name: h } }))],
    handles.map((h) => ["n", h, `out_${h}`, "value"] as [string, string, string, string]),
  );
  const r = await runWorkflow(g, {}, { registry, emit: () => {}, services });
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return r.result as Record<string, unknown>;
}

async function fails(type: string, data: Record<string, unknown>, services: Partial<EngineServices>): Promise<string> {
  const g = graph([{ id: "n", type, data }, { id: "o", type: "nodetool.output.Output", data: { name: "o" } }], [["n", "output", "o", "value"]]);
  const r = await runWorkflow(g, {}, { registry, emit: () => {}, services });
  expect(r.status).toBe("failed");
  return r.error ?? "";
}

describe("workspace paths", () => {
  it("normalises harmless spellings and refuses unsafe ones", () => {
    expect(normalizeWorkspacePath("./a//b/./c/")).toBe("a/b/c");
    expect(normalizeWorkspacePath(".")).toBe("");
    for (const bad of ["", "/etc/passwd", "../x", "a/../../x", "a\\b", "a\u0000b", "a%2e%2e/b"]) {
      expect(() => normalizeWorkspacePath(bad), bad).toThrow(WorkspaceError);
    }
    expect(() => normalizeWorkspacePath("x/".repeat(40) + "y")).toThrow(/deeper/);
  });
});

describe("MemoryWorkspace", () => {
  it("keeps POSIX tree semantics: implicit folders, files in the way, recursive listing", async () => {
    const ws = new MemoryWorkspace({ now: () => 1000 });
    await ws.write("a/b/c.txt", text("hi"));
    expect(await ws.stat("a")).toMatchObject({ path: "a", isDirectory: true });
    expect(await ws.stat("a/b/c.txt")).toMatchObject({ size: 2, isDirectory: false, contentType: "text/plain", created: 1000 });
    await expect(ws.write("a/b", text("x"))).rejects.toThrow(/is a folder/);
    await expect(ws.write("a/b/c.txt/d", text("x"))).rejects.toThrow(/is a file, not a folder/);
    await ws.mkdir("empty");
    expect((await ws.list("")).map((e) => [e.path, e.isDirectory])).toEqual([["a", true], ["empty", true]]);
    expect((await ws.list(".", { recursive: true })).map((e) => e.path)).toEqual(["a", "a/b", "a/b/c.txt", "empty"]);
    await expect(ws.delete("a")).rejects.toThrow(/not empty/);
    await ws.move("a", "z");
    expect(str(await ws.read("z/b/c.txt"))).toBe("hi");
    expect(await ws.stat("a")).toBeNull();
    await ws.copy("z", "y");
    await ws.delete("z", { recursive: true });
    expect((await ws.list("", { recursive: true })).map((e) => e.path)).toEqual(["empty", "y", "y/b", "y/b/c.txt"]);
  });

  it("caps file size, total size and entry counts", async () => {
    const ws = new MemoryWorkspace({ maxFileBytes: 10, maxTotalBytes: 15, maxEntries: 3 });
    await expect(ws.write("big", new Uint8Array(11))).rejects.toMatchObject({ reason: "too_large" });
    await ws.write("a", new Uint8Array(10));
    await expect(ws.write("b", new Uint8Array(10))).rejects.toThrow(/more than 15 bytes/);
    await ws.write("d/1", new Uint8Array(1));
    await ws.write("d/2", new Uint8Array(1));
    await ws.write("d/3", new Uint8Array(1));
    expect(await ws.list("d")).toHaveLength(3);
    await ws.write("d/4", new Uint8Array(1));
    await expect(ws.list("d")).rejects.toThrow(/more than 3 entries/);
  });
});

describe("nodetool.workspace nodes", () => {
  it("writes, appends, reads, sizes and describes text files", async () => {
    const workspace = new MemoryWorkspace({ now: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
    const s = { workspace };
    expect(await node("nodetool.workspace.WriteTextFile", { path: "notes/today.txt", content: "héllo" }, s)).toEqual({ output: "notes/today.txt" });
    await node("nodetool.workspace.WriteTextFile", { path: "notes/today.txt", content: " world", append: true }, s);
    expect(await node("nodetool.workspace.ReadTextFile", { path: "notes/today.txt" }, s)).toEqual({ output: "héllo world" });
    expect(await node("nodetool.workspace.GetWorkspaceFileSize", { path: "notes/today.txt" }, s)).toEqual({ output: 12 });
    const info = (await node("nodetool.workspace.GetWorkspaceFileInfo", { path: "notes/today.txt" }, s)).output;
    expect(info).toEqual({
      path: "notes/today.txt",
      name: "today.txt",
      size: 12,
      is_file: true,
      is_directory: false,
      created: "2025-01-02T03:04:05.000Z",
      modified: "2025-01-02T03:04:05.000Z",
      accessed: "2025-01-02T03:04:05.000Z",
    });
    expect(await node("nodetool.workspace.IsWorkspaceDirectory", { path: "notes" }, s)).toEqual({ output: true });
    expect(await node("nodetool.workspace.IsWorkspaceFile", { path: "notes" }, s)).toEqual({ output: false });
    expect(await node("nodetool.workspace.WorkspaceFileExists", { path: "nope.txt" }, s)).toEqual({ output: false });
    expect(await fails("nodetool.workspace.GetWorkspaceFileSize", { path: "notes" }, s)).toMatch(/Path is not a file: notes/);
  });

  it("encodes text with the chosen encoding and refuses what it cannot represent", async () => {
    const workspace = new MemoryWorkspace();
    await node("nodetool.workspace.WriteTextFile", { path: "l1.txt", content: "é", encoding: "latin-1" }, { workspace });
    expect([...(await workspace.read("l1.txt"))]).toEqual([0xe9]);
    expect(await fails("nodetool.workspace.WriteTextFile", { path: "a.txt", content: "é", encoding: "ascii" }, { workspace })).toMatch(/ascii.*can't encode/);
    expect(await fails("nodetool.workspace.ReadTextFile", { path: "l1.txt", encoding: "klingon" }, { workspace })).toMatch(/unsupported encoding/);
  });

  it("round-trips binary files as base64", async () => {
    const workspace = new MemoryWorkspace();
    await node("nodetool.workspace.WriteBinaryFile", { path: "b.bin", content: "AAEC/w==" }, { workspace });
    expect([...(await workspace.read("b.bin"))]).toEqual([0, 1, 2, 255]);
    expect(await node("nodetool.workspace.ReadBinaryFile", { path: "b.bin" }, { workspace })).toEqual({ output: "AAEC/w==" });
  });

  it("lists with a wildcard, recursively or not, streaming one path per item", async () => {
    const workspace = new MemoryWorkspace();
    for (const p of ["a.txt", "b.md", "docs/c.txt", "docs/deep/d.txt"]) await workspace.write(p, text(p));
    const g = graph(
      [
        { id: "l", type: "nodetool.workspace.ListWorkspaceFiles", data: { path: ".", pattern: "*.txt", recursive: true } },
        { id: "c", type: "nodetool.control.Collect", data: {} },
        { id: "o", type: "nodetool.output.Output", data: { name: "files" } },
      ],
      [
        ["l", "file", "c", "input_item"],
        ["c", "output", "o", "value"],
      ],
    );
    const r = await runWorkflow(g, {}, { registry, emit: () => {}, services: { workspace } });
    expect(r.status, r.error ?? "").toBe("completed");
    expect(r.result.files).toEqual(["a.txt", "docs/c.txt", "docs/deep/d.txt"]);
    const flat = await node("nodetool.workspace.ListWorkspaceFiles", { path: "docs", pattern: "*" }, { workspace }, ["file"]);
    expect(flat.file).toEqual(["docs/c.txt", "docs/deep"]);
  });

  it("copies, moves, creates folders and deletes (folders only recursively)", async () => {
    const workspace = new MemoryWorkspace();
    const s = { workspace };
    await workspace.write("src/x.txt", text("x"));
    expect(await node("nodetool.workspace.CopyWorkspaceFile", { source: "src/x.txt", destination: "copy/x.txt" }, s)).toEqual({ output: "copy/x.txt" });
    expect(await node("nodetool.workspace.MoveWorkspaceFile", { source: "copy/x.txt", destination: "moved.txt" }, s)).toEqual({ output: "moved.txt" });
    expect(str(await workspace.read("moved.txt"))).toBe("x");
    expect(await workspace.stat("copy/x.txt")).toBeNull();
    expect(await node("nodetool.workspace.CreateWorkspaceDirectory", { path: "made/here" }, s)).toEqual({ output: "made/here" });
    expect(await workspace.stat("made/here")).toMatchObject({ isDirectory: true });
    expect(await fails("nodetool.workspace.DeleteWorkspaceFile", { path: "src" }, s)).toMatch(/Path is a directory. Set recursive=true to delete./);
    expect(await node("nodetool.workspace.DeleteWorkspaceFile", { path: "src", recursive: true }, s)).toEqual({ output: null });
    expect(await workspace.stat("src")).toBeNull();
    expect(await fails("nodetool.workspace.DeleteWorkspaceFile", { path: "gone.txt" }, s)).toMatch(/not found/);
  });

  it("joins paths POSIX-style and refuses ones that leave the workspace", async () => {
    expect(await node("nodetool.workspace.JoinWorkspacePaths", { paths: ["a", "b/../c", "d.txt"] }, {})).toEqual({ output: "a/c/d.txt" });
    expect(await fails("nodetool.workspace.JoinWorkspacePaths", { paths: ["..", "x"] }, {})).toMatch(/parent directory traversal/);
    expect(await fails("nodetool.workspace.JoinWorkspacePaths", { paths: ["/etc", "x"] }, {})).toMatch(/absolute paths are not allowed/);
    expect(await node("nodetool.workspace.GetWorkspaceDir", {}, {})).toEqual({ output: "/workspace" });
  });

  it("refuses path traversal in every file node with a clear error", async () => {
    const workspace = new MemoryWorkspace();
    for (const [type, data] of [
      ["nodetool.workspace.ReadTextFile", { path: "../../etc/passwd" }],
      ["nodetool.workspace.WriteTextFile", { path: "/etc/passwd", content: "x" }],
      ["nodetool.workspace.ReadBinaryFile", { path: "a\\..\\b" }],
      ["nodetool.workspace.CopyWorkspaceFile", { source: "a", destination: "../b" }],
    ] as const) {
      expect(await fails(type, data, { workspace }), type).toMatch(/traversal|absolute paths are not allowed|backslash/);
    }
    expect(await fails("nodetool.workspace.ReadTextFile", { path: "x.txt" }, {})).toMatch(/no workspace storage/);
  });

  it("saves images under a free name unless told to overwrite", async () => {
    const workspace = new MemoryWorkspace();
    const blobs = new MemoryBlobStore();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const uri = blobs.add(png, "image/png");
    const s = { workspace, blobs, now: () => Date.UTC(2024, 4, 6) };
    for (let i = 0; i < 2; i++) {
      const saved = await node("nodetool.workspace.SaveImageFile", { image: { type: "image", uri }, folder: "pics", filename: "shot_%Y.png" }, s);
      expect(saved.output).toMatchObject({ type: "image", uri });
    }
    expect((await workspace.list("pics")).map((e) => e.path)).toEqual(["pics/shot_2024.png", "pics/shot_2024_1.png"]);
    await node("nodetool.workspace.SaveImageFile", { image: { type: "image", uri }, folder: "pics", filename: "shot_%Y.png", overwrite: true }, s);
    expect(await workspace.list("pics")).toHaveLength(2);
    expect([...(await workspace.read("pics/shot_2024.png"))]).toEqual([...png]);
    await node("nodetool.workspace.SaveVideoFile", { video: { type: "video", uri: "data:video/mp4;base64,AAAA" } }, s);
    expect(await workspace.stat("video.mp4")).toMatchObject({ size: 3 });
  });
});
