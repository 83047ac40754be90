import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../edge/app";
import { OnnxStructureCheck } from "../../edge/models/onnx-check";
import { addModel, weightsModel } from "../fixtures/onnx-models";
import { pngBytes } from "./helpers";
import { errorOf, tokenFor, worker } from "./users";

/** The runner token the workers project binds (vitest.config.ts). */
const RUNNER_TOKEN = "test-runner-token-for-the-workerd-suite";
/** MAX_MODEL_BYTES of the workers project. */
const MAX_MODEL_BYTES = 1048576;

type Model = { name: string; size: number; sha256: string; content_type: string; uploaded_at: string };

async function req(user: string | null, method: string, path: string, init: { body?: BodyInit | null; headers?: Record<string, string>; token?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers.Authorization = `Bearer ${init.token}`;
  else if (user !== null) headers.Authorization = `Bearer ${await tokenFor(user)}`;
  return worker().fetch(`https://edge.test${path}`, { method, headers, body: init.body ?? undefined });
}

/** The app with some settings changed: what a deployment with those settings would answer. */
async function withSettings(vars: Record<string, string | undefined>, request: Request): Promise<Response> {
  return createApp().fetch(request, { ...env, ...vars }, createExecutionContext());
}

const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function form(file: Uint8Array | null, fields: Record<string, string> = {}, filename = "net.onnx"): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (file) f.append("file", new File([file], filename, { type: "application/octet-stream" }));
  return f;
}

let counter = 0;
/** A fresh user per test, so listings and objects never mix between tests. */
const freshUser = (label: string) => `${label}-${Date.now().toString(36)}-${counter++}`;

async function uploadRaw(user: string, name: string, bytes: Uint8Array): Promise<Response> {
  return req(user, "POST", `/api/models/upload?name=${encodeURIComponent(name)}`, { body: bytes, headers: { "Content-Type": "application/octet-stream" } });
}

async function stored(user: string, name: string, bytes: Uint8Array): Promise<Model> {
  const res = await uploadRaw(user, name, bytes);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Model;
}

/** Every object of a user's models, manifests and files. */
async function objectsOf(user: string): Promise<string[]> {
  const keys: string[] = [];
  for (const prefix of [`models/${user}/`, `model-files/${user}/`]) {
    const listed = await env.STORAGE.list({ prefix });
    keys.push(...listed.objects.map((o) => o.key));
  }
  return keys.sort();
}

describe("the ONNX structure check", () => {
  it("accepts real models fed in chunks of every size, and tells bytes that are no model apart", () => {
    const model = weightsModel(300);
    for (const size of [1, 2, 3, 7, 64, model.length]) {
      const check = new OnnxStructureCheck();
      for (let i = 0; i < model.length; i += size) check.write(model.subarray(i, i + size));
      expect(check.finish().irVersion).toBe(8);
    }
    const fails = (bytes: Uint8Array, pattern: RegExp, max?: number) => {
      const check = new OnnxStructureCheck(max);
      expect(() => {
        check.write(bytes);
        check.finish();
      }).toThrow(pattern);
    };
    fails(new Uint8Array(0), /empty/);
    fails(model.subarray(0, model.length - 5), /ends in the middle/);
    fails(new TextEncoder().encode("hello, this is not a model"), /Not an ONNX model/);
    fails(pngBytes(4, 4, 100), /Not an ONNX model/);
    fails(new Uint8Array([0x08, 0x08]), /no graph/); // ir_version only
    fails(new Uint8Array([0x3a, 0x00]), /no ir_version/); // an empty graph only
    fails(new Uint8Array([0x0a, 0x01, 0x00, 0x3a, 0x00]), /ir_version.*expected varint/); // ir_version as bytes
    fails(new Uint8Array([0x08, 0x08, 0x3b, 0x00]), /start-group/); // wire type 3
    fails(new Uint8Array([0x08, 0x00, 0x3a, 0x00]), /ir_version 0/);
    fails(new Uint8Array([0x08, 0x08, 0x3a, 0xff, 0xff, 0xff, 0x7f]), /claims .* bytes/, 1000);
    fails(new Uint8Array([0x08, ...new Array(10).fill(0xff), 0x01]), /longer than 10 bytes/);
  });
});

describe("POST /api/models/upload", () => {
  it("stores a multipart upload with its SHA-256 and serves the same bytes back", async () => {
    const user = freshUser("ann");
    const bytes = addModel();
    const res = await req(user, "POST", "/api/models/upload", { body: form(bytes, { name: "add.onnx" }) });
    expect(res.status).toBe(201);
    const model = (await res.json()) as Model;
    expect(model).toMatchObject({ name: "add.onnx", size: bytes.length, sha256: await sha256(bytes), content_type: "application/octet-stream" });
    expect(Date.parse(model.uploaded_at)).not.toBeNaN();

    const manifest = await env.STORAGE.head(`models/${user}/add.onnx`);
    expect(manifest?.customMetadata).toMatchObject({ sha256: model.sha256, size: String(bytes.length) });
    const download = await req(user, "GET", "/api/models/download/add.onnx");
    expect(download.status).toBe(200);
    expect(download.headers.get("X-Model-SHA256")).toBe(model.sha256);
    expect(download.headers.get("Content-Length")).toBe(String(bytes.length));
    expect(download.headers.get("Content-Disposition")).toContain('filename="add.onnx"');
    expect(sameBytes(await bytesOf(download), bytes)).toBe(true);
  });

  it("takes a raw body with ?name=, nested names included, and the name from the file part when no field names it", async () => {
    const user = freshUser("ann");
    const bytes = addModel();
    const model = await stored(user, "team/v1/net.onnx", bytes);
    expect(model.name).toBe("team/v1/net.onnx");
    const download = await req(user, "GET", "/api/models/download/team/v1/net.onnx");
    expect(sameBytes(await bytesOf(download), bytes)).toBe(true);
    const named = await req(user, "POST", "/api/models/upload", { body: form(bytes, {}, "from-file.onnx") });
    expect(named.status).toBe(201);
    expect(((await named.json()) as Model).name).toBe("from-file.onnx");
    const query = await req(user, "POST", "/api/models/upload?name=q%2Fm.onnx", { body: form(bytes, {}, "ignored.onnx") });
    expect(((await query.json()) as Model).name).toBe("q/m.onnx");
  });

  it("stores a model larger than one R2 part (multipart upload) with the right digest, and serves ranges across parts", async () => {
    const user = freshUser("ann");
    const bytes = weightsModel(2_400_000); // ~9.6 MB: two parts of the 8 MiB upload buffer
    const big = { MAX_MODEL_BYTES: String(32 * 1024 * 1024) };
    const token = await tokenFor(user);
    const res = await withSettings(big, new Request("https://edge.test/api/models/upload?name=big.onnx", { method: "POST", body: bytes, headers: { Authorization: `Bearer ${token}` } }));
    expect(res.status).toBe(201);
    expect(((await res.json()) as Model).sha256).toBe(await sha256(bytes));
    const part = 8 * 1024 * 1024;
    const ranged = await req(user, "GET", "/api/models/download/big.onnx", { headers: { Range: `bytes=${part - 10}-${part + 9}` } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("Content-Range")).toBe(`bytes ${part - 10}-${part + 9}/${bytes.length}`);
    expect(sameBytes(await bytesOf(ranged), bytes.subarray(part - 10, part + 10))).toBe(true);
  });

  it("replaces an existing name only when the new upload succeeds, and drops the replaced file", async () => {
    const user = freshUser("ann");
    const v1 = weightsModel(10);
    const v2 = weightsModel(20);
    await stored(user, "m.onnx", v1);
    const replaced = await uploadRaw(user, "m.onnx", v2);
    expect(replaced.status).toBe(200);
    expect(((await replaced.json()) as Model).sha256).toBe(await sha256(v2));
    expect(sameBytes(await bytesOf(await req(user, "GET", "/api/models/download/m.onnx")), v2)).toBe(true);
    const before = await objectsOf(user);
    expect(before.filter((k) => k.startsWith("model-files/"))).toHaveLength(1);

    // A failing upload of the same name (not a model; then too large) leaves the stored version as it was.
    expect((await uploadRaw(user, "m.onnx", pngBytes(3, 3))).status).toBe(422);
    expect((await uploadRaw(user, "m.onnx", weightsModel(300_000))).status).toBe(413);
    expect(await objectsOf(user)).toEqual(before);
    expect(sameBytes(await bytesOf(await req(user, "GET", "/api/models/download/m.onnx")), v2)).toBe(true);
  });

  it("keeps users apart: the same name is a different model for each user", async () => {
    const alice = freshUser("ann");
    const bob = freshUser("bob");
    const mine = weightsModel(5);
    const theirs = weightsModel(6);
    await stored(alice, "shared.onnx", mine);
    const res = await uploadRaw(bob, "shared.onnx", theirs);
    expect(res.status).toBe(201); // created for bob, nothing of alice's replaced
    expect(sameBytes(await bytesOf(await req(alice, "GET", "/api/models/download/shared.onnx")), mine)).toBe(true);
    expect(sameBytes(await bytesOf(await req(bob, "GET", "/api/models/download/shared.onnx")), theirs)).toBe(true);
  });

  it("answers bytes that are not an ONNX model with 422 invalid_model and stores nothing", async () => {
    const user = freshUser("ann");
    const model = addModel();
    const cases: [string, Uint8Array][] = [
      ["png", pngBytes(8, 8, 500)],
      ["text", new TextEncoder().encode("definitely not a protobuf\n".repeat(40))],
      ["truncated", model.subarray(0, model.length - 3)],
      ["empty", new Uint8Array(0)],
      ["no graph", new Uint8Array([0x08, 0x08, 0x12, 0x01, 0x78])],
    ];
    for (const [label, bytes] of cases) {
      for (const res of [await uploadRaw(user, `${label}.onnx`, bytes), await req(user, "POST", "/api/models/upload", { body: form(bytes, { name: `${label}.onnx` }) })]) {
        expect(res.status, label).toBe(422);
        const err = await errorOf(res);
        expect(err.type).toBe("validation_error");
        expect(err.message).toMatch(/Not an ONNX model/);
        expect(err.details).toEqual([expect.objectContaining({ code: "invalid_model", path: "file" })]);
      }
    }
    expect(await objectsOf(user)).toEqual([]);
  });

  it("refuses an upload larger than MAX_MODEL_BYTES with 413 (declared, chunked or in a form) and stores nothing", async () => {
    const user = freshUser("ann");
    const bytes = weightsModel(MAX_MODEL_BYTES / 4 + 100);
    expect(bytes.length).toBeGreaterThan(MAX_MODEL_BYTES);
    const declared = await uploadRaw(user, "big.onnx", bytes);
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).message).toMatch(/MAX_MODEL_BYTES/);
    // No Content-Length: the limit is enforced while the bytes stream.
    let offset = 0;
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + 65536));
        offset += 65536;
      },
    });
    const streamed = await req(user, "POST", "/api/models/upload?name=big.onnx", { body: chunked, headers: { "Content-Type": "application/octet-stream" } });
    expect(streamed.status).toBe(413);
    const multipart = await req(user, "POST", "/api/models/upload", { body: form(bytes, { name: "big.onnx" }) });
    expect(multipart.status).toBe(413);
    expect(await objectsOf(user)).toEqual([]);
    // MAX_BODY_BYTES (64 KiB here) does not apply to model uploads.
    expect((await uploadRaw(user, "mid.onnx", weightsModel(50_000))).status).toBe(201);
  });

  it("answers malformed requests with 400 and stores nothing", async () => {
    const user = freshUser("ann");
    const bytes = addModel();
    const boundary = "----edge-test-boundary";
    const cases: [string, Promise<Response>][] = [
      ["json body", req(user, "POST", "/api/models/upload?name=x.onnx", { body: "{}", headers: { "Content-Type": "application/json" } })],
      ["a malformed content type", req(user, "POST", "/api/models/upload?name=x.onnx", { body: bytes, headers: { "Content-Type": "garbage" } })],
      ["multipart without a boundary", req(user, "POST", "/api/models/upload?name=x.onnx", { body: bytes, headers: { "Content-Type": "multipart/form-data" } })],
      ["raw without a name", req(user, "POST", "/api/models/upload", { body: bytes, headers: { "Content-Type": "application/octet-stream" } })],
      ["no body", req(user, "POST", "/api/models/upload?name=x.onnx", { headers: { "Content-Type": "application/octet-stream" } })],
      ["form without a file", req(user, "POST", "/api/models/upload", { body: form(null, { name: "x.onnx" }) })],
      ["form with a garbage body", req(user, "POST", "/api/models/upload", { body: "not a multipart body", headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` } })],
      [
        "form without a closing boundary",
        req(user, "POST", "/api/models/upload", {
          body: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.onnx"\r\n\r\nabc`,
          headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
        }),
      ],
      ["form without any name", req(user, "POST", "/api/models/upload", { body: form(bytes, {}, "") })],
      ["traversal in ?name=", uploadRaw(user, "a/../b.onnx", bytes)],
      ["encoded traversal in ?name=", req(user, "POST", "/api/models/upload?name=..%252fb", { body: bytes, headers: { "Content-Type": "application/octet-stream" } })],
      ["backslash in the form's name", req(user, "POST", "/api/models/upload", { body: form(bytes, { name: "a\\b.onnx" }) })],
      ["NUL in the form's name", req(user, "POST", "/api/models/upload", { body: form(bytes, { name: "a\u0000b.onnx" }) })],
      ["a name with a leading slash", uploadRaw(user, "/abs.onnx", bytes)],
      ["a name that is too long", uploadRaw(user, "n".repeat(600), bytes)],
    ];
    const twoFiles = form(bytes, { name: "two.onnx" });
    twoFiles.append("file", new File([bytes], "again.onnx"));
    cases.push(["two file parts", req(user, "POST", "/api/models/upload", { body: twoFiles })]);
    for (const [label, pending] of cases) {
      const res = await pending;
      expect(res.status, label).toBe(400);
      expect((await errorOf(res)).type, label).toBe("invalid_request");
    }
    expect(await objectsOf(user)).toEqual([]);
  });

  it("needs a valid user token", async () => {
    const bytes = addModel();
    const none = await req(null, "POST", "/api/models/upload?name=x.onnx", { body: bytes });
    expect(none.status).toBe(401);
    const wrong = await req(null, "POST", "/api/models/upload?name=x.onnx", { body: bytes, token: await tokenFor("ann", { secret: new TextEncoder().encode("another-secret-another-secret-0000") }) });
    expect(wrong.status).toBe(401);
    // The runner token is no user's token.
    expect((await req(null, "POST", "/api/models/upload?name=x.onnx", { body: bytes, token: RUNNER_TOKEN })).status).toBe(401);
    expect((await errorOf(wrong)).type).toBe("unauthorized");
  });

  it("answers 503 while MAX_MODEL_BYTES is invalid", async () => {
    const token = await tokenFor(freshUser("ann"));
    const res = await withSettings({ MAX_MODEL_BYTES: "lots" }, new Request("https://edge.test/api/models/upload?name=x.onnx", { method: "POST", body: addModel(), headers: { Authorization: `Bearer ${token}` } }));
    expect(res.status).toBe(503);
    expect((await errorOf(res)).message).toMatch(/MAX_MODEL_BYTES must be a positive number/);
  });
});

describe("GET /api/models", () => {
  it("lists only the caller's models, by name, in pages", async () => {
    const user = freshUser("lou");
    const other = freshUser("max");
    const names = ["b.onnx", "a.onnx", "team/c.onnx", "d.onnx", "e.onnx"];
    const bytes = addModel();
    for (const name of names) await stored(user, name, bytes);
    await stored(other, "z.onnx", bytes);

    const seen: Model[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await req(user, "GET", `/api/models?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { models: Model[]; next: string | null };
      expect(page.models.length).toBeLessThanOrEqual(2);
      seen.push(...page.models);
      cursor = page.next;
      pages++;
    } while (cursor && pages < 10);
    expect(seen.map((m) => m.name)).toEqual([...names].sort());
    expect(seen[0]).toMatchObject({ size: bytes.length, sha256: await sha256(bytes), content_type: "application/octet-stream" });
    const all = (await (await req(user, "GET", "/api/models/")).json()) as { models: Model[]; next: string | null };
    expect(all.models).toHaveLength(5);
    expect(all.next).toBeNull();
    const otherList = (await (await req(other, "GET", "/api/models")).json()) as { models: Model[] };
    expect(otherList.models.map((m) => m.name)).toEqual(["z.onnx"]);
  });

  it("answers a bad limit with 422, a forged cursor with 400 and a missing token with 401", async () => {
    const user = freshUser("lou");
    for (const limit of ["0", "1001", "x"]) expect((await req(user, "GET", `/api/models?limit=${limit}`)).status, limit).toBe(422);
    const forged = await req(user, "GET", "/api/models?cursor=not-a-cursor");
    expect(forged.status).toBe(400);
    expect((await errorOf(forged)).type).toBe("invalid_request");
    expect((await req(null, "GET", "/api/models")).status).toBe(401);
    expect((await req(null, "GET", "/api/models", { token: "wrong" })).status).toBe(401);
  });
});

describe("GET /api/models/download/{name}", () => {
  it("serves ranges, HEAD and conditional requests like the storage routes", async () => {
    const user = freshUser("rae");
    const bytes = weightsModel(100);
    await stored(user, "r.onnx", bytes);
    const ranged = await req(user, "GET", "/api/models/download/r.onnx", { headers: { Range: "bytes=10-19" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("Content-Range")).toBe(`bytes 10-19/${bytes.length}`);
    expect(sameBytes(await bytesOf(ranged), bytes.subarray(10, 20))).toBe(true);
    const suffix = await req(user, "GET", "/api/models/download/r.onnx", { headers: { Range: "bytes=-5" } });
    expect(sameBytes(await bytesOf(suffix), bytes.subarray(bytes.length - 5))).toBe(true);
    const unsatisfiable = await req(user, "GET", "/api/models/download/r.onnx", { headers: { Range: `bytes=${bytes.length}-` } });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers.get("Content-Range")).toBe(`bytes */${bytes.length}`);
    await unsatisfiable.arrayBuffer();
    const head = await req(user, "HEAD", "/api/models/download/r.onnx");
    expect(head.status).toBe(200);
    expect(head.headers.get("Content-Length")).toBe(String(bytes.length));
    const etag = head.headers.get("ETag")!;
    expect((await req(user, "GET", "/api/models/download/r.onnx", { headers: { "If-None-Match": etag } })).status).toBe(304);
  });

  it("answers unknown names and other users' models with 404, traversal with 400, no token with 401", async () => {
    const owner = freshUser("rae");
    const thief = freshUser("tom");
    await stored(owner, "secret/net.onnx", addModel());
    for (const [user, name] of [
      [owner, "nope.onnx"],
      [thief, "secret/net.onnx"],
    ]) {
      const res = await req(user, "GET", `/api/models/download/${name}`);
      expect(res.status, name).toBe(404);
      expect((await errorOf(res)).type).toBe("not_found");
    }
    // Encoded traversal, backslashes, NUL and control characters, empty segments and double encoding.
    for (const name of ["..%2fx", `..%2f${owner}%2fsecret%2fnet.onnx`, "a%2f..%2fb", "%2e%2e%2fx", "a%5cb", "%5c..%5cx", "a%00", "a%0ab", "a//b", "a/", "", "%252e%252e/x", "%"]) {
      const res = await req(thief, "GET", `/api/models/download/${name}`);
      expect(res.status, name).toBe(400);
      expect((await errorOf(res)).type).toBe("invalid_request");
    }
    expect((await req(null, "GET", "/api/models/download/secret/net.onnx")).status).toBe(401);
    expect((await req(null, "GET", "/api/models/download/secret/net.onnx", { token: RUNNER_TOKEN })).status).toBe(401);
  });
});

describe("DELETE /api/models/{name}", () => {
  it("deletes the caller's model (manifest and file), and only theirs", async () => {
    const owner = freshUser("del");
    const other = freshUser("eve");
    await stored(owner, "team/x.onnx", addModel());
    const foreign = await req(other, "DELETE", "/api/models/team/x.onnx");
    expect(foreign.status).toBe(404);
    expect((await req(null, "DELETE", "/api/models/team/x.onnx")).status).toBe(401);
    expect((await req(null, "DELETE", "/api/models/team/x.onnx", { token: "wrong" })).status).toBe(401);
    expect(await objectsOf(owner)).toHaveLength(2);

    expect((await req(owner, "DELETE", "/api/models/team/x.onnx")).status).toBe(204);
    expect(await objectsOf(owner)).toEqual([]);
    expect((await req(owner, "DELETE", "/api/models/team/x.onnx")).status).toBe(404);
    expect((await req(owner, "GET", "/api/models/download/team/x.onnx")).status).toBe(404);
    for (const name of ["..%2fx", "a%5cb", "a%00", "a//b", "%2e%2e%2fx"]) expect((await req(owner, "DELETE", `/api/models/${name}`)).status, name).toBe(400);
  });
});

describe("GET /api/runner/models/{key}", () => {
  it("serves any user's model to the runner token only, with its SHA-256 and ranges", async () => {
    const user = freshUser("run");
    const bytes = weightsModel(64);
    const model = await stored(user, "team/v1/net.onnx", bytes);
    const path = `/api/runner/models/${user}/team/v1/net.onnx`;
    const res = await req(null, "GET", path, { token: RUNNER_TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Model-SHA256")).toBe(model.sha256);
    expect(res.headers.get("Content-Length")).toBe(String(bytes.length));
    expect(sameBytes(await bytesOf(res), bytes)).toBe(true);
    const ranged = await req(null, "GET", path, { token: RUNNER_TOKEN, headers: { Range: "bytes=0-3" } });
    expect(ranged.status).toBe(206);
    expect(sameBytes(await bytesOf(ranged), bytes.subarray(0, 4))).toBe(true);

    // No token, a wrong one, and a valid user token (even the owner's) are all refused.
    for (const token of [undefined, "wrong-token", `${RUNNER_TOKEN}x`, await tokenFor(user)]) {
      const refused = await req(null, "GET", path, token === undefined ? {} : { token });
      expect(refused.status, String(token)).toBe(401);
      expect((await errorOf(refused)).type).toBe("unauthorized");
    }
  });

  it("answers unknown keys with 404 and unsafe ones with 400", async () => {
    const user = freshUser("run");
    await stored(user, "m.onnx", addModel());
    for (const key of [`${user}/nope.onnx`, `nobody/m.onnx`]) expect((await req(null, "GET", `/api/runner/models/${key}`, { token: RUNNER_TOKEN })).status, key).toBe(404);
    for (const key of [`${user}`, `${user}/..%2fm.onnx`, `..%2f${user}%2fm.onnx`, `${user}/a%5cb`, `${user}/a%00`, `${user}//m.onnx`, "%2e%2e%2fx"]) {
      const res = await req(null, "GET", `/api/runner/models/${key}`, { token: RUNNER_TOKEN });
      expect(res.status, key).toBe(400);
    }
  });

  it("is closed with 503 when no runner token is configured", async () => {
    const res = await withSettings({ GPU_RUNNER_TOKEN: undefined }, new Request("https://edge.test/api/runner/models/a/b.onnx", { headers: { Authorization: "Bearer anything" } }));
    expect(res.status).toBe(503);
    expect((await errorOf(res)).message).toMatch(/GPU_RUNNER_TOKEN/);
  });
});

describe("GPU nodes in a job", () => {
  async function runGraph(user: string, nodes: unknown[], edges: unknown[]): Promise<{ status: string; error?: string }> {
    const saved = await req(user, "POST", "/api/workflows", { body: JSON.stringify({ name: "gpu", graph: { nodes, edges } }), headers: { "Content-Type": "application/json" } });
    expect(saved.status).toBe(201);
    const id = ((await saved.json()) as { id: string }).id;
    const res = await req(user, "POST", `/workflows/${id}/run`, { body: JSON.stringify({ params: {} }), headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(200);
    return (await res.json()) as { status: string; error?: string };
  }
  const onnxGraph = (model: string) => ({
    nodes: [
      { id: "m", type: "edge.ml.RunONNXModel", data: { model, inputs: { a: [1, 2], b: [3, 4] } } },
      { id: "out", type: "nodetool.output.Output", data: { name: "sum" } },
    ],
    edges: [{ id: "e", source: "m", sourceHandle: "output", target: "out", targetHandle: "value" }],
  });

  it("fail with a clear error for an unknown or another user's model, before any runner is asked", async () => {
    const owner = freshUser("gpu");
    const user = freshUser("gpu");
    await stored(owner, "add.onnx", addModel());
    const { nodes, edges } = onnxGraph("add.onnx");
    const out = await runGraph(user, nodes, edges);
    expect(out.status).toBe("failed");
    expect(out.error).toMatch(/model 'add.onnx' was not found/);
  });

  it("fail with 'no gpu-runner available' when the deployment has no runner", async () => {
    const user = freshUser("gpu");
    await stored(user, "add.onnx", addModel());
    const { nodes, edges } = onnxGraph("add.onnx");
    expect((await runGraph(user, nodes, edges)).error).toMatch(/no gpu-runner available/);
    const ocr = await runGraph(
      user,
      [
        { id: "ocr", type: "lib.ocr.PaddleOCR", data: { image: { type: "image", uri: "data:image/png;base64,iVBORw0KGgo=" } } },
        { id: "out", type: "nodetool.output.Output", data: { name: "text" } },
      ],
      [{ id: "e", source: "ocr", sourceHandle: "text", target: "out", targetHandle: "value" }],
    );
    expect(ocr.status).toBe("failed");
    expect(ocr.error).toMatch(/no gpu-runner available/);
  });
});

describe("model routes in the OpenAPI document", () => {
  it("documents every model route and the runner route", async () => {
    const doc = (await (await req(null, "GET", "/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.paths["/api/models"])).toEqual(["get"]);
    expect(Object.keys(doc.paths["/api/models/upload"])).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/models/download/{name}"]).sort()).toEqual(["get", "head"]);
    expect(Object.keys(doc.paths["/api/models/{name}"])).toEqual(["delete"]);
    expect(Object.keys(doc.paths["/api/runner/models/{key}"])).toEqual(["get"]);
    expect(doc.components.schemas).toHaveProperty("Model");
    expect(doc.components.schemas).toHaveProperty("ModelList");
  });
});
