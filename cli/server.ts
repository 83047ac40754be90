import { decode, encode } from "@msgpack/msgpack";
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { APIError, type ApiClient, createApiClient, type Schemas, unwrap } from "../client/index";
import type { Graph } from "../schema/workflow";
import { UsageError } from "./args";
import { isTerminal, outcomeOf, type Message, type Outcome, type RunCallbacks, type RunHandle } from "./runner";

/**
 * The WebSocket sends a completed `job_update` in NodeTool's shape (`result` holds a list per output, plus a
 * `message`: docs/websocket-protocol.md); the CLI prints the HTTP contract's, where `result` is the result map
 * (one value per output, the array when it received several, null when none) and `outputs` keeps the lists.
 */
function contractShape(m: Record<string, unknown>): Message {
  if (m.type !== "job_update" || m.status !== "completed" || typeof m.result !== "object" || m.result === null) return m as Message;
  const outputs = m.result as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(outputs)) {
    result[name] = Array.isArray(values) ? (values.length === 0 ? null : values.length === 1 ? values[0] : values) : values;
  }
  const { message: _message, ...rest } = m;
  return { ...rest, result, outputs } as Message;
}

/** Validation details (`{node_id, property, message}` or `{path, message}`) as lines. */
export function describeDetails(details: unknown[]): string[] {
  return details.map((d) => {
    if (typeof d !== "object" || d === null) return String(d);
    const r = d as Record<string, unknown>;
    const where = [r.node_id ? `node ${String(r.node_id)}` : "", r.node_type ? `(${String(r.node_type)})` : "", r.property ? `'${String(r.property)}'` : "", r.path ? String(r.path) : ""]
      .filter(Boolean)
      .join(" ");
    return where ? `${where}: ${String(r.message)}` : String(r.message);
  });
}

export type Workflow = Schemas["Workflow"];

/** The HTTP side of a nodetool-edge server: the typed client (client/) with the bearer token. */
export class EdgeClient {
  readonly api: ApiClient;

  constructor(
    readonly url: string,
    readonly token: string | undefined,
  ) {
    this.api = createApiClient(url, token);
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  /** The data of a call's answer; an unreachable server is a usage error (the URL or the server is wrong). */
  async call<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    try {
      return unwrap(await pending);
    } catch (err) {
      if (err instanceof APIError && err.status === 0) throw new UsageError(`cannot reach ${this.url}: ${causeOf(err.cause)}`);
      throw err;
    }
  }

  workflow(id: string): Promise<Workflow> {
    return this.call(this.api.GET("/api/workflows/{id}", { params: { path: { id } } }));
  }

  /** The caller's workflows, every page. */
  async workflows(): Promise<Workflow[]> {
    const all: Workflow[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.call(this.api.GET("/api/workflows", { params: { query: { limit: 500, ...(cursor ? { cursor } : {}) } } }));
      all.push(...page.workflows);
      cursor = page.next ?? undefined;
    } while (cursor);
    return all;
  }

  async cancelJob(jobId: string): Promise<void> {
    await this.call(this.api.POST("/api/jobs/{id}/cancel", { params: { path: { id: jobId } } }));
  }

  /** Bytes of a URL the run produced (a storage URL), with the token when it is this server's. */
  async fetchBytes(url: string): Promise<Uint8Array> {
    const own = url.startsWith(`${this.url}/`);
    const res = await fetch(url, { headers: own ? this.headers() : {} });
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}

/** What a failed fetch says went wrong (`ECONNREFUSED`, ...): Node puts it on the TypeError's `cause`. */
function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

export interface SocketRunRequest {
  workflowId?: string;
  graph?: Graph;
  params: Record<string, unknown>;
}

const RECONNECT_ATTEMPTS = 5;

/**
 * Runs a job over the WebSocket (`/predict`, MessagePack frames): `run_job` with a saved workflow's id or
 * an inline graph, under a job id chosen here so that Ctrl-C can cancel it at any moment. When the
 * connection drops before the job ends, it reconnects and resumes with `reconnect_job` after the last
 * `job_seq` it saw, so no message is lost or repeated. Cancelling goes through the jobs API.
 */
export function runOverSocket(client: EdgeClient, request: SocketRunRequest, callbacks: RunCallbacks): RunHandle {
  const jobId = `cli-${randomUUID()}`;
  let lastSeq = 0;
  let started = false;
  let finished = false;
  let socket: WebSocket | undefined;
  let resolveStarted: () => void = () => {};
  const startedSignal = new Promise<void>((resolve) => (resolveStarted = resolve));

  const done = new Promise<Outcome>((resolve, reject) => {
    const fail = (err: Error) => {
      if (finished) return;
      finished = true;
      socket?.close(1000);
      reject(err);
    };

    const onFrame = (frame: Record<string, unknown>) => {
      if (typeof frame.command === "string") {
        if (typeof frame.error === "string") {
          const status = frame.error_type === "not_found" ? 404 : frame.error_type === "validation_error" ? 422 : 400;
          fail(new APIError(status, { message: frame.error, type: String(frame.error_type ?? "error"), details: (frame.details as unknown[]) ?? [] }));
          return;
        }
        if ((frame.command === "run_job" || frame.command === "reconnect_job") && !started) {
          started = true;
          resolveStarted();
          callbacks.onStart(jobId);
        }
        return;
      }
      const m = contractShape(frame);
      if (m.job_id !== jobId || typeof m.type !== "string") return;
      const seq = typeof m.job_seq === "number" ? m.job_seq : undefined;
      if (seq !== undefined) {
        if (seq <= lastSeq) return; // already seen before a reconnect
        lastSeq = seq;
      }
      callbacks.onMessage(m);
      if (isTerminal(m)) {
        finished = true;
        socket?.close(1000);
        resolve(outcomeOf(jobId, m));
      }
    };

    const connect = (attempt: number) => {
      const wsUrl = `${client.url.replace(/^http/, "ws")}/predict`;
      const ws = new WebSocket(wsUrl, { headers: client.headers() });
      socket = ws;
      ws.binaryType = "nodebuffer";
      let opened = false;
      ws.on("open", () => {
        opened = true;
        const frame =
          attempt === 0
            ? { command: "run_job", data: { type: "run_job_request", ...(request.workflowId ? { workflow_id: request.workflowId } : {}), ...(request.graph ? { graph: request.graph } : {}), params: request.params, job_id: jobId } }
            : { command: "reconnect_job", data: { job_id: jobId, last_seq: lastSeq } };
        ws.send(encode(frame));
      });
      ws.on("message", (data: Buffer, isBinary: boolean) => {
        let frame: unknown;
        try {
          frame = isBinary ? decode(data) : JSON.parse(data.toString("utf8"));
        } catch {
          return;
        }
        if (typeof frame === "object" && frame !== null) onFrame(frame as Record<string, unknown>);
      });
      ws.on("unexpected-response", (_req, res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          let message = `the server refused the WebSocket with ${res.statusCode}`;
          let type = "http_error";
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { error?: { message?: string; type?: string } };
            message = body.error?.message ?? message;
            type = body.error?.type ?? type;
          } catch {
            // keep the generic message
          }
          fail(new APIError(res.statusCode ?? 0, { message, type }));
        });
      });
      ws.on("error", (err) => {
        if (!opened && attempt === 0) fail(new UsageError(`cannot reach ${client.url}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      });
      ws.on("close", (code, reason) => {
        if (finished) return;
        if (code === 1008) return fail(new APIError(401, { message: reason.toString("utf8") || "the server refused the token", type: "unauthorized" }));
        if (!started && attempt === 0 && !opened) return; // the error handler reported it
        if (!started) return fail(new Error("the connection closed before the job started"));
        if (attempt + 1 >= RECONNECT_ATTEMPTS) return fail(new Error(`lost the connection to ${client.url} (job ${jobId} may still be running)`));
        setTimeout(() => connect(attempt + 1), 250 * (attempt + 1));
      });
    };
    connect(0);
  });
  // A rejection is the caller's to handle through `done`; this keeps an early one from being "unhandled".
  done.catch(() => {});

  return {
    done,
    async cancel() {
      // The job must exist before it can be cancelled: wait for run_job's reply (or the end of the run).
      await Promise.race([startedSignal, done.then(() => undefined, () => undefined)]);
      if (finished) return;
      try {
        await client.cancelJob(jobId);
      } catch (err) {
        // 409: it had finished meanwhile; its terminal message is on the way.
        if (!(err instanceof APIError && err.status === 409)) throw err;
      }
    },
  };
}
