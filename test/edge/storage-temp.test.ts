import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../edge/app";
import worker from "../../edge/index";
import { sweepExpiredTemp } from "../../edge/storage/retention";
import { PART_BYTES, StreamingUpload } from "../../edge/storage/upload";
import { tokenFor } from "./users";

/** The Worker's app under an env with a short temp retention (the suite's own env keeps the default day). */
const SHORT = { ...env, TEMP_RETENTION_SECONDS: "0.5" };
const app = createApp();

async function call(e: typeof env, user: string | null, method: string, path: string, body?: BodyInit): Promise<Response> {
  const headers: Record<string, string> = user ? { Authorization: `Bearer ${await tokenFor(user)}` } : {};
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`https://edge.test${path}`, { method, headers, body }), e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let n = 0;
const key = (name: string) => `alice/temp-${Date.now().toString(36)}-${n++}/${name}`;

describe("temp retention", () => {
  it("answers 404 for a temp object past TEMP_RETENTION_SECONDS, before any sweep, and the cron sweep deletes it", async () => {
    const old = key("old.txt");
    const asset = key("kept.txt");
    expect((await call(SHORT, "alice", "PUT", `/admin/storage/temp/${old}`, "short-lived")).status).toBe(201);
    expect((await call(SHORT, "alice", "PUT", `/admin/storage/assets/${asset}`, "kept")).status).toBe(201);

    await sleep(700); // past the 0.5 s retention

    for (const [user, method, path] of [
      [null, "GET", `/storage/temp/${old}`],
      [null, "HEAD", `/storage/temp/${old}`],
      ["alice", "GET", `/admin/storage/temp/${old}`],
      ["alice", "HEAD", `/admin/storage/temp/${old}`],
    ] as const) {
      expect((await call(SHORT, user, method, path)).status, `${method} ${path}`).toBe(404);
    }
    // Still in the bucket (no sweep yet), and readable where the retention is the default day.
    expect(await env.STORAGE.head(`temp/${old}`)).not.toBeNull();
    expect((await call(env, null, "GET", `/storage/temp/${old}`)).status).toBe(200);
    // Assets never expire.
    expect((await call(SHORT, null, "GET", `/storage/assets/${asset}`)).status).toBe(200);

    // The cron trigger's handler deletes it; assets stay. (Which objects count as expired: the sweep test below.)
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: "17 * * * *" }), SHORT, ctx);
    await waitOnExecutionContext(ctx);
    expect(await env.STORAGE.head(`temp/${old}`)).toBeNull();
    expect(await env.STORAGE.head(`assets/${asset}`)).not.toBeNull();
  });

  it("an expired temp object can be overwritten (201) and deleting it answers 404 while removing it", async () => {
    const k = key("again.txt");
    await call(SHORT, "alice", "PUT", `/admin/storage/temp/${k}`, "one");
    await sleep(700);
    expect((await call(SHORT, "alice", "PUT", `/admin/storage/temp/${k}`, "two")).status).toBe(201);
    expect(await (await call(env, null, "GET", `/storage/temp/${k}`)).text()).toBe("two");
    await sleep(700);
    expect((await call(SHORT, "alice", "DELETE", `/admin/storage/temp/${k}`)).status).toBe(404);
    expect(await env.STORAGE.head(`temp/${k}`)).toBeNull();
  });

  it("sweeps page by page, deleting only what expired", async () => {
    const prefix = `temp/sweep-${Date.now().toString(36)}`;
    for (let i = 0; i < 5; i++) await env.STORAGE.put(`${prefix}/${i}`, "x");
    await env.STORAGE.put(`assets/sweep-${Date.now().toString(36)}/a`, "x");
    // Nothing is a day old yet (earlier tests' temp objects included).
    expect(await sweepExpiredTemp(env.STORAGE, 86_400, Date.now(), 2)).toBe(0);
    expect((await env.STORAGE.list({ prefix })).objects).toHaveLength(5);
    const deleted = await sweepExpiredTemp(env.STORAGE, 60, Date.now() + 120_000, 2);
    expect(deleted).toBeGreaterThanOrEqual(5);
    expect((await env.STORAGE.list({ prefix })).objects).toEqual([]);
    expect((await env.STORAGE.list({ prefix: "assets/sweep-" })).objects.length).toBeGreaterThan(0);
  });
});

describe("StreamingUpload", () => {
  const PART = 5 * 1024 * 1024; // R2's smallest part
  const bytes = (n: number, seed: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = (i * 7 + seed) % 256;
    return out;
  };
  const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

  it("sends full buffers as multipart parts and the rest as the last part", async () => {
    const data = bytes(2 * PART + 12345, 3);
    const upload = new StreamingUpload(env.STORAGE, "assets/alice/streaming/multi.bin", { contentType: "application/octet-stream", maxBytes: 3 * PART, partBytes: PART });
    for (let i = 0; i < data.length; i += 700_001) await upload.write(data.subarray(i, i + 700_001));
    const stored = await upload.finish();
    expect(stored.size).toBe(data.length);
    const back = new Uint8Array(await (await env.STORAGE.get("assets/alice/streaming/multi.bin"))!.arrayBuffer());
    expect(same(back, data)).toBe(true);
    expect(PART_BYTES).toBeGreaterThanOrEqual(PART);
  });

  it("puts a small body in one write, refuses more than maxBytes, and leaves nothing after an abort", async () => {
    const small = new StreamingUpload(env.STORAGE, "assets/alice/streaming/small.bin", { contentType: "text/plain", maxBytes: 100 });
    await small.write(new TextEncoder().encode("hello"));
    await small.finish();
    expect(await (await env.STORAGE.get("assets/alice/streaming/small.bin"))!.text()).toBe("hello");

    const big = new StreamingUpload(env.STORAGE, "assets/alice/streaming/over.bin", { contentType: "text/plain", maxBytes: PART + 10, partBytes: PART });
    await big.write(bytes(PART, 1));
    await expect(big.write(bytes(11, 2))).rejects.toMatchObject({ status: 413 });
    await big.abort();
    expect(await env.STORAGE.head("assets/alice/streaming/over.bin")).toBeNull();
  });
});
