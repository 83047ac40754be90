import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeEdge {
  url: string;
  /** Every request the runner made: path as sent and its Authorization header. */
  requests: { path: string; authorization?: string }[];
  /** Serves `bytes` at GET /api/runner/models/{key} (the key as the edge stores it, unencoded). */
  serve(key: string, bytes: Uint8Array): void;
  close(): Promise<void>;
}

/**
 * A real loopback HTTP server standing in for the edge's model route: it answers
 * `GET /api/runner/models/{key}` with the bytes registered for that key (404 otherwise) and records what
 * the runner asked for. `gate`, when given, holds each answer until it resolves (to test shared downloads).
 */
export async function startFakeEdge(options: { gate?: () => Promise<void> } = {}): Promise<FakeEdge> {
  const models = new Map<string, Uint8Array>();
  const requests: FakeEdge["requests"] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    // A runner's media-by-reference check (gpu-runner/src/blobs/edge-link.ts) is no model fetch: answered
    // 404, as by an edge without blob routes, and not recorded.
    if (req.url === "/api/runner/blobs") {
      res.writeHead(404, { "Content-Type": "application/json" }).end('{"error":{"message":"not found"}}');
      return;
    }
    requests.push({ path: req.url ?? "", authorization: req.headers.authorization });
    const prefix = "/api/runner/models/";
    const key = req.url?.startsWith(prefix) ? req.url.slice(prefix.length).split("/").map(decodeURIComponent).join("/") : undefined;
    const bytes = key === undefined ? undefined : models.get(key);
    if (options.gate) await options.gate();
    if (!bytes) {
      res.writeHead(404, { "Content-Type": "application/json" }).end('{"error":{"message":"not found"}}');
      return;
    }
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": bytes.byteLength }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    serve: (key, bytes) => void models.set(key, bytes),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
