import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseAllowedHosts } from "../../host/web/config";
import { GuardedHttpService } from "../../host/web/http-service";
import { SerpApiSearchService } from "../../host/search/search-service";
import { runWorkflow } from "../../engine/executor/run-workflow";
import type { EngineServices } from "../../engine/registry/types";
import type { EngineMessage } from "../../schema/messages";
import { graph, registry } from "./helpers";

/**
 * A real HTTP server on loopback for the web node tests, and the services a run gets: the Worker's own
 * GuardedHttpService (plain fetch, so it runs in Node too) with this server's port allowed, as an operator
 * would allow it through FETCH_ALLOW_HOSTS.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => unknown;

export interface Loopback {
  url: string;
  host: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startLoopback(routes: Record<string, Handler>): Promise<Loopback> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://loopback");
      const recorded: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(recorded);
      const handler = routes[url.pathname];
      if (!handler) {
        res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
        return;
      }
      Promise.resolve(handler(recorded, res)).catch((err) => res.writeHead(500).end(String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Outbound HTTP that allows exactly these loopback servers (host:port), with optional limits. */
export function httpService(allowed: string[], limits: { maxBytes?: number; timeoutMs?: number } = {}): GuardedHttpService {
  return new GuardedHttpService({ allowed: parseAllowedHosts(allowed.join(",")), maxBytes: limits.maxBytes ?? 1024 * 1024, timeoutMs: limits.timeoutMs ?? 10_000 });
}

export function searchService(server: Loopback, apiKey = "test-key"): SerpApiSearchService {
  return new SerpApiSearchService({ baseUrl: server.url, apiKey });
}

export interface NodeRun {
  status: string;
  error?: string;
  /** Every value each output handle produced, in order. */
  outputs: Record<string, unknown[]>;
  messages: EngineMessage[];
}

/** Runs one node with the given services, wiring each named output handle to an Output sink. */
export async function runWith(type: string, data: Record<string, unknown>, handles: string[], services: Partial<EngineServices>): Promise<NodeRun> {
  const g = graph(
    [{ id: "n", type, data }, ...handles.map((h) => ({ id: `out_${h}`, type: "nodetool.output.Output", data: { name: h } }))],
    handles.map((h) => ["n", h, `out_${h}`, "value"] as [string, string, string, string]),
  );
  const messages: EngineMessage[] = [];
  const result = await runWorkflow(g, {}, { registry, services: { now: () => Date.UTC(2024, 0, 2, 3, 4, 5), ...services }, emit: (m) => messages.push(m) });
  return { status: result.status, error: result.error, outputs: result.outputs, messages };
}

/** The single value of one output handle; throws the node's error when the run failed. */
export async function outputOf(type: string, data: Record<string, unknown>, services: Partial<EngineServices>, handle = "output"): Promise<unknown> {
  const r = await runWith(type, data, [handle], services);
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return r.outputs[handle]?.[0];
}

/** Every output of a completed one-shot node, one value per handle. */
export async function outputsOf(type: string, data: Record<string, unknown>, handles: string[], services: Partial<EngineServices>): Promise<Record<string, unknown>> {
  const r = await runWith(type, data, handles, services);
  if (r.status !== "completed") throw new Error(r.error ?? r.status);
  return Object.fromEntries(handles.map((h) => [h, r.outputs[h]?.[0]]));
}
