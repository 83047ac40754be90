import { describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import { graph, registry } from "./helpers";

const enc = (s: string) => new TextEncoder().encode(s);
const folderRef = (id: string | null) => ({ type: "folder", uri: "", asset_id: id, data: null, metadata: null });

/** Runs one streaming node with its two outputs wired to Output nodes; returns every item each received. */
async function stream(store: MemoryBlobStore, type: string, folder: unknown, handles: [string, string]) {
  const g = graph(
    [
      { id: "n", type, data: { folder } },
      { id: "a", type: "nodetool.output.Output", data: { name: handles[0] } },
      { id: "b", type: "nodetool.output.Output", data: { name: handles[1] } },
    ],
    [
      ["n", handles[0], "a", "value"],
      ["n", handles[1], "b", "value"],
    ],
  );
  return runWorkflow(g, {}, { registry, emit: () => {}, services: { blobs: store } });
}

function fixture() {
  const store = new MemoryBlobStore();
  const docs = store.addFolder("docs");
  const inner = store.addFolder("inner", docs);
  store.add(enc("beta text"), "text/plain", undefined, { name: "b.txt", parentId: docs });
  store.add(enc("alpha text"), "text/plain", undefined, { name: "a.txt", parentId: docs });
  store.add(enc("x,y\n1,2\n3,4\n"), "text/csv", undefined, { name: "table.csv", parentId: docs });
  store.add(enc('{"k": [1, 2]}'), "application/json", undefined, { name: "conf.json", parentId: docs });
  store.add(enc("[1, 2, 3]"), "text/plain", undefined, { name: "list.json", parentId: docs });
  store.add(new Uint8Array([137, 80, 78, 71]), "image/png", undefined, { name: "pic.png", parentId: docs });
  store.add(enc("nested"), "text/plain", undefined, { name: "deep.txt", parentId: inner });
  store.add(enc("elsewhere"), "text/plain", undefined, { name: "top.txt" });
  return { store, docs, inner };
}

describe("MemoryBlobStore.list", () => {
  it("lists a folder's direct children by name, with a content-type prefix and pages", async () => {
    const { store, docs } = fixture();
    const all = await store.list(docs);
    expect(all.entries.map((e) => [e.name, e.isFolder])).toEqual([
      ["a.txt", false],
      ["b.txt", false],
      ["conf.json", false],
      ["inner", true],
      ["list.json", false],
      ["pic.png", false],
      ["table.csv", false],
    ]);
    expect(all.next).toBeNull();
    expect((await store.list(docs, { contentType: "text/csv" })).entries.map((e) => e.name)).toEqual(["table.csv"]);
    const first = await store.list(docs, { limit: 3 });
    expect(first.entries.map((e) => e.name)).toEqual(["a.txt", "b.txt", "conf.json"]);
    const second = await store.list(docs, { limit: 3, cursor: first.next });
    expect(second.entries.map((e) => e.name)).toEqual(["inner", "list.json", "pic.png"]);
    await expect(store.list("nope")).rejects.toThrow(/folder 'nope' was not found/);
  });
});

describe("Load*Assets nodes", () => {
  it("LoadTextAssets streams every text asset of the folder, not sub-folders or other folders", async () => {
    const { store, docs } = fixture();
    const r = await stream(store, "nodetool.text.LoadTextAssets", folderRef(docs), ["text", "name"]);
    expect(r.error).toBeUndefined();
    expect(r.outputs.name).toEqual(["a.txt", "b.txt", "list.json", "table.csv"]);
    expect(r.outputs.text).toEqual(["alpha text", "beta text", "[1, 2, 3]", "x,y\n1,2\n3,4\n"]);
  });

  it("LoadTextAssets lists assets written into the folder, across pages", async () => {
    const store = new MemoryBlobStore();
    const folder = store.addFolder("many");
    for (let i = 0; i < 130; i++) store.add(enc(`n${i}`), "text/plain", undefined, { name: `f${String(i).padStart(3, "0")}.txt`, parentId: folder });
    await store.write(enc("saved"), { contentType: "text/plain", kind: "asset", name: "zz-saved.txt", parentId: folder });
    const r = await stream(store, "nodetool.text.LoadTextAssets", folderRef(folder), ["text", "name"]);
    expect(r.error).toBeUndefined();
    expect(r.outputs.text).toHaveLength(131);
    expect(r.outputs.text[0]).toBe("n0");
    expect(r.outputs.text[129]).toBe("n129");
    expect(r.outputs.name[130]).toBe("zz-saved.txt");
  });

  it("LoadJSONAssets parses each JSON file, matched by type or name", async () => {
    const { store, docs } = fixture();
    const r = await stream(store, "lib.json.LoadJSONAssets", folderRef(docs), ["json", "name"]);
    expect(r.error).toBeUndefined();
    expect(r.outputs.name).toEqual(["conf.json", "list.json"]);
    expect(r.outputs.json).toEqual([{ k: [1, 2] }, [1, 2, 3]]);
  });

  it("LoadJSONAssets names the file with invalid JSON", async () => {
    const store = new MemoryBlobStore();
    const folder = store.addFolder("bad");
    store.add(enc("{oops"), "application/json", undefined, { name: "broken.json", parentId: folder });
    const r = await stream(store, "lib.json.LoadJSONAssets", folderRef(folder), ["json", "name"]);
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/LoadJSONAssets: Invalid JSON in file broken\.json/);
  });

  it("LoadCSVAssets reads each text/csv asset as a dataframe", async () => {
    const { store, docs } = fixture();
    store.add(enc("name\nAda\n"), "text/csv", undefined, { name: "people.csv", parentId: docs });
    const r = await stream(store, "nodetool.data.LoadCSVAssets", folderRef(docs), ["dataframe", "name"]);
    expect(r.error).toBeUndefined();
    expect(r.outputs.name).toEqual(["people.csv", "table.csv"]);
    const [people, table] = r.outputs.dataframe as { columns: { name: string }[]; data: unknown[][] }[];
    expect(people.columns.map((c) => c.name)).toEqual(["name"]);
    expect(people.data).toEqual([["Ada"]]);
    expect(table.columns.map((c) => c.name)).toEqual(["x", "y"]);
    expect(table.data).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("fail clearly without a folder, with an unknown folder, or without a listing store", async () => {
    const { store } = fixture();
    const none = await stream(store, "nodetool.text.LoadTextAssets", folderRef(null), ["text", "name"]);
    expect(none.error).toMatch(/LoadTextAssets: Please select an asset folder\./);
    const unknown = await stream(store, "nodetool.data.LoadCSVAssets", folderRef("missing"), ["dataframe", "name"]);
    expect(unknown.error).toMatch(/LoadCSVAssets: folder 'missing' was not found/);
    const g = graph([{ id: "n", type: "lib.json.LoadJSONAssets", data: { folder: folderRef("x") } }]);
    const bare = await runWorkflow(g, {}, { registry, emit: () => {}, services: {} });
    expect(bare.error).toMatch(/LoadJSONAssets: this run has no asset storage/);
  });
});
