import { decode, encode } from "@msgpack/msgpack";
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import type { Graph } from "../schema/workflow";
import { UsageError } from "./args";
import { isTerminal, outcomeOf, type Message, type Outcome, type RunCallbacks, type RunHandle } from "./runner";

/** An error answer of the API (`{"error": {message, type, code, details?}}`). */

/**
 * The WebSocket sends a completed `job_update` in NodeTool's shape (`result` holds a list per output, plus a
 * `message`: docs/websocket-protocol.md); the CLI prints the HTTP contract's, where `result` is the result map
 * (one value per output, the array when it received several, null when none) and `outputs` keeps the lists.
 */
function contractShape(m: Message): Message {
  if (m.type !== "job_update" || m.status !== "completed" || typeof m.result !== "object" || m.result === null) return m;
  const outputs = m.result as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(outputs)) {
    result[name] = Array.isArray(values) ? (values.length === 0 ? null : values.length === 1 ? values[0] : values) : values;
  }
  const { message: _message, ...rest } = m;
  return { ...rest, result, outputs };
}

export class ServerError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.name = "ServerError";
  }
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

/** The HTTP side of a nodetool-edge server: plain fetch with the bearer token. */
export class EdgeClient {
  constructor(
    readonly url: string,
    readonly token: string | undefined,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: this.headers(body === undefined ? {} : { "Content-Type": "application/json" }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new UsageError(`cannot reach ${this.url}: ${causeOf(err)}`);
    }
    const text = await res.text();
    let parsed: unknown ;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // not JSON: reported below when the status is an error
    }
    if (!res.ok) {
      const error = (parsed as { error?: { message?: string; type?: string; details?: unknown[] } } | undefined)?.error;
      throw new ServerError(res.status, error?.message ?? (text.slice(0, 300) || res.statusText), error?.type ?? "http_error", error?.details ?? []);
    }
    return parsed as T;
  }

  /** Bytes of a URL the run produced (a storage URL), with the token when it is this server's. */
  async fetchBytes(url: string): Promise<Uint8Array> {
    const own = url.startsWith(`${this.url}/`);
    const res = await fetch(url, { headers: own ? this.headers() : {} });
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}

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
          fail(new ServerError(status, frame.error, String(frame.error_type ?? "error"), (frame.details as unknown[]) ?? []));
          return;
        }
        if ((frame.command === "run_job" || frame.command === "reconnect_job") && !started) {
          started = true;
          resolveStarted();
          callbacks.onStart(jobId);
        }
        return;
      }
      const m = contractShape(frame as Message);
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
          fail(new ServerError(res.statusCode ?? 0, message, type));
        });
      });
      ws.on("error", (err) => {
        if (!opened && attempt === 0) fail(new UsageError(`cannot reach ${client.url}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      });
      ws.on("close", (code, reason) => {
        if (finished) return;
        if (code === 1008) return fail(new ServerError(401, reason.toString("utf8") || "the server refused the token", "unauthorized"));
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
        await client.request("POST", `/api/jobs/${encodeURIComponent(jobId)}/cancel`);
      } catch (err) {
        // 409: it had finished meanwhile; its terminal message is on the way.
        if (!(err instanceof ServerError && err.status === 409)) throw err;
      }
    },
  };
}
