import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

const TOKEN = "webhooks-e2e-static-token";

interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  status: number;
}

/** A loopback receiver that answers 500 to the first two attempts of every message, then 200. */
function startReceiver(): Promise<{ server: Server; url: string; received: Received[]; accepted(): Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const h: IncomingHttpHeaders = req.headers;
      const id = String(h["webhook-id"]);
      const status = received.filter((r) => r.id === id).length < 2 ? 500 : 200;
      received.push({ id, timestamp: String(h["webhook-timestamp"]), signature: String(h["webhook-signature"]), body: Buffer.concat(chunks).toString("utf8"), status });
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "try again");
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/hook`, received, accepted: () => received.filter((r) => r.status === 200) });
    }),
  );
}

/** Standard Webhooks verification, written here from the spec (not the server's code). */
function verify(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${r.id}.${r.timestamp}.${r.body}`).digest();
  return r.signature.split(" ").some((part) => {
    const [version, sig] = part.split(",");
    const given = Buffer.from(sig ?? "", "base64");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const workflow = {
  name: "hooked",
  graph: {
    nodes: [
      { id: "in", type: "nodetool.input.StringInput", data: { name: "text", value: "hi" } },
      { id: "out", type: "nodetool.output.Output", data: { name: "echo" } },
    ],
    edges: [{ id: "e1", source: "in", sourceHandle: "output", target: "out", targetHandle: "value" }],
  },
};

async function waitFor<T>(what: string, check: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let edge: LocalEdge;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

async function api(path: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(`${edge.url}${path}`, {
    method: init.method ?? "GET",
    headers: { Authorization: `Bearer ${token}`, ...(init.body !== undefined ? { "Content-Type": "application/json" } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

beforeAll(async () => {
  receiver = await startReceiver();
  const port = new URL(receiver.url).port;
  edge = await startEdge(migratedStateDir(), {
    AUTH_PROVIDER: "static",
    SERVER_AUTH_TOKEN: TOKEN,
    FETCH_ALLOW_HOSTS: `127.0.0.1:${port}`,
    WEBHOOK_RETRY_BASE_SECONDS: "0.2",
    WEBHOOK_MAX_ATTEMPTS: "5",
  });
});

afterAll(async () => {
  await edge?.stop();
  await new Promise((r) => receiver?.server.close(r));
});

describe("webhooks on the real Worker", () => {
  it("retries a failing receiver with backoff and delivers each event exactly once, signed", async () => {
    const created = await api("/api/keys", TOKEN, { method: "POST", body: { name: "integration", scopes: ["workflows:write", "jobs:run", "jobs:read"] } });
    expect(created.status).toBe(201);
    const key = (await created.json()) as { secret: string; webhook_secret: string };
    const wf = (await (await api("/api/workflows", key.secret, { method: "POST", body: workflow })).json()) as { id: string };

    const run = await api(`/workflows/${wf.id}/run`, key.secret, {
      method: "POST",
      body: { params: { text: "hello" }, webhook: { url: receiver.url, events: ["completed", "output"] } },
    });
    expect(run.status).toBe(200);
    const { job_id: jobId } = (await run.json()) as { job_id: string };

    const completed = await waitFor("the completed delivery", () => receiver.accepted().find((r) => JSON.parse(r.body).type === "job.completed"));
    await waitFor("the output delivery", () => receiver.accepted().find((r) => JSON.parse(r.body).type === "job.output"));
    // Time for any stray retry to show up.
    await new Promise((r) => setTimeout(r, 1500));

    const ids = [...new Set(receiver.received.map((r) => r.id))];
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const attempts = receiver.received.filter((r) => r.id === id);
      expect(attempts.map((a) => a.status)).toEqual([500, 500, 200]);
      expect(receiver.accepted().filter((r) => r.id === id)).toHaveLength(1);
      for (const a of attempts) expect(verify(key.webhook_secret, a)).toBe(true);
      // A wrong secret does not verify.
      expect(verify("whsec_" + Buffer.from("not the secret").toString("base64"), attempts[2])).toBe(false);
    }
    const body = JSON.parse(completed.body) as { type: string; data: Record<string, unknown> };
    expect(body.data).toMatchObject({ job_id: jobId, status: "completed", result: { echo: "hello" } });
    expect(Math.abs(Number(completed.timestamp) - Date.now() / 1000)).toBeLessThan(60);

    const list = await api(`/api/jobs/${jobId}/webhooks`, key.secret);
    expect(list.status).toBe(200);
    const { deliveries } = (await list.json()) as { deliveries: { id: string; event: string; status: string; attempts: number; history: { status: number }[] }[] };
    expect(deliveries.map((d) => d.event).sort()).toEqual(["completed", "output"]);
    for (const d of deliveries) {
      expect(d).toMatchObject({ status: "delivered", attempts: 3 });
      expect(d.history.map((h) => h.status)).toEqual([500, 500, 200]);
      expect(ids).toContain(d.id);
    }
  });

  it("refuses a receiver on a private address that is not allowed, and records it", async () => {
    const before = receiver.received.length;
    const wf = (await (await api("/api/workflows", TOKEN, { method: "POST", body: workflow })).json()) as { id: string };
    const run = await api(`/workflows/${wf.id}/run`, TOKEN, {
      method: "POST",
      body: { params: { text: "x" }, webhook: { url: "http://10.1.2.3:8080/hook", events: ["completed", "failed"] } },
    });
    expect(run.status).toBe(200);
    const { job_id: jobId, status } = (await run.json()) as { job_id: string; status: string };
    expect(status).toBe("completed");
    const list = (await (await api(`/api/jobs/${jobId}/webhooks`, TOKEN)).json()) as { deliveries: { status: string; attempts: number; last_error: string }[] };
    expect(list.deliveries).toHaveLength(1);
    expect(list.deliveries[0]).toMatchObject({ status: "refused", attempts: 0 });
    expect(list.deliveries[0].last_error).toMatch(/private|loopback|reserved/);
    expect(receiver.received.length).toBe(before);
  });

  it("a bad webhook in the request is a 422 naming the field", async () => {
    const wf = (await (await api("/api/workflows", TOKEN, { method: "POST", body: workflow })).json()) as { id: string };
    const res = await api(`/api/workflows/${wf.id}/run`, TOKEN, { method: "POST", body: { params: {}, webhook: { url: "ftp://example.com/x" } } });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toMatch(/webhook/);
  });
});
