import { createExecutionContext, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createWorkerFetch } from "../../edge/app";
import type { UserQueue } from "../../edge/queue/user-queue";
import { saved } from "./helpers";
import { call, echoWorkflow, errorOf, tokenFor, worker } from "./users";

// The workers project runs with MAX_BODY_BYTES=65536 (vitest.config.ts).
const LIMIT = 65_536;

/** Every route that takes a JSON body and was seen to fail on oversized ones, with a body it would accept. */
const BODY_ROUTES: [string, string][] = [
  ["PUT", "/api/workflows/limits-put"],
  ["POST", "/api/workflows"],
  ["POST", "/workflows/limits-run/run"],
  ["POST", "/workflows/limits-run/run/stream"],
  ["POST", "/api/workflows/limits-run/run"],
  ["POST", "/api/graph/validate"],
  ["POST", "/api/graph/export"],
  ["POST", "/api/examples/hello-world/copy"],
];

async function send(user: string, method: string, path: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return worker().fetch(`https://edge.test${path}`, {
    method,
    headers: { Authorization: `Bearer ${await tokenFor(user)}`, "Content-Type": "application/json", ...headers },
    body,
  });
}

/** The Worker's own fetch under other settings: what a deployment with them answers. */
async function withSettings(vars: Record<string, string>, user: string, method: string, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, headers: { Authorization: `Bearer ${await tokenFor(user)}`, "Content-Type": "application/json" } };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  return createWorkerFetch()(new Request(`https://edge.test${path}`, init), { ...env, ...vars } as never, createExecutionContext());
}

/** A stream of `total` bytes of JSON-ish text in 16 KiB chunks, counting how much of it was pulled. */
function countedStream(total: number, opts: { holdAfter?: number } = {}) {
  const state = { pulled: 0, release: () => {} };
  const held = new Promise<void>((resolve) => (state.release = resolve));
  const chunk = new TextEncoder().encode(" ".repeat(16_384));
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (opts.holdAfter !== undefined && state.pulled >= opts.holdAfter) await held;
      if (state.pulled >= total) return controller.close();
      state.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, state };
}

function chain(n: number) {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: "nodetool.constant.String", data: { value: "x" } }));
  const edges = Array.from({ length: n - 1 }, (_, i) => ({ id: `e${i}`, source: `n${i}`, sourceHandle: "output", target: `n${i + 1}`, targetHandle: "value" }));
  return { nodes, edges };
}

function deep(levels: number): unknown {
  return JSON.parse("[".repeat(levels) + "]".repeat(levels));
}

describe("MAX_BODY_BYTES", () => {
  it("refuses a declared Content-Length over the limit with 413 in the contract's shape on every JSON route", async () => {
    const huge = JSON.stringify({ ...echoWorkflow("huge"), description: "x".repeat(LIMIT + 10) });
    for (const [method, path] of BODY_ROUTES) {
      const res = await send("limits-a", method, path, huge);
      expect(res.status, path).toBe(413);
      expect(res.headers.get("content-type"), path).toMatch(/application\/json/);
      expect(await errorOf(res), path).toEqual({ type: "payload_too_large", code: 413, message: expect.stringContaining("MAX_BODY_BYTES") });
    }
    expect((await call("limits-a", "GET", "/api/workflows/limits-put")).status).toBe(404);
  });

  it("answers /v1/chat/completions' 413 in OpenAI's shape", async () => {
    const res = await send("limits-a", "POST", "/v1/chat/completions", JSON.stringify({ model: "x", messages: [{ role: "user", content: "x".repeat(LIMIT) }] }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { message: expect.stringContaining("MAX_BODY_BYTES"), type: "invalid_request_error", param: null, code: "request_too_large" } });
  });

  it("refuses a chunked body as soon as it crosses the limit, before the client has sent the rest", async () => {
    for (const path of ["/api/workflows/limits-chunked", "/v1/chat/completions"]) {
      // The client sends a little over the limit, then stalls: the 413 must come while it is stalled.
      const { stream, state } = countedStream(10 * 1024 * 1024, { holdAfter: LIMIT + 32_768 });
      const res = await send("limits-b", path.startsWith("/v1") ? "POST" : "PUT", path, stream);
      expect(res.status, path).toBe(413);
      expect(state.pulled, path).toBeLessThan(LIMIT + 32_768 + 16_384 * 2);
      state.release();
      const text = await res.text();
      expect(text, path).toMatch(/MAX_BODY_BYTES/);
    }
  });

  it("takes a chunked body under the limit as if its length had been declared", async () => {
    const body = new TextEncoder().encode(JSON.stringify(echoWorkflow("chunked")));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(body.slice(0, 10));
        controller.enqueue(body.slice(10));
        controller.close();
      },
    });
    const res = await send("limits-b", "PUT", "/api/workflows/limits-chunked-ok", stream);
    expect(res.status).toBe(201);
    expect(((await res.json()) as { name: string }).name).toBe("chunked");
  });

  it("keeps serving other users while and after refusing bodies", async () => {
    const id = await saved("limits-other");
    const refused = Promise.all(Array.from({ length: 4 }, () => send("limits-c", "POST", "/api/graph/validate", "x".repeat(LIMIT * 4))));
    const other = await call("limits-other", "GET", `/api/workflows/${id}`);
    expect(other.status).toBe(200);
    for (const res of await refused) expect(res.status).toBe(413);
    expect((await call("limits-other", "GET", `/api/workflows/${id}`)).status).toBe(200);
  });
});

describe("MAX_JSON_DEPTH", () => {
  it("refuses JSON nested 10,000 deep as params, as a workflow field or as a graph body with 400", async () => {
    const id = await saved("limits-d");
    const cases: [string, string, unknown][] = [
      ["POST", `/workflows/${id}/run`, { params: { "first name": deep(10_000) } }],
      ["POST", `/workflows/${id}/run/stream`, { params: { "first name": deep(10_000) } }],
      ["PUT", `/api/workflows/${id}`, { ...echoWorkflow(), extra: deep(10_000) }],
      ["POST", "/api/workflows", { ...echoWorkflow(), settings: { x: deep(10_000) } }],
      ["POST", "/api/graph/validate", { ...echoWorkflow(), params: { x: deep(10_000) } }],
    ];
    for (const [method, path, body] of cases) {
      const res = await send("limits-d", method, path, JSON.stringify(body));
      expect(res.status, path).toBe(400);
      expect(await errorOf(res), path).toEqual({ type: "invalid_request", code: 400, message: expect.stringContaining("MAX_JSON_DEPTH") });
    }
    const chat = await send("limits-d", "POST", "/v1/chat/completions", JSON.stringify({ model: "x", messages: [{ role: "user", content: deep(10_000) }] }));
    expect(chat.status).toBe(400);
    expect(((await chat.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    // Brackets inside strings are text, not nesting.
    const text = await send("limits-d", "PUT", `/api/workflows/${id}`, JSON.stringify({ ...echoWorkflow(), description: "[{".repeat(5000) }));
    expect(text.status).toBe(200);
  });

  it("takes nesting up to MAX_JSON_DEPTH and refuses one level more", async () => {
    // The body object itself is the first level.
    const ok = await withSettings({ MAX_JSON_DEPTH: "12" }, "limits-d", "POST", "/api/workflows", { ...echoWorkflow(), extra: deep(11) });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { extra: unknown }).extra).toEqual(deep(11));
    const over = await withSettings({ MAX_JSON_DEPTH: "12" }, "limits-d", "POST", "/api/workflows", { ...echoWorkflow(), extra: deep(12) });
    expect(over.status).toBe(400);
  });
});

describe("MAX_GRAPH_NODES and MAX_GRAPH_EDGES", () => {
  const big = { MAX_BODY_BYTES: String(64 * 1024 * 1024) };

  it("refuses a 50,000-node graph and a 20,000-node chain with 413 on every graph route", async () => {
    const wide = { name: "wide", graph: { nodes: Array.from({ length: 50_000 }, (_, i) => ({ id: `n${i}`, type: "nodetool.constant.String" })), edges: [] } };
    const long = { name: "long", graph: chain(20_000) };
    for (const body of [wide, long]) {
      for (const [method, path] of [["POST", "/api/workflows"], ["PUT", "/api/workflows/limits-graph"], ["POST", "/api/graph/validate"], ["POST", "/api/graph/export"]]) {
        const res = await withSettings(big, "limits-e", method, path, body);
        expect(res.status, `${body.name} ${path}`).toBe(413);
        expect((await errorOf(res)).message).toMatch(/MAX_GRAPH_NODES/);
      }
    }
    const bare = await withSettings(big, "limits-e", "POST", "/api/graph/validate", chain(20_000));
    expect(bare.status).toBe(413);
  });

  it("validates a chain at the default limit without failing, and counts edges separately", async () => {
    const res = await withSettings(big, "limits-e", "POST", "/api/graph/validate", { graph: chain(5_000) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { node_count: number }).node_count).toBe(5_000);
    const edges = chain(30);
    const tooMany = await withSettings({ MAX_GRAPH_EDGES: "20" }, "limits-e", "POST", "/api/graph/validate", { graph: edges });
    expect(tooMany.status).toBe(413);
    expect((await errorOf(tooMany)).message).toMatch(/29 edges.*MAX_GRAPH_EDGES/);
    const fits = await withSettings({ MAX_GRAPH_NODES: "30", MAX_GRAPH_EDGES: "29" }, "limits-e", "POST", "/api/graph/validate", { graph: edges });
    expect(fits.status).toBe(200);
  });
});

describe("list and string bounds", () => {
  it("refuses list limits over 500 with 422", async () => {
    for (const path of ["/api/models", "/api/workflows", "/api/jobs", "/api/assets"]) {
      const over = await call("limits-f", "GET", `${path}?limit=501`);
      expect(over.status, path).toBe(422);
      expect((await errorOf(over)).type).toBe("validation_error");
      expect((await call("limits-f", "GET", `${path}?limit=500`)).status, path).toBe(200);
      expect((await call("limits-f", "GET", `${path}?limit=0`)).status, path).toBe(422);
    }
  });

  it("refuses oversized node ids, types, handles and tags with 422", async () => {
    const long = "n".repeat(513);
    const cases = [
      { graph: { nodes: [{ id: long, type: "nodetool.constant.String" }], edges: [] } },
      { graph: { nodes: [{ id: "a", type: `nodetool.${long}` }], edges: [] } },
      { graph: { nodes: [{ id: "a", type: "nodetool.constant.String" }], edges: [{ source: "a", sourceHandle: long, target: "a", targetHandle: "value" }] } },
      { ...echoWorkflow(), tags: [long] },
    ];
    for (const body of cases) {
      const res = await call("limits-f", "PUT", "/api/workflows/limits-strings", body);
      expect(res.status).toBe(422);
    }
  });
});

describe("queue slots", () => {
  it("frees a slot whose job ended without releasing it once, not again after the queue restarts", async () => {
    const user = "limits-ghosts";
    const now = new Date().toISOString();
    // Two jobs whose rows still say running, but which have no job object (they died before updating the row).
    for (const id of ["lg-1", "lg-2"]) {
      await env.DB.prepare("INSERT INTO jobs (id, user_id, workflow_id, status, params, created_at, attempts) VALUES (?, ?, NULL, 'running', '{}', ?, 1)").bind(id, user, now).run();
    }
    const queue = env.QUEUES.get(env.QUEUES.idFromName(user));
    expect(await queue.admit("lg-3", user)).toEqual({ admitted: false, position: 1 });
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
    try {
      expect(await runDurableObjectAlarm(queue)).toBe(true);
      // The object restarts (its memory is gone; storage and D1 stay): the ghosts must not take slots again.
      for (let restart = 0; restart < 3; restart++) {
        await runInDurableObject(queue, (instance: UserQueue) => {
          const inner = instance as unknown as { running: Set<string>; loading: Promise<void> | null };
          inner.running.clear();
          inner.loading = null;
        });
        await runDurableObjectAlarm(queue);
      }
    } finally {
      console.warn = warn;
    }
    const freed = warnings.filter((w) => w.includes("ended without releasing it"));
    expect(freed.filter((w) => w.includes("lg-1"))).toHaveLength(1);
    expect(freed.filter((w) => w.includes("lg-2"))).toHaveLength(1);
    // Both slots are free: two new jobs start at once.
    expect(await queue.admit("lg-4", user)).toEqual({ admitted: true });
    expect(await queue.admit("lg-5", user)).toEqual({ admitted: true });
  });
});
