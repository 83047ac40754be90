import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APIError, createApiClient, unwrap } from "../../client/index";

// The typed client (client/): its generated contract types must match what the Worker serves, and every error
// answer must come out as one APIError. The server here is a real loopback HTTP server.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("generated contract types", () => {
  it("client/openapi/ is what /openapi.json generates now (run `npm run generate:client` when this fails)", async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ["--import", "tsx", "scripts/generate-client.ts", "--check"], { cwd: ROOT, timeout: 170_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(stderr).not.toContain("is stale");
    expect({ code, stdout: stdout.trim() }).toEqual({ code: 0, stdout: "[generate-client] client/openapi/ is up to date" });
  }, 180_000);
});

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

describe("createApiClient", () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];

  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const body = await read(req);
      seen.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization, contentType: req.headers["content-type"], body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(value));
      };
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/api/workflows") {
        const cursor = url.searchParams.get("cursor");
        return json(200, { workflows: [{ id: cursor ? "wf-2" : "wf-1", name: "W" }], next: cursor ? null : "c1" });
      }
      if (url.pathname === "/api/workflows/missing") {
        return json(404, { error: { message: "Workflow not found", type: "not_found", code: 404 } });
      }
      if (url.pathname === "/api/jobs/j1/cancel") {
        return json(409, { error: { message: "The job already ended", type: "conflict", code: 409, job_id: "j1", status: "completed" } });
      }
      if (url.pathname === "/api/graph/validate") {
        return json(422, { error: { message: "Invalid graph", type: "validation_error", code: 422, details: [{ node_id: "n1", node_type: null, property: "a", message: "required" }] } });
      }
      if (url.pathname === "/api/examples/list") {
        res.writeHead(502, { "Content-Type": "text/html" });
        return res.end("<html>Bad gateway</html>");
      }
      json(500, { nope: true });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends the bearer token and returns the typed data; follows a cursor", async () => {
    const api = createApiClient(base, "tok-1");
    const first = unwrap(await api.GET("/api/workflows", { params: { query: { limit: 500 } } }));
    expect(first.workflows.map((w) => w.id)).toEqual(["wf-1"]);
    expect(first.next).toBe("c1");
    const second = unwrap(await api.GET("/api/workflows", { params: { query: { limit: 500, cursor: first.next ?? "" } } }));
    expect(second).toEqual({ workflows: [{ id: "wf-2", name: "W" }], next: null });
    expect(seen.slice(-2).map((s) => [s.url, s.authorization])).toEqual([
      ["/api/workflows?limit=500", "Bearer tok-1"],
      ["/api/workflows?limit=500&cursor=c1", "Bearer tok-1"],
    ]);
  });

  it("reads a token function before each request, and sends no header without a token", async () => {
    let token: string | null = null;
    const api = createApiClient(base, () => token);
    unwrap(await api.GET("/api/workflows"));
    expect(seen.at(-1)?.authorization).toBeUndefined();
    token = "tok-2";
    unwrap(await api.GET("/api/workflows"));
    expect(seen.at(-1)?.authorization).toBe("Bearer tok-2");
  });

  it("turns the contract's error body into an APIError with status, type, code, details and job id", async () => {
    const api = createApiClient(base, undefined);
    const notFound = await api.GET("/api/workflows/{id}", { params: { path: { id: "missing" } } }).then(unwrap).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(APIError);
    expect(notFound).toMatchObject({ status: 404, type: "not_found", code: 404, message: "Workflow not found", details: [] });

    const conflict = await api.POST("/api/jobs/{id}/cancel", { params: { path: { id: "j1" } } }).then(unwrap).catch((e: unknown) => e);
    expect(conflict).toMatchObject({ status: 409, type: "conflict", jobId: "j1" });

    const invalid = await api.POST("/api/graph/validate", { body: { graph: { nodes: [], edges: [] } } }).then(unwrap).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 422, type: "validation_error", details: [{ node_id: "n1", property: "a", message: "required" }] });
    expect(seen.at(-1)?.contentType).toBe("application/json");
  });

  it("reports an answer that is not the contract's error body as http_error with its text", async () => {
    const api = createApiClient(base, undefined);
    const err = await api.GET("/api/examples/list").then(unwrap).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toMatchObject({ status: 502, type: "http_error", code: 502, message: "<html>Bad gateway</html>" });
  });

  it("throws an APIError with status 0 when the server cannot be reached", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const api = createApiClient(`http://127.0.0.1:${port}`, "t");
    const err = await api.GET("/api/workflows").then(unwrap).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toMatchObject({ status: 0, type: "connection_error" });
    expect((err as APIError).cause).toBeInstanceOf(Error);
  });
});
