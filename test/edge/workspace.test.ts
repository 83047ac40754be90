import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../edge/config/env";
import { R2Workspace } from "../../edge/workspace/r2-workspace";
import { saved } from "./helpers";
import { call } from "./users";

type RunBody = { status: string; results: Record<string, unknown> | null; error?: string };

async function runAs(user: string, workflow: unknown, params: Record<string, unknown> = {}): Promise<RunBody> {
  const id = await saved(user, workflow);
  const res = await call(user, "POST", `/workflows/${id}/run`, { params });
  expect(res.status).toBe(200);
  return (await res.json()) as RunBody;
}

const writer = {
  name: "write a note",
  graph: {
    nodes: [
      { id: "in", type: "nodetool.input.StringInput", data: { name: "text", value: "" } },
      { id: "w", type: "nodetool.workspace.WriteTextFile", data: { path: "notes/hello.txt" } },
      { id: "o", type: "nodetool.output.Output", data: { name: "written" } },
    ],
    edges: [
      { source: "in", sourceHandle: "output", target: "w", targetHandle: "content" },
      { source: "w", sourceHandle: "output", target: "o", targetHandle: "value" },
    ],
  },
};

const reader = (path = "notes/hello.txt") => ({
  name: "read a note",
  graph: {
    nodes: [
      { id: "r", type: "nodetool.workspace.ReadTextFile", data: { path } },
      { id: "o", type: "nodetool.output.Output", data: { name: "text" } },
      { id: "l", type: "lib.os.ListFiles", data: { folder: "~", pattern: "*.txt", include_subdirectories: true } },
      { id: "o2", type: "nodetool.output.Output", data: { name: "files" } },
    ],
    edges: [
      { source: "r", sourceHandle: "output", target: "o", targetHandle: "value" },
      { source: "l", sourceHandle: "file", target: "o2", targetHandle: "value" },
    ],
  },
});

const oneNode = (type: string, data: Record<string, unknown>) => ({
  name: type,
  graph: {
    nodes: [
      { id: "n", type, data },
      { id: "o", type: "nodetool.output.Output", data: { name: "out" } },
    ],
    edges: [{ source: "n", sourceHandle: "output", target: "o", targetHandle: "value" }],
  },
});

describe("workspace nodes through the Worker (R2)", () => {
  it("keeps a user's files across jobs, under the user's own prefix", async () => {
    const written = await runAs("ws-alice", writer, { text: "remember me" });
    expect(written).toMatchObject({ status: "completed", results: { written: "notes/hello.txt" } });
    const object = await env.STORAGE.get("workspace/ws-alice/notes/hello.txt");
    expect(await object?.text()).toBe("remember me");

    const read = await runAs("ws-alice", reader());
    expect(read).toMatchObject({ status: "completed", results: { text: "remember me", files: "/workspace/notes/hello.txt" } });
  });

  it("shows one user's files to no other user", async () => {
    await runAs("ws-carol", writer, { text: "carol's secret" });
    const other = await runAs("ws-dave", reader());
    expect(other.status).toBe("failed");
    expect(other.error).toMatch(/'notes\/hello.txt' was not found in the workspace/);
    expect(await runAs("ws-dave", oneNode("nodetool.workspace.WorkspaceFileExists", { path: "notes/hello.txt" }))).toMatchObject({ results: { out: false } });
  });

  it("refuses path traversal clearly", async () => {
    await runAs("ws-erin", writer, { text: "erin" });
    for (const [type, data, message] of [
      ["nodetool.workspace.ReadTextFile", { path: "../ws-erin/notes/hello.txt" }, /parent directory traversal/],
      ["nodetool.workspace.ReadTextFile", { path: "/workspace/notes/hello.txt" }, /absolute paths are not allowed/],
      ["lib.os.FileExists", { path: "/workspace/../ws-erin/notes/hello.txt" }, /outside the workspace/],
      ["lib.os.GetFileSize", { path: "~/../../etc/passwd" }, /outside the workspace/],
      ["nodetool.workspace.WriteTextFile", { path: "a\\..\\b.txt", content: "x" }, /backslash/],
    ] as const) {
      const body = await runAs("ws-frank", oneNode(type, data));
      expect(body.status, type).toBe("failed");
      expect(body.error, type).toMatch(message);
    }
  });
});

describe("R2Workspace", () => {
  const ws = (user: string, options = {}) => new R2Workspace(env as unknown as Env, user, options);
  const bytes = (s: string) => new TextEncoder().encode(s);

  it("keeps folder semantics in a flat bucket", async () => {
    const w = ws("r2-tree");
    await w.write("a/b/c.txt", bytes("hi"), "text/plain");
    await w.mkdir("empty/inner");
    expect(await w.stat("a")).toMatchObject({ isDirectory: true });
    expect(await w.stat("empty")).toMatchObject({ isDirectory: true });
    expect(await w.stat("a/b/c.txt")).toMatchObject({ size: 2, isDirectory: false, contentType: "text/plain" });
    await expect(w.write("a/b", bytes("x"))).rejects.toThrow(/is a folder/);
    await expect(w.write("a/b/c.txt/d", bytes("x"))).rejects.toThrow(/is a file, not a folder/);
    await expect(w.read("a")).rejects.toThrow(/is a folder/);
    expect((await w.list("")).map((e) => [e.path, e.isDirectory])).toEqual([["a", true], ["empty", true]]);
    expect((await w.list(".", { recursive: true })).map((e) => [e.path, e.isDirectory])).toEqual([
      ["a", true],
      ["a/b", true],
      ["a/b/c.txt", false],
      ["empty", true],
      ["empty/inner", true],
    ]);
    await expect(w.delete("a")).rejects.toThrow(/not empty/);
    await w.move("a", "z");
    expect(new TextDecoder().decode(await w.read("z/b/c.txt"))).toBe("hi");
    expect(await w.stat("a")).toBeNull();
    await w.copy("z", "y");
    await w.delete("z", { recursive: true });
    await w.delete("empty", { recursive: true });
    expect((await w.list("", { recursive: true })).map((e) => e.path)).toEqual(["y", "y/b", "y/b/c.txt"]);
  });

  it("keeps the creation time across overwrites and caps file size and entry counts", async () => {
    const w = ws("r2-caps", { maxFileBytes: 8, maxEntries: 2 });
    const first = await w.write("f.bin", new Uint8Array(4));
    const again = await w.write("f.bin", new Uint8Array(5));
    expect(again.created).toBe(first.created);
    expect(again.size).toBe(5);
    await expect(w.write("big.bin", new Uint8Array(9))).rejects.toMatchObject({ reason: "too_large" });
    await w.write("g.bin", new Uint8Array(1));
    expect(await w.list("")).toHaveLength(2);
    await w.write("h.bin", new Uint8Array(1));
    await expect(w.list("")).rejects.toThrow(/more than 2 entries/);
  });

  it("checks every key like a storage key", async () => {
    const w = ws("r2-keys");
    await expect(w.write("%41.txt", bytes("x"))).rejects.toThrow(/percent-encoded/);
    await expect(w.write("x".repeat(800), bytes("x"))).rejects.toThrow(/longer than/);
    // A user id that is not a plain id gets the hex owner segment, so it cannot name another prefix.
    await ws("../r2-keys").write("note.txt", bytes("mine"));
    await expect(w.read("note.txt")).rejects.toThrow(/not found/);
  });
});
