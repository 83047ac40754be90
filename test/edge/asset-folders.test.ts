import { describe, expect, it } from "vitest";
import { pngBytes } from "./helpers";
import { tokenFor, worker } from "./users";

type Asset = { id: string; name: string; content_type: string; parent_id: string | null };

async function req(user: string, method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return worker().fetch(`https://edge.test${path}`, { method, headers: { ...headers, Authorization: `Bearer ${await tokenFor(user)}` }, body });
}
const json = (user: string, method: string, path: string, body: unknown) => req(user, method, path, JSON.stringify(body), { "Content-Type": "application/json" });

async function folder(user: string, name: string, parent_id: string | null = null): Promise<Asset> {
  const res = await json(user, "POST", "/api/assets", { name, content_type: "folder", parent_id });
  expect(res.status).toBe(201);
  return (await res.json()) as Asset;
}

async function upload(user: string, bytes: Uint8Array | string, name: string, type: string, parent_id: string | null): Promise<Asset> {
  const f = new FormData();
  f.append("json", JSON.stringify({ parent_id }));
  f.append("file", new File([bytes], name, { type }));
  const res = await req(user, "POST", "/api/assets", f);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Asset;
}

/** LoadTextAssets on one folder, its `text` and `name` streams collected into lists. */
function loadTextWorkflow(folderId: string) {
  const edge = (id: string, source: string, sourceHandle: string, target: string, targetHandle: string) => ({ id, source, sourceHandle, target, targetHandle });
  return {
    name: "load text folder",
    graph: {
      nodes: [
        { id: "load", type: "nodetool.text.LoadTextAssets", data: { folder: { type: "folder", uri: "", asset_id: folderId, data: null, metadata: null } } },
        { id: "ct", type: "nodetool.control.Collect", data: {} },
        { id: "cn", type: "nodetool.control.Collect", data: {} },
        { id: "texts", type: "nodetool.output.Output", data: { name: "texts" } },
        { id: "names", type: "nodetool.output.Output", data: { name: "names" } },
      ],
      edges: [
        edge("e1", "load", "text", "ct", "input_item"),
        edge("e2", "load", "name", "cn", "input_item"),
        edge("e3", "ct", "output", "texts", "value"),
        edge("e4", "cn", "output", "names", "value"),
      ],
    },
  };
}

async function runLoad(user: string, folderId: string) {
  const saved = await json(user, "POST", "/api/workflows", loadTextWorkflow(folderId));
  expect(saved.status).toBe(201);
  const { id } = (await saved.json()) as { id: string };
  const res = await json(user, "POST", `/workflows/${id}/run`, { params: {} });
  expect(res.status).toBe(200);
  return (await res.json()) as { results: Record<string, unknown> | null; status: string; error?: string };
}

describe("asset folders in workflows", () => {
  it("LoadTextAssets streams the text files of a folder uploaded through the assets API, for its owner only", async () => {
    const notes = await folder("fiona", "notes");
    const inner = await folder("fiona", "archive", notes.id);
    await upload("fiona", "second note", "b-note.txt", "text/plain", notes.id);
    await upload("fiona", "# first", "a-readme.md", "text/markdown", notes.id);
    await upload("fiona", "x,y\n1,2\n", "c-data.csv", "text/csv", notes.id);
    await upload("fiona", pngBytes(2, 2), "d-pic.png", "image/png", notes.id);
    await upload("fiona", "archived", "old.txt", "text/plain", inner.id);
    await upload("fiona", "loose", "top.txt", "text/plain", null);
    const other = await folder("gus", "notes");
    await upload("gus", "gus's note", "mine.txt", "text/plain", other.id);

    const out = await runLoad("fiona", notes.id);
    expect(out.status, out.error).toBe("completed");
    expect(out.results!.names).toEqual(["a-readme.md", "b-note.txt", "c-data.csv"]);
    expect(out.results!.texts).toEqual(["# first", "second note", "x,y\n1,2\n"]);

    // Another user's folder id reads as missing: the listing is scoped to the job's user.
    const denied = await runLoad("gus", notes.id);
    expect(denied.status).toBe("failed");
    expect(denied.error).toMatch(/LoadTextAssets: folder '[0-9a-f]{32}' was not found/);
    const own = await runLoad("gus", other.id);
    expect(own.status, own.error).toBe("completed");
    expect(own.results!.texts).toEqual(["gus's note"]);
  });
});
