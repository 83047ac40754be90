import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { errorOf, tokenFor, worker } from "./users";
import { pngBytes } from "./helpers";

type Asset = {
  id: string;
  user_id: string;
  parent_id: string | null;
  name: string;
  content_type: string;
  size: number | null;
  metadata: Record<string, unknown> | null;
  workflow_id: string | null;
  uri: string | null;
  get_url: string | null;
  created_at: string;
};
type Image = { filename: string; asset_id: string; name: string; content_type: string; size: number; url: string; uri: string };

async function req(user: string | null, method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string>; token?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers.Authorization = `Bearer ${init.token}`;
  else if (user !== null) headers.Authorization = `Bearer ${await tokenFor(user)}`;
  return worker().fetch(`https://edge.test${path}`, { method, headers, body: init.body });
}

function form(file: { bytes: Uint8Array; name: string; type: string } | null, meta?: unknown): FormData {
  const f = new FormData();
  if (meta !== undefined) f.append("json", typeof meta === "string" ? meta : JSON.stringify(meta));
  if (file) f.append("file", new File([file.bytes], file.name, { type: file.type }));
  return f;
}

async function upload(user: string, bytes: Uint8Array, name = "pic.png", type = "image/png", meta?: unknown): Promise<Asset> {
  const res = await req(user, "POST", "/api/assets", { body: form({ bytes, name, type }, meta) });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Asset;
}

async function folder(user: string, name: string, parent_id: string | null = null): Promise<Asset> {
  const res = await req(user, "POST", "/api/assets", { body: JSON.stringify({ name, content_type: "folder", parent_id }), headers: { "Content-Type": "application/json" } });
  expect(res.status).toBe(201);
  return (await res.json()) as Asset;
}

const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());
const list = async (user: string, query = "") => (await (await req(user, "GET", `/api/assets${query}`)).json()) as { assets: Asset[]; next: string | null };

/** A multipart body written by hand, for the malformed cases FormData cannot produce. */
function rawMultipart(parts: string[], boundary = "XyZ123"): { body: string; headers: Record<string, string> } {
  return { body: parts.join(""), headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` } };
}

describe("assets API", () => {
  it("uploads a file with metadata, reads it back by id, download and public URL, and deletes it", async () => {
    const bytes = pngBytes(4, 3, 500);
    const asset = await upload("alice", bytes, "holiday.png", "image/png", { metadata: { camera: "x" }, workflow_id: "wf1" });
    // NodeTool's root folder is the user id: top-level assets name it as their parent.
    expect(asset).toMatchObject({ user_id: "alice", parent_id: "alice", name: "holiday.png", content_type: "image/png", size: bytes.length, metadata: { camera: "x" }, workflow_id: "wf1" });
    expect(asset.id).toMatch(/^[0-9a-f]{32}$/);
    expect(asset.uri).toBe(`asset://${asset.id}.png`);
    expect(asset.get_url).toBe(`https://edge.test/storage/assets/alice/${asset.id}.png`);
    expect(await env.STORAGE.head(`assets/alice/${asset.id}.png`)).not.toBeNull();

    expect(await (await req("alice", "GET", `/api/assets/${asset.id}`)).json()).toEqual(asset);
    const download = await req("alice", "GET", `/api/assets/${asset.id}/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get("Content-Type")).toBe("image/png");
    expect(download.headers.get("Content-Disposition")).toMatch(/^attachment; filename="holiday.png"/);
    expect(await bytesOf(download)).toEqual(bytes);
    const ranged = await req("alice", "GET", `/api/assets/${asset.id}/download`, { headers: { Range: "bytes=0-7" } });
    expect(ranged.status).toBe(206);
    expect(await bytesOf(ranged)).toEqual(bytes.slice(0, 8));
    expect(await bytesOf(await req(null, "GET", new URL(asset.get_url!).pathname))).toEqual(bytes);

    expect((await req("alice", "DELETE", `/api/assets/${asset.id}`)).status).toBe(204);
    expect((await req("alice", "GET", `/api/assets/${asset.id}`)).status).toBe(404);
    expect((await req("alice", "GET", `/api/assets/${asset.id}/download`)).status).toBe(404);
    expect((await req("alice", "DELETE", `/api/assets/${asset.id}`)).status).toBe(404);
    expect(await env.STORAGE.head(`assets/alice/${asset.id}.png`)).toBeNull();
    expect((await req(null, "GET", new URL(asset.get_url!).pathname)).status).toBe(404);
  });

  it("names and types files from the part when there is no metadata, in any field order", async () => {
    const text = await upload("alice", new TextEncoder().encode("a,b\n1,2\n"), "table.csv", "text/csv");
    expect(text).toMatchObject({ name: "table.csv", content_type: "text/csv", size: 8 });
    expect(text.uri).toMatch(/\.csv$/);
    const untyped = await upload("alice", new Uint8Array([1, 2, 3]), "notes.md", "");
    expect(untyped).toMatchObject({ content_type: "text/markdown" });
    const unknown = await upload("alice", new Uint8Array([1, 2, 3]), "blob.qqq", "application/x-qqq");
    expect(unknown.uri).toMatch(/\.qqq$/);

    // The json field after the file still names it.
    const f = new FormData();
    f.append("file", new File([pngBytes(1, 1)], "first.png", { type: "image/png" }));
    f.append("json", JSON.stringify({ name: "renamed.png" }));
    f.append("other", "ignored");
    const res = await req("alice", "POST", "/api/assets", { body: f });
    expect(res.status).toBe(201);
    expect(((await res.json()) as Asset).name).toBe("renamed.png");
  });

  it("takes uploads larger than MAX_BODY_BYTES and refuses ones larger than MAX_UPLOAD_BYTES, leaving nothing behind", async () => {
    const bigOk = pngBytes(10, 10, 1_000_000);
    const asset = await upload("carol", bigOk, "big.png");
    expect(asset.size).toBe(bigOk.length);
    const back = await bytesOf(await req("carol", "GET", `/api/assets/${asset.id}/download`));
    expect(back.length === bigOk.length && back.every((b, i) => b === bigOk[i])).toBe(true);

    const before = await env.STORAGE.list({ prefix: "assets/carol/" });
    const res = await req("carol", "POST", "/api/assets", { body: form({ bytes: new Uint8Array(2 * 1024 * 1024 + 1), name: "huge.bin", type: "application/octet-stream" }) });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).type).toBe("payload_too_large");
    expect((await list("carol")).assets.map((a) => a.id)).toEqual([asset.id]);
    expect((await env.STORAGE.list({ prefix: "assets/carol/" })).objects.length).toBe(before.objects.length);
  });

  it("answers malformed uploads with 400 (and schema violations with 422)", async () => {
    const cases: [string, { body: BodyInit; headers?: Record<string, string> }, number][] = [
      ["not multipart", { body: "hello", headers: { "Content-Type": "text/plain" } }, 400],
      ["no content type", { body: "hello" }, 400],
      ["json body that is not a folder", { body: JSON.stringify({ name: "x" }), headers: { "Content-Type": "application/json" } }, 400],
      ["malformed json body", { body: "{", headers: { "Content-Type": "application/json" } }, 400],
      ["form without a file", { body: form(null, { name: "x" }) }, 400],
      ["malformed metadata JSON", { body: form({ bytes: pngBytes(1, 1), name: "a.png", type: "image/png" }, "{not json") }, 400],
      ["metadata of the wrong shape", { body: form({ bytes: pngBytes(1, 1), name: "a.png", type: "image/png" }, { name: 5 }) }, 422],
      ["metadata with a traversal parent id", { body: form({ bytes: pngBytes(1, 1), name: "a.png", type: "image/png" }, { parent_id: "../x" }) }, 422],
      ["no closing boundary", rawMultipart(['--XyZ123\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc']), 400],
      ["no opening boundary", rawMultipart(["just some text"]), 400],
      ["part without a name", rawMultipart(["--XyZ123\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--XyZ123--\r\n"]), 400],
      [
        "two files",
        rawMultipart([
          '--XyZ123\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc\r\n',
          '--XyZ123\r\nContent-Disposition: form-data; name="file"; filename="b.txt"\r\n\r\ndef\r\n--XyZ123--\r\n',
        ]),
        400,
      ],
      ["multipart without a boundary", { body: "x", headers: { "Content-Type": "multipart/form-data" } }, 400],
      ["JSON body over 64 KiB", { body: JSON.stringify({ name: "x".repeat(70_000), content_type: "folder" }), headers: { "Content-Type": "application/json" } }, 413],
      ["metadata field over 64 KiB", { body: form({ bytes: pngBytes(1, 1), name: "a.png", type: "image/png" }, { name: "x".repeat(70_000) }) }, 413],
      [
        "over 1 MiB of fields besides the file",
        {
          body: (() => {
            const f = new FormData();
            for (let i = 0; i < 20; i++) f.append(`extra${i}`, "y".repeat(60_000));
            f.append("file", new File([pngBytes(1, 1)], "a.png", { type: "image/png" }));
            return f;
          })(),
        },
        413,
      ],
    ];
    const before = (await list("dave")).assets.length;
    for (const [what, init, status] of cases) {
      const res = await req("dave", "POST", "/api/assets", init);
      expect(res.status, what).toBe(status);
      expect((await errorOf(res)).code, what).toBe(status);
    }
    expect((await list("dave")).assets.length).toBe(before);
    expect((await env.STORAGE.list({ prefix: "assets/dave/" })).objects).toEqual([]);
  });

  it("accepts a hand-written multipart body with a preamble, quoted boundary and CRLFs inside the file", async () => {
    const payload = "line1\r\n--XyZ12 not the boundary\r\n\r\nend";
    const { body } = rawMultipart([
      "preamble to ignore\r\n",
      '--XyZ123\r\nContent-Disposition: form-data; name="json"\r\n\r\n{"name":"hand.txt"}\r\n',
      `--XyZ123\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\n${payload}\r\n`,
      "--XyZ123--\r\nepilogue",
    ]);
    const res = await req("alice", "POST", "/api/assets", { body, headers: { "Content-Type": 'multipart/form-data; boundary="XyZ123"' } });
    expect(res.status).toBe(201);
    const asset = (await res.json()) as Asset;
    expect(asset).toMatchObject({ name: "hand.txt", content_type: "text/plain", size: payload.length });
    expect(await (await req("alice", "GET", `/api/assets/${asset.id}/download`)).text()).toBe(payload);
  });

  it("lists the caller's assets newest first, by content type and folder, page by page", async () => {
    const root = await folder("erin", "photos");
    const sub = await folder("erin", "2024", root.id);
    const a = await upload("erin", pngBytes(1, 1), "a.png", "image/png", { parent_id: root.id });
    const b = await upload("erin", pngBytes(2, 2), "b.png", "image/png", { parent_id: sub.id });
    const c = await upload("erin", new TextEncoder().encode("hi"), "c.txt", "text/plain");
    expect(sub.parent_id).toBe(root.id);
    expect(root).toMatchObject({ content_type: "folder", size: null, uri: null, get_url: null });

    expect((await list("erin")).assets.map((x) => x.id)).toEqual([c.id, b.id, a.id, sub.id, root.id]);
    expect((await list("erin", "?content_type=image")).assets.map((x) => x.id)).toEqual([b.id, a.id]);
    expect((await list("erin", "?content_type=image/png")).assets.map((x) => x.id)).toEqual([b.id, a.id]);
    expect((await list("erin", "?content_type=text")).assets.map((x) => x.id)).toEqual([c.id]);
    expect((await list("erin", "?content_type=folder")).assets.map((x) => x.id)).toEqual([sub.id, root.id]);
    expect((await list("erin", `?parent_id=${root.id}`)).assets.map((x) => x.id)).toEqual([a.id, sub.id]);
    expect((await list("erin", "?parent_id=root")).assets.map((x) => x.id)).toEqual([c.id, root.id]);

    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page = await list("erin", `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.assets.length).toBeLessThanOrEqual(2);
      seen.push(...page.assets.map((x) => x.id));
      cursor = page.next;
    }
    expect(seen).toEqual([c.id, b.id, a.id, sub.id, root.id]);
    expect((await req("erin", "GET", "/api/assets?cursor=garbage")).status).toBe(400);
    expect((await req("erin", "GET", "/api/assets?limit=0")).status).toBe(422);

    // Deleting a folder deletes what is in it, files included.
    expect((await req("erin", "DELETE", `/api/assets/${root.id}`)).status).toBe(204);
    expect((await list("erin")).assets.map((x) => x.id)).toEqual([c.id]);
    expect(await env.STORAGE.head(`assets/erin/${a.id}.png`)).toBeNull();
    expect(await env.STORAGE.head(`assets/erin/${b.id}.png`)).toBeNull();
  });

  it("checks parent folders: unknown or another user's is 404, a file is 422", async () => {
    const mine = await folder("alice", "mine");
    const hers = await folder("bob", "hers");
    const file = await upload("alice", pngBytes(1, 1));
    const into = (parent_id: string) => req("alice", "POST", "/api/assets", { body: form({ bytes: pngBytes(1, 1), name: "x.png", type: "image/png" }, { parent_id }) });
    expect((await into("ffffffffffffffffffffffffffffffff")).status).toBe(404);
    expect((await into(hers.id)).status).toBe(404);
    expect((await into(file.id)).status).toBe(422);
    expect((await into(mine.id)).status).toBe(201);
    const nested = await req("alice", "POST", "/api/assets", { body: JSON.stringify({ name: "n", content_type: "folder", parent_id: hers.id }), headers: { "Content-Type": "application/json" } });
    expect(nested.status).toBe(404);
  });

  it("keeps assets per user: another user's id is a 404 on every route, and never listed", async () => {
    const asset = await upload("alice", pngBytes(5, 5));
    for (const [method, path] of [
      ["GET", `/api/assets/${asset.id}`],
      ["GET", `/api/assets/${asset.id}/download`],
      ["DELETE", `/api/assets/${asset.id}`],
      ["GET", `/api/images/download/${asset.id}.png`],
      ["DELETE", `/api/images/${asset.id}.png`],
    ]) {
      const res = await req("bob", method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await errorOf(res)).type).toBe("not_found");
    }
    expect((await list("bob")).assets.map((a) => a.id)).not.toContain(asset.id);
    expect((await req("alice", "GET", `/api/assets/${asset.id}`)).status).toBe(200);
  });

  it("needs a valid token on every route", async () => {
    const asset = await upload("alice", pngBytes(1, 1));
    const routes: [string, string][] = [
      ["GET", "/api/assets"],
      ["POST", "/api/assets"],
      ["GET", `/api/assets/${asset.id}`],
      ["GET", `/api/assets/${asset.id}/download`],
      ["DELETE", `/api/assets/${asset.id}`],
      ["GET", "/api/images"],
      ["POST", "/api/images/upload"],
      ["GET", `/api/images/download/${asset.id}.png`],
      ["DELETE", `/api/images/${asset.id}.png`],
    ];
    for (const [method, path] of routes) {
      const body = method === "POST" ? form({ bytes: pngBytes(1, 1), name: "a.png", type: "image/png" }) : undefined;
      expect((await req(null, method, path, { body })).status, `${method} ${path} without a token`).toBe(401);
      const body2 = method === "POST" ? form({ bytes: pngBytes(1, 1), name: "a.png", type: "image/png" }) : undefined;
      expect((await req(null, method, path, { body: body2, token: "wrong" })).status, `${method} ${path} with a wrong token`).toBe(401);
    }
    expect((await req("alice", "GET", `/api/assets/${asset.id}`)).status).toBe(200);
  });

  it("answers malformed ids and file names (traversal attempts included) with 400, unknown ones with 404", async () => {
    const bad = ["..%2f..%2fx", "..%2F", "%2e%2e%2fx", "a%5cb", "%5c..%5cx", "a%00", "%00", "a%0ab", "a.b", ".x"];
    for (const id of bad) {
      for (const [method, path] of [
        ["GET", `/api/assets/${id}`],
        ["GET", `/api/assets/${id}/download`],
        ["DELETE", `/api/assets/${id}`],
      ]) {
        const res = await req("alice", method, path);
        expect(res.status, `${method} ${path}`).toBe(400);
        expect((await errorOf(res)).type).toBe("invalid_request");
      }
    }
    for (const name of ["..%2fx.png", "..%5cx.png", "a%00.png", "x.png%00", "a..png", "a.png.exe", "%2e%2e%2fx.png"]) {
      expect((await req("alice", "GET", `/api/images/download/${name}`)).status, name).toBe(400);
      expect((await req("alice", "DELETE", `/api/images/${name}`)).status, name).toBe(400);
    }
    expect((await req("alice", "GET", "/api/assets/ffffffffffffffffffffffffffffffff")).status).toBe(404);
    expect((await req("alice", "GET", "/api/images/download/ffffffffffffffffffffffffffffffff.png")).status).toBe(404);
  });
});

describe("image routes", () => {
  it("uploads, lists, downloads and deletes images by <asset_id>.<ext>", async () => {
    const bytes = pngBytes(8, 8, 100);
    const f = new FormData();
    f.append("file", new File([bytes], "cat.png", { type: "image/png" }));
    const res = await req("frank", "POST", "/api/images/upload", { body: f });
    expect(res.status).toBe(201);
    const image = (await res.json()) as Image;
    expect(image).toMatchObject({ name: "cat.png", content_type: "image/png", size: bytes.length });
    expect(image.filename).toBe(`${image.asset_id}.png`);
    expect(image.url).toBe(`https://edge.test/storage/assets/frank/${image.filename}`);
    expect(image.uri).toBe(`asset://${image.filename}`);

    await upload("frank", new TextEncoder().encode("not an image"), "notes.txt", "text/plain");
    const listed = (await (await req("frank", "GET", "/api/images")).json()) as { images: Image[] };
    expect(listed.images.map((i) => i.filename)).toEqual([image.filename]);

    const download = await req("frank", "GET", `/api/images/download/${image.filename}`);
    expect(download.headers.get("Content-Type")).toBe("image/png");
    expect(await bytesOf(download)).toEqual(bytes);
    expect((await req("frank", "GET", `/api/images/download/${image.asset_id}.jpg`)).status).toBe(404);

    const notImage = new FormData();
    notImage.append("file", new File(["hello"], "x.txt", { type: "text/plain" }));
    const refused = await req("frank", "POST", "/api/images/upload", { body: notImage });
    expect(refused.status).toBe(400);
    expect((await errorOf(refused)).message).toMatch(/Only images/);

    expect((await req("frank", "DELETE", `/api/images/${image.filename}`)).status).toBe(204);
    expect((await req("frank", "GET", `/api/images/download/${image.filename}`)).status).toBe(404);
    expect((await req("frank", "DELETE", `/api/images/${image.filename}`)).status).toBe(404);
  });

  it("documents the storage, asset and image routes in the OpenAPI document", async () => {
    const doc = (await (await req(null, "GET", "/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const path of ["/storage/{area}/{key}", "/admin/storage/{area}/{key}", "/api/assets", "/api/assets/{id}", "/api/assets/{id}/download", "/api/images", "/api/images/upload", "/api/images/download/{filename}", "/api/images/{filename}"]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.paths["/admin/storage/{area}/{key}"]).sort()).toEqual(["delete", "get", "head", "put"]);
  });
});
