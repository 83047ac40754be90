import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

// Black-box: the real Worker (workerd) runs web nodes whose HttpService is the Worker's own fetch guard. One
// loopback server is allow-listed through FETCH_ALLOW_HOSTS (and also plays the SerpAPI provider), the other
// is not; FETCH_MAX_BYTES is small so an answer can cross it.
const TOKEN = "e2e-web-token";
const MAX_BYTES = 4096;

interface Local {
  url: string;
  host: string;
  paths: string[];
  queries: URLSearchParams[];
  server: Server;
}

type Route = (q: URLSearchParams) => { type: string; body: string; chunks?: number; location?: string };

async function listen(routes: Record<string, Route>): Promise<Local> {
  const local = { paths: [] as string[], queries: [] as URLSearchParams[] } as Local;
  local.server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    local.paths.push(url.pathname);
    local.queries.push(url.searchParams);
    const route = routes[url.pathname];
    if (!route) return void res.writeHead(404).end();
    const { type, body, chunks = 1, location } = route(url.searchParams);
    res.writeHead(location ? 302 : 200, { "Content-Type": type, ...(location ? { Location: location } : {}) });
    for (let i = 0; i < chunks; i++) res.write(body);
    res.end();
  });
  await new Promise<void>((resolve) => local.server.listen(0, "127.0.0.1", resolve));
  const { port } = local.server.address() as AddressInfo;
  local.url = `http://127.0.0.1:${port}`;
  local.host = `127.0.0.1:${port}`;
  return local;
}

let allowed: Local;
let blocked: Local;
let edge: LocalEdge;

beforeAll(async () => {
  blocked = await listen({ "/secret": () => ({ type: "text/plain", body: "internal secret" }) });
  allowed = await listen({
    "/page": () => ({ type: "text/html; charset=utf-8", body: "<html><head><title>Allowed page</title></head></html>" }),
    // Chunked without a Content-Length: the cap must be enforced while the body streams in.
    "/big": () => ({ type: "text/plain", body: "x".repeat(1000), chunks: 10 }),
    "/to-blocked": () => ({ type: "text/plain", body: "", location: `${blocked.url}/secret` }),
    "/search.json": (q) => ({ type: "application/json", body: JSON.stringify({ organic_results: [{ position: 1, title: `About ${q.get("q")}`, link: "https://r.example/" }] }) }),
  });
  edge = await startEdge(migratedStateDir(), {
    AUTH_PROVIDER: "static",
    SERVER_AUTH_TOKEN: TOKEN,
    FETCH_ALLOW_HOSTS: allowed.host,
    FETCH_MAX_BYTES: String(MAX_BYTES),
    SEARCH_API_BASE_URL: allowed.url,
    SEARCH_API_KEY: "e2e-search-key",
  });
});
afterAll(async () => {
  await edge?.stop();
  for (const s of [allowed, blocked]) if (s) await new Promise<void>((resolve) => s.server.close(() => resolve()));
});

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${edge.url}${path}`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

/** Saves a one-node workflow (its `output` into an Output named "out") and runs it on the Worker. */
async function runOne(type: string, data: Record<string, unknown>, handle = "output"): Promise<{ status: number; body: Record<string, unknown> }> {
  const graph = {
    nodes: [
      { id: "n", type, data },
      { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
    ],
    edges: [{ id: "e", source: "n", sourceHandle: handle, target: "out", targetHandle: "value" }],
  };
  const created = await post("/api/workflows", { name: "web e2e", graph });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const run = await post(`/api/workflows/${id}/run`, { params: {} });
  return { status: run.status, body: (await run.json()) as Record<string, unknown> };
}

describe("web nodes on the Worker", () => {
  it("fetch an allow-listed loopback server", async () => {
    const r = await runOne("lib.http.GetRequest", { url: `${allowed.url}/page` });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ out: "<html><head><title>Allowed page</title></head></html>" });
  });

  it("are refused a loopback address that is not allow-listed, before any request reaches it", async () => {
    const r = await runOne("lib.http.GetRequest", { url: `${blocked.url}/secret` });
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.body)).toMatch(/refused to fetch http:\/\/127\.0\.0\.1:\d+: 127\.0\.0\.1 is a private, loopback, link-local or reserved address/);
    expect(blocked.paths).toEqual([]);
  });

  it("check every redirect hop: an allow-listed server cannot redirect them to a private address", async () => {
    const r = await runOne("lib.http.GetRequest", { url: `${allowed.url}/to-blocked` });
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.body)).toMatch(/refused to fetch http:\/\/127\.0\.0\.1:\d+/);
    expect(allowed.paths).toContain("/to-blocked");
    expect(blocked.paths).toEqual([]);
  });

  it("fail clearly when an answer is over FETCH_MAX_BYTES", async () => {
    const r = await runOne("lib.http.GetRequest", { url: `${allowed.url}/big` });
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.body)).toContain(`larger than ${MAX_BYTES} bytes (FETCH_MAX_BYTES)`);
  });

  it("search through the operator's SerpAPI-compatible provider with its key", async () => {
    const r = await runOne("search.bing.BingSearch", { query: "soup" }, "text");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ out: "[1] About soup\n    https://r.example/\n" });
    const sent = allowed.queries[allowed.paths.lastIndexOf("/search.json")];
    expect(Object.fromEntries(sent)).toEqual({ engine: "bing", q: "soup", count: "10", hl: "en", gl: "us", api_key: "e2e-search-key" });
  });
});
