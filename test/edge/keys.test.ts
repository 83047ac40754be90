import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { saved } from "./helpers";
import { call, echoWorkflow, errorOf, worker } from "./users";

interface Created {
  id: string;
  secret: string;
  prefix: string;
  webhook_secret: string;
  scopes: string[];
  expires_at: string | null;
}

async function createKey(user: string, body: Record<string, unknown>): Promise<Created> {
  const res = await call(user, "POST", "/api/keys", body);
  expect(res.status).toBe(201);
  return (await res.json()) as Created;
}

/** Calls the Worker with an API key as the bearer token. */
function withKey(secret: string, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${secret}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return worker().fetch(`https://edge.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("API keys", () => {
  it("shows the secret once, stores only its hash and a display prefix, and lists keys without secrets", async () => {
    const key = await createKey("k-owner", { name: "ci", scopes: ["workflows:read"] });
    expect(key.secret).toMatch(/^ntk_[A-Za-z0-9_-]{43}$/);
    expect(key.webhook_secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(key.secret.startsWith(key.prefix)).toBe(true);
    expect(key.prefix.length).toBeLessThan(16);

    // Hashes at rest: nothing in D1 holds the secret, and the stored hash is the secret's SHA-256.
    const rows = (await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(key.id).all<Record<string, unknown>>()).results;
    expect(rows).toHaveLength(1);
    for (const value of Object.values(rows[0])) expect(String(value)).not.toContain(key.secret.slice(4));
    expect(rows[0].hash).toBe(await sha256Hex(key.secret));
    const everything = JSON.stringify((await env.DB.prepare("SELECT * FROM api_keys").all()).results);
    expect(everything).not.toContain(key.secret);

    const list = (await (await call("k-owner", "GET", "/api/keys")).json()) as { keys: Record<string, unknown>[] };
    const listed = list.keys.find((k) => k.id === key.id)!;
    expect(listed).toMatchObject({ name: "ci", prefix: key.prefix, scopes: ["workflows:read"], revoked_at: null });
    expect(JSON.stringify(list)).not.toContain(key.secret);
    expect(listed).not.toHaveProperty("webhook_secret");
  });

  it("authenticates as the key's user, and another user's token cannot see or revoke it", async () => {
    const wf = await saved("k-user", echoWorkflow("mine"));
    const key = await createKey("k-user", { name: "reader", scopes: ["workflows:read"] });
    const res = await withKey(key.secret, "GET", `/api/workflows/${wf}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }).name).toBe("mine");

    expect(((await (await call("k-other", "GET", "/api/keys")).json()) as { keys: unknown[] }).keys).toEqual([]);
    expect((await call("k-other", "DELETE", `/api/keys/${key.id}`)).status).toBe(404);
    expect((await withKey(key.secret, "GET", `/api/workflows/${wf}`)).status).toBe(200);
  });

  it("rejects unknown keys and validates the request", async () => {
    const res = await withKey("ntk_not-a-real-key-000000000000000000000000000", "GET", "/api/workflows");
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/Invalid API key/);
    expect((await call("k-val", "POST", "/api/keys", { name: "x", scopes: ["jobs:fly"] })).status).toBe(422);
    expect((await call("k-val", "POST", "/api/keys", { name: "x", scopes: [] })).status).toBe(422);
    expect((await call("k-val", "POST", "/api/keys", { name: "x", scopes: ["chat"], expires_at: "2001-01-01T00:00:00Z" })).status).toBe(422);
  });

  it("revocation holds from the very next request", async () => {
    const key = await createKey("k-revoke", { name: "temp", scopes: ["workflows:read"] });
    expect((await withKey(key.secret, "GET", "/api/workflows")).status).toBe(200);
    const del = await call("k-revoke", "DELETE", `/api/keys/${key.id}`);
    expect(del.status).toBe(200);
    expect(((await del.json()) as { revoked_at: string | null }).revoked_at).not.toBeNull();
    const after = await withKey(key.secret, "GET", "/api/workflows");
    expect(after.status).toBe(401);
    expect((await errorOf(after)).message).toMatch(/revoked/);
    // The WebSocket upgrade is refused too (closed with 1008).
    const ws = await worker().fetch(`https://edge.test/ws?api_key=${key.secret}`, { headers: { Upgrade: "websocket" } });
    const socket = ws.webSocket!;
    const closed = new Promise<number>((resolve) => socket.addEventListener("close", (e) => resolve(e.code)));
    socket.accept();
    expect(await closed).toBe(1008);
  });

  it("an expired key authenticates nothing", async () => {
    const key = await createKey("k-expire", { name: "short", scopes: ["workflows:read"], expires_in: 1 });
    expect(key.expires_at).not.toBeNull();
    expect((await withKey(key.secret, "GET", "/api/workflows")).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const res = await withKey(key.secret, "GET", "/api/workflows");
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/expired/);
  });

  it("a key with admin can manage keys; one without cannot", async () => {
    const admin = await createKey("k-admin", { name: "root", scopes: ["admin"] });
    const made = await withKey(admin.secret, "POST", "/api/keys", { name: "child", scopes: ["chat"] });
    expect(made.status).toBe(201);
    const child = (await made.json()) as Created;
    const refused = await withKey(child.secret, "GET", "/api/keys");
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toContain("'admin'");
  });
});

describe("scopes on every route family", () => {
  // [scope, method, path, body]: a key with the scope gets past the check; one with any other scope gets a 403.
  const cases: [string, string, string, unknown?][] = [
    ["workflows:read", "GET", "/api/workflows"],
    ["workflows:read", "GET", "/api/nodes"],
    ["workflows:read", "GET", "/api/workflows/examples"],
    ["workflows:read", "POST", "/api/graph/validate", { graph: { nodes: [], edges: [] } }],
    ["workflows:write", "POST", "/api/workflows", echoWorkflow("scoped")],
    ["jobs:run", "POST", "/workflows/WF/run", { params: {} }],
    ["jobs:run", "POST", "/api/workflows/WF/run", { params: {} }],
    ["jobs:run", "POST", "/api/jobs/nope/cancel"],
    ["jobs:read", "GET", "/api/jobs"],
    ["jobs:read", "GET", "/api/jobs/nope/webhooks"],
    ["storage:read", "GET", "/api/assets"],
    ["storage:read", "GET", "/api/models"],
    ["storage:write", "POST", "/api/assets", { name: "folder", content_type: "folder" }],
    ["chat", "GET", "/v1/models"],
    ["admin", "GET", "/api/keys"],
    ["admin", "GET", "/api/usage"],
    ["admin", "POST", "/api/webhooks/secret"],
  ];
  const scopes = ["workflows:read", "workflows:write", "jobs:run", "jobs:read", "storage:read", "storage:write", "chat", "admin"];

  it("each family answers 403 naming its scope to keys without it, and lets keys with it through", async () => {
    const user = "k-scopes";
    const wf = await saved(user, echoWorkflow("scoped run"));
    const keys: Record<string, string> = {};
    for (const scope of scopes) keys[scope] = (await createKey(user, { name: scope, scopes: [scope] })).secret;
    for (const [scope, method, rawPath, body] of cases) {
      const path = rawPath.replace("WF", wf);
      const ok = await withKey(keys[scope], method, path, body);
      expect(ok.status, `${method} ${path} with ${scope}`).not.toBe(403);
      expect(ok.status, `${method} ${path} with ${scope}`).not.toBe(401);
      if (!path.startsWith("/v1")) expect(ok.status, `${method} ${path} with ${scope}`).toBeLessThan(500);
      const other = scopes.find((s) => s !== scope && s !== "admin")!;
      const wrong = await withKey(keys[other === scope ? "chat" : other], method, path, body);
      expect(wrong.status, `${method} ${path} with ${other}`).toBe(403);
      const text = await wrong.text();
      expect(text).toContain(`'${scope}'`);
      // admin holds every scope.
      expect((await withKey(keys.admin, method, path, body)).status, `${method} ${path} with admin`).not.toBe(403);
    }
  });

  it("the chat proxy answers a missing scope in OpenAI's error shape", async () => {
    const key = await createKey("k-chat", { name: "no chat", scopes: ["jobs:read"] });
    const res = await withKey(key.secret, "POST", "/v1/chat/completions", { model: "x", messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe("permission_error");
    expect(body.error.message).toContain("'chat'");
  });

  it("the WebSocket needs jobs:run: refused with 1008 without it, open with it", async () => {
    const reader = await createKey("k-ws", { name: "reader", scopes: ["jobs:read"] });
    const runner = await createKey("k-ws", { name: "runner", scopes: ["jobs:run"] });
    const refused = (await worker().fetch(`https://edge.test/ws?api_key=${reader.secret}`, { headers: { Upgrade: "websocket" } })).webSocket!;
    const code = new Promise<number>((resolve) => refused.addEventListener("close", (e) => resolve(e.code)));
    refused.accept();
    expect(await code).toBe(1008);

    const open = (await worker().fetch("https://edge.test/ws", { headers: { Upgrade: "websocket", Authorization: `Bearer ${runner.secret}` } })).webSocket!;
    const reply = new Promise<string>((resolve) => open.addEventListener("message", (e) => resolve(String(e.data))));
    open.accept();
    open.send(JSON.stringify({ command: "ping" }));
    expect(JSON.parse(await reply)).toMatchObject({ command: "ping", type: "pong" });
    open.close(1000);
  });
});
