import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../edge/app";
import { signedGetPath, signedPutTemplate } from "../../edge/runners/blob-urls";
import { errorOf, tokenFor, worker } from "./users";

/** The runner token and MAX_UPLOAD_BYTES the workers project binds (vitest.config.ts). */
const RUNNER_TOKEN = "test-runner-token-for-the-workerd-suite";
const MAX_UPLOAD_BYTES = 2097152;

const later = () => Math.floor(Date.now() / 1000) + 600;
let counter = 0;
const folder = () => `temp/blob-user/job-${Date.now()}-${counter++}/r-1/`;

async function req(method: string, path: string, init: { token?: string | null; body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  const token = init.token === undefined ? RUNNER_TOKEN : init.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return worker().fetch(`https://edge.test${path}`, { method, headers, body: init.body });
}

function pattern(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + (i >> 8)) & 255);
}

async function storedObject(size: number): Promise<{ key: string; bytes: Uint8Array }> {
  const key = `${folder()}in.png`;
  const bytes = pattern(size);
  await env.STORAGE.put(key, bytes);
  return { key, bytes };
}

describe("GET /api/runner/blobs/{key}", () => {
  it("streams the signed object to the runner token", async () => {
    const { key, bytes } = await storedObject(300_000);
    const res = await req("GET", await signedGetPath(RUNNER_TOKEN, key, later()));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Length")).toBe(String(bytes.length));
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });

  it("refuses no token, a user's token and a wrong token with 401", async () => {
    const { key } = await storedObject(10);
    const path = await signedGetPath(RUNNER_TOKEN, key, later());
    for (const token of [null, "wrong-token", await tokenFor("blob-user")]) {
      const res = await req("GET", path, { token });
      expect(res.status, String(token)).toBe(401);
      expect((await errorOf(res)).message).toMatch(/runner token/);
    }
  });

  it("refuses a missing, tampered or other object's signature with 403", async () => {
    const { key } = await storedObject(10);
    const other = await storedObject(10);
    const good = await signedGetPath(RUNNER_TOKEN, key, later());
    const sig = new URL(good, "https://x").searchParams.get("sig")!;
    const flipped = `${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`;
    const otherPath = await signedGetPath(RUNNER_TOKEN, other.key, later());
    const cases: [string, RegExp][] = [
      [good.split("?")[0], /no signature/],
      [good.replace(`sig=${sig}`, `sig=${flipped}`), /does not match/],
      [good.replace(`sig=${sig}`, "sig=short"), /malformed/],
      // A valid signature for another object does not open this one.
      [`${good.split("?")[0]}?${otherPath.split("?")[1]}`, /does not match/],
      // Nor does one made with another token.
      [await signedGetPath("another-token", key, later()), /does not match/],
      // Nor a later expiry than the one signed.
      [good.replace(/exp=\d+/, `exp=${later() + 1000}`), /does not match/],
    ];
    for (const [path, message] of cases) {
      const res = await req("GET", path);
      expect(res.status, path).toBe(403);
      const error = await errorOf(res);
      expect(error.type).toBe("forbidden");
      expect(error.message).toMatch(message);
    }
  });

  it("refuses an expired URL with 403 naming the expiry", async () => {
    const { key } = await storedObject(10);
    const res = await req("GET", await signedGetPath(RUNNER_TOKEN, key, Math.floor(Date.now() / 1000) - 5));
    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toMatch(/expired at \d{4}-/);
  });

  it("answers an unknown key with 404 and a key outside assets/ and temp/ with 400", async () => {
    const res = await req("GET", await signedGetPath(RUNNER_TOKEN, `${folder()}missing.png`, later()));
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toMatch(/Blob not found/);
    const models = await req("GET", await signedGetPath(RUNNER_TOKEN, "models/x/y.json", later()));
    expect(models.status).toBe(400);
  });

  it("answers the runner's check with 200 for its token only, and is closed without a configured token", async () => {
    expect((await req("GET", "/api/runner/blobs")).status).toBe(200);
    expect((await req("GET", "/api/runner/blobs", { token: "nope" })).status).toBe(401);
    const closed = await createApp().fetch(new Request("https://edge.test/api/runner/blobs", { headers: { Authorization: "Bearer x" } }), { ...env, GPU_RUNNER_TOKEN: undefined }, createExecutionContext());
    expect(closed.status).toBe(503);
  });
});

describe("PUT /api/runner/blobs/{key}", () => {
  it("stores an output below the signed folder, readable with its content type", async () => {
    const prefix = folder();
    const template = await signedPutTemplate(RUNNER_TOKEN, prefix, later());
    const bytes = pattern(500_000);
    const res = await req("PUT", template.replace("{name}", "0.png"), { body: bytes, headers: { "Content-Length": String(bytes.length) } });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toEqual({ key: `${prefix}0.png`, size: bytes.length });
    const object = await env.STORAGE.get(`${prefix}0.png`);
    expect(object?.httpMetadata?.contentType).toBe("image/png");
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(bytes);
  });

  it("refuses an oversized upload with 413, by Content-Length and while streaming", async () => {
    const prefix = folder();
    const template = await signedPutTemplate(RUNNER_TOKEN, prefix, later());
    const declared = await req("PUT", template.replace("{name}", "0.png"), { body: pattern(MAX_UPLOAD_BYTES + 1), headers: { "Content-Length": String(MAX_UPLOAD_BYTES + 1) } });
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).message).toMatch(/MAX_UPLOAD_BYTES/);
    // No Content-Length: a stream that runs past the limit.
    const chunk = pattern(512 * 1024);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_UPLOAD_BYTES) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const streamed = await req("PUT", template.replace("{name}", "1.png"), { body: stream });
    expect(streamed.status).toBe(413);
    expect(await env.STORAGE.head(`${prefix}0.png`)).toBeNull();
    expect(await env.STORAGE.head(`${prefix}1.png`)).toBeNull();
  });

  it("refuses other folders, odd names, GET signatures, expired URLs and missing tokens", async () => {
    const prefix = folder();
    const template = await signedPutTemplate(RUNNER_TOKEN, prefix, later());
    const body = pattern(10);
    const put = (path: string, token?: string | null) => req("PUT", path, { body, token, headers: { "Content-Length": "10" } });

    const elsewhere = template.replace(prefix.slice(0, -1).split("/").map(encodeURIComponent).join("/"), folder().slice(0, -1));
    expect((await put(elsewhere.replace("{name}", "0.png"))).status).toBe(403);
    // The signature covers one folder, not the ones below it.
    expect((await put(template.replace("{name}", "sub/0.png"))).status).toBe(403);
    const odd = await put(template.replace("{name}", "evil.png"));
    expect(odd.status).toBe(400);
    expect((await errorOf(odd)).message).toMatch(/<index>\.<ext>/);
    const getSigned = await signedGetPath(RUNNER_TOKEN, `${prefix}0.png`, later());
    expect((await put(getSigned)).status).toBe(403);
    const expired = await signedPutTemplate(RUNNER_TOKEN, prefix, Math.floor(Date.now() / 1000) - 1);
    const late = await put(expired.replace("{name}", "0.png"));
    expect(late.status).toBe(403);
    expect((await errorOf(late)).message).toMatch(/expired/);
    expect((await put(template.replace("{name}", "0.png"), null)).status).toBe(401);
    expect((await env.STORAGE.list({ prefix })).objects).toEqual([]);
  });
});
