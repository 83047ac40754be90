import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../edge/app";
import { pngBytes } from "./helpers";
import { errorOf, tokenFor } from "./users";

type Asset = { id: string; uri: string; get_url: string | null; parent_id: string | null; user_id: string; name: string };
type Ref = { type: string; uri: string; asset_id: string | null };

/** Calls the app with extra vars (PUBLIC_BASE_URL, AUTH_PROVIDER) as `user` (a Supabase token) or with `token`. */
async function call(vars: Record<string, string>, auth: { user?: string; token?: string }, method: string, url: string, body?: BodyInit, headers: Record<string, string> = {}) {
  const h: Record<string, string> = { ...headers };
  if (auth.user) h.Authorization = `Bearer ${await tokenFor(auth.user)}`;
  if (auth.token) h.Authorization = `Bearer ${auth.token}`;
  const full = /^https?:\/\//.test(url) ? url : `https://edge.test${url}`;
  return createApp().fetch(new Request(full, { method, headers: h, body }), { ...env, ...vars }, createExecutionContext());
}

function form(bytes: Uint8Array, meta?: unknown): FormData {
  const f = new FormData();
  f.append("file", new Blob([bytes], { type: "image/png" }), "in.png");
  if (meta) f.append("json", JSON.stringify(meta));
  return f;
}

const imageWorkflow = {
  name: "save image",
  graph: {
    nodes: [
      { id: "in", type: "nodetool.input.ImageInput", data: { name: "image" } },
      { id: "save", type: "nodetool.image.SaveImage", data: {} },
      { id: "out", type: "nodetool.output.Output", data: { name: "image" } },
    ],
    edges: [
      { source: "in", sourceHandle: "output", target: "save", targetHandle: "image" },
      { source: "save", sourceHandle: "output", target: "out", targetHandle: "value" },
    ],
  },
};

const BASE = "https://media.example.com/nodetool";

describe("absolute media URLs", () => {
  it("forms asset, storage and job media URLs from PUBLIC_BASE_URL, and takes them back as inputs", async () => {
    const vars = { PUBLIC_BASE_URL: `${BASE}/` };
    const up = await call(vars, { user: "pia" }, "POST", "/api/assets", form(pngBytes(4, 3)));
    expect(up.status).toBe(201);
    const asset = (await up.json()) as Asset;
    expect(asset.get_url).toBe(`${BASE}/storage/assets/pia/${asset.id}.png`);

    const put = await call(vars, { user: "pia" }, "PUT", "/admin/storage/assets/pia/a/b.png", pngBytes(1, 1));
    expect(((await put.json()) as { url: string }).url).toBe(`${BASE}/storage/assets/pia/a/b.png`);

    const saved = await call(vars, { user: "pia" }, "POST", "/api/workflows", JSON.stringify(imageWorkflow), { "Content-Type": "application/json" });
    const wf = ((await saved.json()) as { id: string }).id;
    // The job's Durable Object has no request: the base travels in its spec. The input is the public URL below the base.
    const ran = await call(vars, { user: "pia" }, "POST", `/workflows/${wf}/run`, JSON.stringify({ params: { image: asset.get_url } }), { "Content-Type": "application/json" });
    const out = (await ran.json()) as { status: string; error?: string; job_id: string; results: { image: Ref } };
    expect(out.status, out.error).toBe("completed");
    expect(out.results.image.uri).toMatch(new RegExp(`^${BASE.replace(/[./]/g, "\\$&")}/storage/assets/pia/[0-9a-f]{32}\\.png$`));
  });

  it("uses the starting request's origin without PUBLIC_BASE_URL, and keeps it in the job's record whoever asks later", async () => {
    const host = "https://api.other-host.test";
    const up = await call({}, { user: "quinn" }, "POST", `${host}/api/assets`, form(pngBytes(2, 2)));
    const asset = (await up.json()) as Asset;
    expect(asset.get_url).toBe(`${host}/storage/assets/quinn/${asset.id}.png`);
    const saved = await call({}, { user: "quinn" }, "POST", "/api/workflows", JSON.stringify(imageWorkflow), { "Content-Type": "application/json" });
    const wf = ((await saved.json()) as { id: string }).id;
    const ran = await call({}, { user: "quinn" }, "POST", `${host}/workflows/${wf}/run`, JSON.stringify({ params: { image: asset.uri } }), { "Content-Type": "application/json" });
    const out = (await ran.json()) as { status: string; error?: string; job_id: string; results: { image: Ref } };
    expect(out.status, out.error).toBe("completed");
    expect(out.results.image.uri.startsWith(`${host}/storage/assets/quinn/`)).toBe(true);
    // Read back through another hostname: the stored result is the bytes first sent.
    const job = await call({}, { user: "quinn" }, "GET", `https://edge.test/api/jobs/${out.job_id}`);
    expect(JSON.stringify(await job.json())).toContain(out.results.image.uri);
    // And the URL serves the file.
    const file = await call({}, {}, "GET", new URL(out.results.image.uri).pathname);
    expect(file.status).toBe(200);
  });

  it("refuses a bad PUBLIC_BASE_URL and falls back to the request's origin", async () => {
    const up = await call({ PUBLIC_BASE_URL: "ftp://nope" }, { user: "pia" }, "POST", "/api/assets", form(pngBytes(1, 1)));
    expect(((await up.json()) as Asset).get_url).toMatch(/^https:\/\/edge\.test\/storage\/assets\/pia\//);
  });
});

describe("NodeTool's asset root folder", () => {
  it("names the user id as the parent of top-level assets and lists the top level by it", async () => {
    const user = "rosa";
    const top = (await (await call({}, { user }, "POST", "/api/assets", form(pngBytes(1, 1)))).json()) as Asset;
    expect(top.parent_id).toBe(user);
    // A folder created under the root by its NodeTool name is a top-level folder.
    const folderRes = await call({}, { user }, "POST", "/api/assets", JSON.stringify({ name: "f", content_type: "folder", parent_id: user }), { "Content-Type": "application/json" });
    expect(folderRes.status).toBe(201);
    const folder = (await folderRes.json()) as Asset;
    expect(folder.parent_id).toBe(user);
    const inside = (await (await call({}, { user }, "POST", "/api/assets", form(pngBytes(1, 1), { parent_id: folder.id }))).json()) as Asset;
    expect(inside.parent_id).toBe(folder.id);

    const ids = async (query: string) => ((await (await call({}, { user }, "GET", `/api/assets${query}`)).json()) as { assets: Asset[] }).assets.map((a) => a.id);
    expect(await ids(`?parent_id=${user}`)).toEqual([folder.id, top.id]);
    // Existing clients: `root` still names the top level, and no parent_id lists everything.
    expect(await ids("?parent_id=root")).toEqual([folder.id, top.id]);
    expect(await ids("")).toEqual([inside.id, folder.id, top.id]);
    expect(await ids(`?parent_id=${folder.id}`)).toEqual([inside.id]);
    // Another user's id is not this user's root.
    expect(await ids("?parent_id=someone-else")).toEqual([]);
  });
});

describe("storage keys in static auth (one tenant)", () => {
  const vars = { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: "static-token-for-storage-tests-0000" };
  const auth = { token: vars.SERVER_AUTH_TOKEN };

  it("takes keys without an owner segment, as NodeTool's worker does", async () => {
    const name = `file-${crypto.randomUUID()}.png`;
    const put = await call(vars, auth, "PUT", `/admin/storage/assets/${name}`, pngBytes(2, 2));
    expect(put.status).toBe(201);
    expect(await put.json()).toMatchObject({ key: name, url: `https://edge.test/storage/assets/${name}` });
    expect(await env.STORAGE.head(`assets/${name}`)).not.toBeNull();
    const got = await call(vars, auth, "GET", `/admin/storage/assets/${name}`);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(pngBytes(2, 2));
    expect((await call(vars, {}, "GET", `/storage/assets/${name}`)).status).toBe(200);
    expect((await call(vars, auth, "DELETE", `/admin/storage/assets/${name}`)).status).toBe(204);
    expect((await call(vars, auth, "GET", `/admin/storage/assets/${name}`)).status).toBe(404);
    // Unsafe keys are still refused, and a wrong token still is.
    expect((await call(vars, auth, "PUT", "/admin/storage/assets/a//b.png", "x")).status).toBe(400);
    expect((await call(vars, { token: "wrong" }, "PUT", `/admin/storage/assets/${name}`, "x")).status).toBe(401);
  });

  it("stores uploaded assets without an owner segment", async () => {
    const up = await call(vars, auth, "POST", "/api/assets", form(pngBytes(1, 1)));
    expect(up.status).toBe(201);
    const asset = (await up.json()) as Asset;
    expect(asset.get_url).toBe(`https://edge.test/storage/assets/${asset.id}.png`);
    expect(asset.parent_id).toBe(asset.user_id);
  });

  it("with several users, refuses a key without the caller's segment and says how keys are formed", async () => {
    const res = await call({}, { user: "sam" }, "PUT", "/admin/storage/assets/file.png", "x");
    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toMatch(/assets\/<your owner segment>\/<path>, and your owner segment is 'sam' \(e\.g\. assets\/sam\/photos\/cat\.png\)/);
  });
});
