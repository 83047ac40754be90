import { describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import type { EngineServices } from "../../engine/registry/types";
import { fnmatch } from "../../engine/workspace/fnmatch";
import { MemoryWorkspace } from "../../engine/workspace/memory-workspace";
import { graph, registry, runNode } from "./helpers";

const text = (s: string) => new TextEncoder().encode(s);

async function node(type: string, data: Record<string, unknown>, services: Partial<EngineServices> = {}, handle = "output"): Promise<unknown> {
  const g = graph([{ id: "n", type, data }, { id: "o", type: "nodetool.output.Output", data: { name: "o" } }], [["n", handle, "o", "value"]]);
  const r = await runWorkflow(g, {}, { registry, emit: () => {}, services });
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return r.result.o;
}

async function fails(type: string, data: Record<string, unknown>, services: Partial<EngineServices> = {}): Promise<string> {
  const g = graph([{ id: "n", type, data }]);
  const r = await runWorkflow(g, {}, { registry, emit: () => {}, services });
  expect(r.status).toBe("failed");
  return r.error ?? "";
}

describe("fnmatch", () => {
  it("reads Unix shell wildcards as Python's fnmatch does", () => {
    expect(fnmatch("data_01.csv", "data_*.csv")).toBe(true);
    expect(fnmatch("a/b.txt", "*.txt")).toBe(true); // `*` crosses `/`, as in fnmatch
    expect(fnmatch("ab.txt", "a?.txt")).toBe(true);
    expect(fnmatch("abc.txt", "a?.txt")).toBe(false);
    expect(fnmatch("b1", "[abc][0-9]")).toBe(true);
    expect(fnmatch("d1", "[!abc]1")).toBe(true);
    expect(fnmatch("a1", "[!abc]1")).toBe(false);
    expect(fnmatch("[x", "[x")).toBe(true); // unclosed bracket is literal
    expect(fnmatch("a.b(c)+", "a.b(c)+")).toBe(true);
    expect(fnmatch("A.TXT", "*.txt")).toBe(false);
    expect(fnmatch("A.TXT", "*.txt", false)).toBe(true);
  });
});

describe("lib.os path-string nodes", () => {
  it("compute POSIX paths as Node's path module does, with the workspace as cwd and home", async () => {
    expect(await runNode("lib.os.AbsolutePath", { path: "a/../b.txt" })).toBe("/workspace/b.txt");
    expect(await runNode("lib.os.AbsolutePath", { path: "~/notes" })).toBe("/workspace/notes");
    expect(await runNode("lib.os.Basename", { path: "/x/y/report.tar.gz" })).toBe("report.tar.gz");
    expect(await runNode("lib.os.Basename", { path: "/x/y/report.tar.gz", remove_extension: true })).toBe("report.tar");
    expect(await runNode("lib.os.Dirname", { path: "/x/y/z.txt" })).toBe("/x/y");
    expect(await runNode("lib.os.FileExtension", { path: "a/b.JSON" })).toBe(".JSON");
    expect(await runNode("lib.os.FileName", { path: "a/b.JSON" })).toBe("b.JSON");
    expect(await runNode("lib.os.GetDirectory", { path: "a/b.JSON" })).toBe("a");
    expect(await runNode("lib.os.JoinPaths", { paths: ["a", "/b", "../c", "d.txt"] })).toBe("a/c/d.txt");
    expect(await runNode("lib.os.NormalizePath", { path: "a//b/./c/.." })).toBe("a/b");
    expect(await runNode("lib.os.PathToString", { file_path: "x/y" })).toBe("x/y");
    expect(await runNode("lib.os.RelativePath", { target_path: "/workspace/a/b/c.txt", start_path: "a" })).toBe("b/c.txt");
    expect(await runNode("lib.os.RelativePath", { target_path: "x.txt", start_path: "/workspace/deep/er" })).toBe("../../x.txt");
    expect(await runNode("lib.os.SplitExtension", { path: "dir/.bashrc" })).toEqual({ root: "dir/.bashrc", extension: "" });
    expect(await runNode("lib.os.SplitExtension", { path: "dir/a.tar.gz" })).toEqual({ root: "dir/a.tar", extension: ".gz" });
    expect(await runNode("lib.os.SplitPath", { path: "dir/sub/a.txt" })).toEqual({ dirname: "dir/sub", basename: "a.txt" });
    expect(await runNode("lib.os.FileNameMatch", { filename: "Report.PDF", pattern: "*.pdf", case_sensitive: false })).toBe(true);
    expect(await runNode("lib.os.FileNameMatch", { filename: "Report.PDF", pattern: "*.pdf" })).toBe(false);
    expect(await runNode("lib.os.FilterFileNames", { filenames: ["a.txt", "b.csv", "c.TXT"], pattern: "*.txt" })).toEqual(["a.txt"]);
    expect(await runNode("lib.os.FilterFileNames", { filenames: ["a.txt", "b.csv", "c.TXT"], pattern: "*.txt", case_sensitive: false })).toEqual(["a.txt", "c.TXT"]);
    expect(await runNode("lib.os.WorkspaceDirectory", {})).toBe("/workspace");
  });

  it("fail with NodeTool's messages on empty input", async () => {
    expect(await fails("lib.os.Basename", { path: "  " })).toMatch(/path is empty/);
    expect(await fails("lib.os.JoinPaths", { paths: [] })).toMatch(/paths cannot be empty/);
    expect(await fails("lib.os.FileExtension", { path: "" })).toMatch(/'path' field cannot be empty/);
    expect(await fails("lib.os.RelativePath", { target_path: "" })).toMatch(/target_path cannot be empty/);
  });
});

describe("lib.os file nodes on the workspace", () => {
  it("see the workspace through relative, ~ and /workspace paths", async () => {
    const workspace = new MemoryWorkspace({ now: () => Date.UTC(2025, 5, 7, 8, 9, 10) });
    const s = { workspace };
    await workspace.write("docs/a.txt", text("hello"));
    expect(await node("lib.os.FileExists", { path: "docs/a.txt" }, s)).toBe(true);
    expect(await node("lib.os.FileExists", { path: "/workspace/docs/a.txt" }, s)).toBe(true);
    expect(await node("lib.os.FileExists", { path: "~/docs/nope.txt" }, s)).toBe(false);
    expect(await node("lib.os.IsDirectory", { path: "~/docs" }, s)).toBe(true);
    expect(await node("lib.os.IsFile", { path: "docs" }, s)).toBe(false);
    expect(await node("lib.os.GetFileSize", { path: "docs/a.txt" }, s)).toBe(5);
    expect(await node("lib.os.ModifiedTime", { path: "docs/a.txt" }, s)).toMatchObject({ type: "datetime", year: 2025, month: 6, day: 7, hour: 8, minute: 9, second: 10, utc_offset: 0 });
    expect(await node("lib.os.GetPathInfo", { path: "docs/a.txt" }, s)).toEqual({
      dirname: "docs",
      basename: "a.txt",
      extension: ".txt",
      absolute: "/workspace/docs/a.txt",
      exists: true,
      is_file: true,
      is_dir: false,
      is_symlink: false,
    });
  });

  it("copy, move, create folders and list like NodeTool, naming files by the folder as given", async () => {
    const workspace = new MemoryWorkspace();
    const s = { workspace };
    await workspace.write("in/a.txt", text("a"));
    await workspace.write("in/b.md", text("b"));
    expect(await node("lib.os.CopyFile", { source_path: "in/a.txt", destination_path: "~/out/a2.txt" }, s)).toBe("~/out/a2.txt");
    const g = graph([
      { id: "m", type: "lib.os.MoveFile", data: { source_path: "in/b.md", destination_path: "/workspace/out/b.md" } },
      { id: "d", type: "lib.os.CreateDirectory", data: { path: "made/deep" } },
    ]);
    expect((await runWorkflow(g, {}, { registry, emit: () => {}, services: s })).status).toBe("completed");
    expect((await workspace.list("", { recursive: true })).map((e) => e.path)).toEqual(["in", "in/a.txt", "made", "made/deep", "out", "out/a2.txt", "out/b.md"]);
    expect(await fails("lib.os.CreateDirectory", { path: "made", exist_ok: false }, s)).toMatch(/File exists/);
    // One item reaches the output as itself, several as a list.
    expect(await node("lib.os.ListFiles", { folder: "~/out", pattern: "*.txt" }, s, "file")).toBe("/workspace/out/a2.txt");
    expect(await node("lib.os.ListFiles", { folder: "out", pattern: "*" }, s, "file")).toEqual(["out/a2.txt", "out/b.md"]);
    expect(await node("lib.os.ListFiles", { folder: "~", pattern: "*.txt", include_subdirectories: true }, s, "file")).toEqual(["/workspace/in/a.txt", "/workspace/out/a2.txt"]);
  });

  it("refuse paths outside the workspace clearly", async () => {
    const workspace = new MemoryWorkspace();
    expect(await fails("lib.os.FileExists", { path: "/etc/passwd" }, { workspace })).toMatch(/outside the workspace/);
    expect(await fails("lib.os.CopyFile", { source_path: "../../etc/passwd", destination_path: "x" }, { workspace })).toMatch(/outside the workspace/);
    expect(await fails("lib.os.ListFiles", { folder: "/" }, { workspace })).toMatch(/outside the workspace/);
    expect(await fails("lib.os.GetFileSize", { path: "missing.bin" }, { workspace })).toMatch(/No such file or directory/);
  });
});
