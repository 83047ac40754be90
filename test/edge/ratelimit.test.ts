import { env, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../edge/app";
import { saved } from "./helpers";
import { call, errorOf, tokenFor, worker } from "./users";

async function createKey(user: string, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const res = await call(user, "POST", "/api/keys", body);
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; secret: string };
}

function withKey(secret: string, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${secret}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return worker().fetch(`https://edge.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Windows are whole clock minutes: a burst that straddles a boundary would count in two windows. */
async function awayFromMinuteBoundary(): Promise<void> {
  const into = Date.now() % 60_000;
  if (into > 50_000) await new Promise((r) => setTimeout(r, 60_000 - into + 200));
}

/** StringInput -> Wait(seconds) -> Output: a job that holds its slot for a while. */
function waitWorkflow(seconds: number) {
  return {
    name: "wait",
    graph: {
      nodes: [
        { id: "in", type: "nodetool.input.StringInput", data: { name: "text", value: "x" } },
        { id: "wait", type: "nodetool.triggers.Wait", data: { timeout_seconds: seconds } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      edges: [
        { id: "e1", source: "in", sourceHandle: "output", target: "wait", targetHandle: "input" },
        { id: "e2", source: "wait", sourceHandle: "data", target: "out", targetHandle: "value" },
      ],
    },
  };
}

// Tests that wait for a fresh minute window may wait up to ~10 s.
const WINDOW_WAIT = 30_000;

describe("requests per minute", () => {
  it("admits exactly the key's limit out of 200 parallel requests; the rest get 429 with the headers", async () => {
    const key = await createKey("rl-burst", { name: "burst", scopes: ["workflows:read"], limits: { requests_per_minute: 37 } });
    await awayFromMinuteBoundary();
    const responses = await Promise.all(Array.from({ length: 200 }, () => withKey(key.secret, "GET", "/api/workflows")));
    const ok = responses.filter((r) => r.status === 200);
    const limited = responses.filter((r) => r.status === 429);
    expect(ok).toHaveLength(37);
    expect(limited).toHaveLength(163);

    const remaining = ok.map((r) => Number(r.headers.get("X-RateLimit-Remaining"))).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 37 }, (_, i) => i));
    for (const r of ok) expect(r.headers.get("X-RateLimit-Limit")).toBe("37");

    const refused = limited[0];
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get("X-RateLimit-Limit")).toBe("37");
    expect(refused.headers.get("X-RateLimit-Remaining")).toBe("0");
    const reset = Number(refused.headers.get("X-RateLimit-Reset"));
    expect(reset).toBeGreaterThan(Date.now() / 1000 - 1);
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 61);
    const err = await errorOf(refused);
    expect(err).toMatchObject({ type: "rate_limited", code: 429 });
    expect(err.message).toMatch(/37 requests per minute/);
    await Promise.all(responses.filter((r) => !r.bodyUsed).map((r) => r.body?.cancel()));
  }, WINDOW_WAIT);

  it("keys of one user have their own windows; 0 means no limit for that key", async () => {
    const a = await createKey("rl-two", { name: "a", scopes: ["workflows:read"], limits: { requests_per_minute: 2 } });
    const b = await createKey("rl-two", { name: "b", scopes: ["workflows:read"], limits: { requests_per_minute: 0 } });
    await awayFromMinuteBoundary();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await withKey(a.secret, "GET", "/api/workflows")).status);
    expect(statuses).toEqual([200, 200, 429]);
    for (let i = 0; i < 5; i++) {
      const res = await withKey(b.secret, "GET", "/api/workflows");
      expect(res.status).toBe(200);
      expect(res.headers.get("X-RateLimit-Limit")).toBeNull();
    }
    // The user's own token is not limited by its keys' windows.
    expect((await call("rl-two", "GET", "/api/workflows")).status).toBe(200);
  }, WINDOW_WAIT);

  it("the chat proxy is limited too, in OpenAI's error shape with the same headers", async () => {
    const key = await createKey("rl-chat", { name: "chat", scopes: ["chat"], limits: { requests_per_minute: 1 } });
    await awayFromMinuteBoundary();
    const first = await withKey(key.secret, "GET", "/v1/models");
    expect(first.status).not.toBe(429);
    const second = await withKey(key.secret, "GET", "/v1/models");
    expect(second.status).toBe(429);
    expect(second.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(second.headers.get("X-RateLimit-Limit")).toBe("1");
    expect(((await second.json()) as { error: { type: string } }).error.type).toBe("rate_limited".replace("rate_limited", "rate_limit_error"));
  }, WINDOW_WAIT);

  it("USER_REQUESTS_PER_MINUTE limits a user's own token across all their credentials", async () => {
    const app = createApp();
    const limitedEnv = { ...env, USER_REQUESTS_PER_MINUTE: "3" };
    const token = await tokenFor("rl-user");
    await awayFromMinuteBoundary();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request("https://edge.test/api/workflows", { headers: { Authorization: `Bearer ${token}` } }), limitedEnv, ctx);
      await waitOnExecutionContext(ctx);
      statuses.push(res.status);
      if (res.status === 429) expect((await errorOf(res)).message).toMatch(/this account/);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  }, WINDOW_WAIT);
});

describe("concurrent jobs", () => {
  it("admits exactly the key's concurrent_jobs out of parallel runs, and frees a slot when a job ends", async () => {
    const user = "rl-jobs";
    const wf = await saved(user, waitWorkflow(20));
    const key = await createKey(user, { name: "jobs", scopes: ["jobs:run", "jobs:read"], limits: { concurrent_jobs: 3, requests_per_minute: 0 } });
    const responses = await Promise.all(Array.from({ length: 20 }, () => withKey(key.secret, "POST", `/workflows/${wf}/run/stream`, { params: {} })));
    const started = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 429);
    expect(started).toHaveLength(3);
    expect(refused).toHaveLength(17);
    expect(refused[0].headers.get("Retry-After")).toBe("1");
    expect(refused[0].headers.get("X-RateLimit-Limit")).toBe("3");
    expect((await errorOf(refused[0])).message).toMatch(/3 jobs queued or running/);
    // A refused run leaves no job behind.
    const jobs = (await (await withKey(key.secret, "GET", "/api/jobs?limit=100")).json()) as { jobs: { id: string }[] };
    expect(jobs.jobs).toHaveLength(3);

    const first = started[0].headers.get("X-Job-Id")!;
    expect((await withKey(key.secret, "POST", `/api/jobs/${first}/cancel`)).status).toBe(200);
    const next = await withKey(key.secret, "POST", `/workflows/${wf}/run/stream`, { params: {} });
    expect(next.status).toBe(200);
    for (const r of [...started, next]) {
      await withKey(key.secret, "POST", `/api/jobs/${r.headers.get("X-Job-Id")}/cancel`);
      await r.body?.cancel();
    }
  });
});
