import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { keyProblem, objectKey, ownerSegment, ownsKey } from "../../edge/storage/keys";
import { errorOf, tokenFor, worker } from "./users";

/** Known bytes: 0, 1, ..., 250, 0, 1, ... */
function pattern(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i + seed) % 251;
  return out;
}

let counter = 0;
/** A fresh key in `user`'s space, so tests never share objects. */
const fresh = (user: string, name = "file.bin") => `${user}/t${Date.now().toString(36)}${counter++}/${name}`;

async function req(user: string | null, method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string>; token?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers.Authorization = `Bearer ${init.token}`;
  else if (user !== null) headers.Authorization = `Bearer ${await tokenFor(user)}`;
  return worker().fetch(`https://edge.test${path}`, { method, headers, body: init.body });
}

const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

/** Byte equality without vitest's element-by-element diffing (slow on megabytes). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function put(user: string, area: "assets" | "temp", key: string, body: Uint8Array): Promise<Response> {
  const res = await req(user, "PUT", `/admin/storage/${area}/${key}`, { body });
  expect([200, 201]).toContain(res.status);
  return res;
}

describe("storage keys", () => {
  it("rejects every unsafe key and accepts nested ones", () => {
    for (const bad of ["", "/a", "a/../b", "..", "a/.", "./a", "a//b", "a/", "a\\b", "a\u0000b", "a\u001fb", "a\u007fb", "a%2e%2e/b", "a%2fb", "%00"]) {
      expect(keyProblem(bad), JSON.stringify(bad)).not.toBeNull();
    }
    for (const good of ["a", "a/b/c.txt", "1/x y.png", "u/%", "u/100% done", "u/é.png", "u/..a", "u/a..", "u/.hidden"]) expect(keyProblem(good), good).toBeNull();
  });

  it("gives every user their own segment, never one that could be another user's or a traversal", () => {
    expect(ownerSegment("alice")).toBe("alice");
    expect(ownerSegment("3f2b8c1d-9e0a-4b7c-8d6e-5f4a3b2c1d0e")).toBe("3f2b8c1d-9e0a-4b7c-8d6e-5f4a3b2c1d0e");
    for (const odd of ["..", ".", "a/b", "a\\b", "user@example.com", "~61", ""]) {
      const seg = ownerSegment(odd);
      expect(seg.startsWith("~"), odd).toBe(true);
      expect(keyProblem(seg), odd).toBeNull();
    }
    expect(ownerSegment("~61")).not.toBe(ownerSegment("a"));
    const alice = { userId: "alice", shared: false };
    expect(objectKey("assets", alice, "x.png")).toBe("assets/alice/x.png");
    expect(() => objectKey("assets", alice, "..", "x")).toThrow(/Invalid storage key/);
    // Single-tenant auth (static, NodeTool's worker model): no owner segment, and every key is the caller's.
    const single = { userId: "1", shared: true };
    expect(objectKey("assets", single, "x.png")).toBe("assets/x.png");
    expect(ownsKey(single, "file.png")).toBe(true);
    expect(ownsKey(alice, "file.png")).toBe(false);
    expect(ownsKey(alice, "alice/file.png")).toBe(true);
  });
});

describe("storage routes: reads", () => {
  it("PUT stores, GET and HEAD answer with type, length, dates, ETag and Accept-Ranges; the public route reads the same", async () => {
    const key = fresh("alice", "photo.png");
    const data = pattern(1000);
    const created = await req("alice", "PUT", `/admin/storage/assets/${key}`, { body: data });
    expect(created.status).toBe(201);
    const stored = (await created.json()) as { key: string; size: number; etag: string; content_type: string; url: string };
    expect(stored).toMatchObject({ key, size: 1000, content_type: "image/png", url: `https://edge.test/storage/assets/${key}` });
    expect((await req("alice", "PUT", `/admin/storage/assets/${key}`, { body: data })).status).toBe(200);

    for (const path of [`/admin/storage/assets/${key}`, `/storage/assets/${key}`]) {
      const res = await req(path.startsWith("/admin") ? "alice" : null, "GET", path);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("image/png");
      expect(res.headers.get("Content-Length")).toBe("1000");
      expect(res.headers.get("Accept-Ranges")).toBe("bytes");
      expect(res.headers.get("ETag")).toBe(stored.etag);
      expect(Date.parse(res.headers.get("Last-Modified")!)).not.toBeNaN();
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(await bytesOf(res)).toEqual(data);

      const head = await req(path.startsWith("/admin") ? "alice" : null, "HEAD", path);
      expect(head.status).toBe(200);
      expect(head.headers.get("Content-Length")).toBe("1000");
      expect(head.headers.get("ETag")).toBe(stored.etag);
      expect(head.headers.get("Content-Type")).toBe("image/png");
      expect((await head.arrayBuffer()).byteLength).toBe(0);
    }
  });

  it("takes the Content-Type from the extension, falling back to application/octet-stream", async () => {
    for (const [name, type] of [
      ["a.json", "application/json"],
      ["a.JPG", "image/jpeg"],
      ["a.wav", "audio/wav"],
      ["a.weird", "application/octet-stream"],
      ["noext", "application/octet-stream"],
    ]) {
      const key = fresh("alice", name);
      await put("alice", "assets", key, pattern(3));
      expect((await req(null, "GET", `/storage/assets/${key}`)).headers.get("Content-Type"), name).toBe(type);
    }
  });

  it("serves every range form as 206 with Content-Range, and unsatisfiable ones as 416", async () => {
    const key = fresh("alice", "r.bin");
    const data = pattern(1000, 7);
    await put("alice", "assets", key, data);
    const cases: [string, number, number][] = [
      ["bytes=0-99", 0, 99],
      ["bytes=100-199", 100, 199],
      ["bytes=990-5000", 990, 999],
      ["bytes=500-", 500, 999],
      ["bytes=999-999", 999, 999],
      ["bytes=-100", 900, 999],
      ["bytes=-1", 999, 999],
      ["bytes=-5000", 0, 999],
    ];
    for (const path of [`/storage/assets/${key}`, `/admin/storage/assets/${key}`]) {
      const user = path.startsWith("/admin") ? "alice" : null;
      for (const [range, first, last] of cases) {
        const res = await req(user, "GET", path, { headers: { Range: range } });
        expect(res.status, range).toBe(206);
        expect(res.headers.get("Content-Range"), range).toBe(`bytes ${first}-${last}/1000`);
        expect(res.headers.get("Content-Length"), range).toBe(String(last - first + 1));
        expect(await bytesOf(res), range).toEqual(data.slice(first, last + 1));
      }
      for (const range of ["bytes=1000-", "bytes=1000-1010", "bytes=5000-6000", "bytes=-0"]) {
        const res = await req(user, "GET", path, { headers: { Range: range } });
        expect(res.status, range).toBe(416);
        expect(res.headers.get("Content-Range"), range).toBe("bytes */1000");
        await res.arrayBuffer();
      }
      // Malformed, reversed, multiple and foreign-unit ranges are ignored: the whole object.
      for (const range of ["bytes=5-2", "bytes=0-1,5-6", "items=0-5", "bytes=abc", "bytes=-"]) {
        const res = await req(user, "GET", path, { headers: { Range: range } });
        expect(res.status, range).toBe(200);
        expect(await bytesOf(res), range).toEqual(data);
      }
      const head = await req(user, "HEAD", path, { headers: { Range: "bytes=10-19" } });
      expect(head.status).toBe(206);
      expect(head.headers.get("Content-Range")).toBe("bytes 10-19/1000");
      expect(head.headers.get("Content-Length")).toBe("10");
    }
  });

  it("answers an empty object's range with 416", async () => {
    const key = fresh("alice", "empty.txt");
    await put("alice", "assets", key, new Uint8Array(0));
    const whole = await req(null, "GET", `/storage/assets/${key}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("Content-Length")).toBe("0");
    const ranged = await req(null, "GET", `/storage/assets/${key}`, { headers: { Range: "bytes=0-" } });
    expect(ranged.status).toBe(416);
    expect(ranged.headers.get("Content-Range")).toBe("bytes */0");
  });

  it("answers If-None-Match and If-Modified-Since with 304, and honours If-Range", async () => {
    const key = fresh("alice", "c.txt");
    const data = pattern(300);
    await put("alice", "assets", key, data);
    const path = `/storage/assets/${key}`;
    const first = await req(null, "GET", path);
    const etag = first.headers.get("ETag")!;
    const lastModified = first.headers.get("Last-Modified")!;
    await first.arrayBuffer();
    const later = new Date(Date.parse(lastModified) + 60_000).toUTCString();
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();

    const status = async (headers: Record<string, string>, method = "GET") => {
      const res = await req(null, method, path, { headers });
      const body = await bytesOf(res);
      if (res.status === 304) {
        expect(body.length).toBe(0);
        expect(res.headers.get("ETag")).toBe(etag);
      }
      return res.status;
    };
    expect(await status({ "If-None-Match": etag })).toBe(304);
    expect(await status({ "If-None-Match": `W/${etag}` })).toBe(304);
    expect(await status({ "If-None-Match": `"nope", ${etag}` })).toBe(304);
    expect(await status({ "If-None-Match": "*" })).toBe(304);
    expect(await status({ "If-None-Match": '"nope"' })).toBe(200);
    expect(await status({ "If-None-Match": etag }, "HEAD")).toBe(304);
    expect(await status({ "If-Modified-Since": lastModified })).toBe(304);
    expect(await status({ "If-Modified-Since": later })).toBe(304);
    expect(await status({ "If-Modified-Since": earlier })).toBe(200);
    expect(await status({ "If-Modified-Since": "not a date" })).toBe(200);
    // If-None-Match wins over If-Modified-Since.
    expect(await status({ "If-None-Match": '"nope"', "If-Modified-Since": later })).toBe(200);
    expect(await status({ "If-Range": etag, Range: "bytes=0-9" })).toBe(206);
    expect(await status({ "If-Range": '"stale"', Range: "bytes=0-9" })).toBe(200);
    expect(await status({ "If-Range": lastModified, Range: "bytes=0-9" })).toBe(206);
  });

  it("allows nested keys and deletes with 204, then 404", async () => {
    const key = fresh("alice", "deep/er/still/n.txt");
    await put("alice", "assets", key, pattern(10));
    expect((await req(null, "GET", `/storage/assets/${key}`)).status).toBe(200);
    expect((await req("alice", "DELETE", `/admin/storage/assets/${key}`)).status).toBe(204);
    expect(await env.STORAGE.head(`assets/${key}`)).toBeNull();
    const gone = await req(null, "GET", `/storage/assets/${key}`);
    expect(gone.status).toBe(404);
    expect((await errorOf(gone)).type).toBe("not_found");
    expect((await req("alice", "DELETE", `/admin/storage/assets/${key}`)).status).toBe(404);
    expect((await req("alice", "GET", `/admin/storage/assets/${fresh("alice")}`)).status).toBe(404);
    expect((await req("alice", "HEAD", `/admin/storage/temp/${fresh("alice")}`)).status).toBe(404);
  });

  it("exposes only assets/ and temp/ publicly, never anything else in the bucket", async () => {
    await env.STORAGE.put("models/secret.onnx", "weights");
    await env.STORAGE.put("secret.txt", "top");
    for (const path of ["/storage/models/secret.onnx", "/storage/secret.txt", "/storage/assets/../models/secret.onnx", "/storage/temp/%2e%2e/secret.txt"]) {
      const res = await req(null, "GET", path);
      expect(res.status, path).toBe(400);
      expect((await errorOf(res)).type).toBe("invalid_request");
    }
    expect((await req("alice", "GET", "/admin/storage/models/secret.onnx")).status).toBe(400);
    // The public routes are read-only.
    for (const method of ["PUT", "DELETE", "POST"]) {
      const key = fresh("alice");
      const res = await req("alice", method, `/storage/assets/${key}`, method === "DELETE" ? {} : { body: "x" });
      expect(res.status, method).toBe(404);
      expect(await env.STORAGE.head(`assets/${key}`)).toBeNull();
    }
  });
});

describe("storage routes: safety, auth and ownership", () => {
  const traversals = (user: string) => [
    "assets/../x",
    "assets/%2e%2e/x",
    `assets/${user}/..%2f..%2fx`,
    `assets/..%2f${user}/x`,
    `assets/${user}/%2e%2e%2fx`,
    `assets/${user}/%5c..%5cx`,
    `assets/${user}/a%5cb`,
    `assets//${user}/x`,
    `assets/${user}//x`,
    `assets/${user}/x/`,
    `assets/${user}/%00`,
    `assets/${user}/a%00.png`,
    `assets/${user}/a%0a.png`,
    `assets/${user}/%252e%252e/x`,
    `assets/${user}/%`,
    "assets/",
    "assets",
    "temp/%2e%2e%2f",
  ];

  it("rejects traversal, backslashes, empty segments, NUL/control characters and double encoding with 400 on every method", async () => {
    for (const path of traversals("alice")) {
      for (const [user, method, prefix] of [
        [null, "GET", "/storage/"],
        [null, "HEAD", "/storage/"],
        ["alice", "GET", "/admin/storage/"],
        ["alice", "HEAD", "/admin/storage/"],
        ["alice", "PUT", "/admin/storage/"],
        ["alice", "DELETE", "/admin/storage/"],
      ] as const) {
        const res = await req(user, method, `${prefix}${path}`, method === "PUT" ? { body: "x" } : {});
        expect(res.status, `${method} ${prefix}${path}`).toBe(400);
        await res.arrayBuffer();
      }
    }
    // Nothing was written anywhere.
    const listed = await env.STORAGE.list({ prefix: "x" });
    expect(listed.objects).toEqual([]);
  });

  it("needs a valid token on every admin route", async () => {
    const key = fresh("alice");
    await put("alice", "assets", key, pattern(5));
    for (const method of ["GET", "HEAD", "PUT", "DELETE"]) {
      const none = await req(null, method, `/admin/storage/assets/${key}`, method === "PUT" ? { body: "x" } : {});
      expect(none.status, method).toBe(401);
      const wrong = await req(null, method, `/admin/storage/assets/${key}`, { token: "not-a-jwt", ...(method === "PUT" ? { body: "x" } : {}) });
      expect(wrong.status, method).toBe(401);
      const forged = await req(null, method, `/admin/storage/assets/${key}`, {
        token: await tokenFor("alice", { secret: new TextEncoder().encode("another-secret-another-secret-00") }),
        ...(method === "PUT" ? { body: "x" } : {}),
      });
      expect(forged.status, method).toBe(401);
    }
    expect(await bytesOf(await req(null, "GET", `/storage/assets/${key}`))).toEqual(pattern(5));
  });

  it("refuses another user's key with a 403 that says how keys are formed, for GET, HEAD, PUT and DELETE, and changes nothing", async () => {
    const key = fresh("alice", "mine.txt");
    await put("alice", "assets", key, pattern(20));
    for (const method of ["GET", "HEAD", "DELETE"]) {
      const res = await req("bob", method, `/admin/storage/assets/${key}`);
      expect(res.status, method).toBe(403);
      await res.arrayBuffer();
    }
    const overwrite = await req("bob", "PUT", `/admin/storage/assets/${key}`, { body: "evil" });
    expect(overwrite.status).toBe(403);
    const err = await errorOf(overwrite);
    expect(err.type).toBe("forbidden");
    expect(err.message).toContain("your keys are formed as assets/<your owner segment>/<path>, and your owner segment is 'bob'");
    // Decided from the key alone: a key that does not exist is refused the same way.
    expect((await req("bob", "GET", "/admin/storage/assets/file.png")).status).toBe(403);
    const plant = fresh("alice", "planted.txt");
    expect((await req("bob", "PUT", `/admin/storage/temp/${plant}`, { body: "evil" })).status).toBe(403);
    expect(await env.STORAGE.head(`temp/${plant}`)).toBeNull();
    expect(await bytesOf(await req("alice", "GET", `/admin/storage/assets/${key}`))).toEqual(pattern(20));
    // Bob's own space works for him.
    const his = fresh("bob");
    expect((await req("bob", "PUT", `/admin/storage/assets/${his}`, { body: "his" })).status).toBe(201);
    expect((await req("alice", "GET", `/admin/storage/assets/${his}`)).status).toBe(403);
  });
});

describe("storage routes: uploads", () => {
  // The workers project sets MAX_UPLOAD_BYTES to 2 MiB (vitest.config.ts); MAX_BODY_BYTES (64 KiB) does not apply.
  const MAX = 2 * 1024 * 1024;

  it("takes bodies larger than MAX_BODY_BYTES up to MAX_UPLOAD_BYTES, and refuses larger ones with 413", async () => {
    const key = fresh("alice", "big.bin");
    const data = pattern(MAX, 3);
    expect((await req("alice", "PUT", `/admin/storage/assets/${key}`, { body: data })).status).toBe(201);
    expect(sameBytes(await bytesOf(await req(null, "GET", `/storage/assets/${key}`)), data)).toBe(true);

    const over = fresh("alice", "over.bin");
    const res = await req("alice", "PUT", `/admin/storage/assets/${over}`, { body: pattern(MAX + 1) });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).type).toBe("payload_too_large");
    expect(await env.STORAGE.head(`assets/${over}`)).toBeNull();
  });

  it("streams a body of unknown length (chunked) and enforces the limit while streaming", async () => {
    const chunked = (total: number, seed: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const all = pattern(total, seed);
          for (let i = 0; i < total; i += 100_000) controller.enqueue(all.slice(i, i + 100_000));
          controller.close();
        },
      });
    const key = fresh("alice", "chunked.bin");
    const ok = await req("alice", "PUT", `/admin/storage/assets/${key}`, { body: chunked(1_500_000, 9) });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { size: number }).size).toBe(1_500_000);
    expect(sameBytes(await bytesOf(await req(null, "GET", `/storage/assets/${key}`)), pattern(1_500_000, 9))).toBe(true);

    const over = fresh("alice", "chunked-over.bin");
    const res = await req("alice", "PUT", `/admin/storage/assets/${over}`, { body: chunked(MAX + 50_000, 1) });
    expect(res.status).toBe(413);
    expect(await env.STORAGE.head(`assets/${over}`)).toBeNull();
  });

  it("still limits ordinary JSON routes to MAX_BODY_BYTES", async () => {
    const res = await req("alice", "POST", "/api/workflows", { body: JSON.stringify({ name: "x".repeat(70_000), graph: { nodes: [], edges: [] } }), headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(413);
  });
});
