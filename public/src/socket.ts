import { decode, encode } from "@msgpack/msgpack";
import type { StreamMessage } from "./api";

/** One kind of the contract's job messages (`StreamMessage`, generated from /openapi.json). */
export type ContractMessage<T extends StreamMessage["type"]> = Extract<StreamMessage, { type: T }>;
export type JobStatus = ContractMessage<"job_update">["status"];

// ---- where the socket differs from the contract ----------------------------------------------------------
// The contract types job messages as the HTTP streams send them. The socket sends a few in NodeTool's shapes
// instead, so NodeTool's clients read them unmodified (docs/websocket-protocol.md "Job messages"; the server's
// translation is edge/sockets/nodetool-messages.ts). Those differences are typed here, once, from the contract.

type JobUpdate = ContractMessage<"job_update">;

/** NodeTool Python's `RunStateInfo`, sent on a job_update that ended other than completed. */
export interface RunStateInfo {
  status: JobStatus;
  suspended_node_id: string | null;
  suspension_reason: string | null;
  error_message: string;
  execution_strategy: string | null;
  is_resumable: boolean;
}

/**
 * A completed job_update: `result` holds every value each output received, a list per output (the contract's
 * `outputs`, which the socket does not send), as both NodeTool generations send it; `message` says how long it took.
 */
export type SocketCompletedUpdate = Omit<JobUpdate, "status" | "result" | "outputs"> & {
  status: "completed";
  result: NonNullable<JobUpdate["outputs"]>;
  message: string;
};

/** Any other job_update: the contract's, plus NodeTool's `message` (queued: its position; ended: the error) and `run_state`. */
export type SocketOtherUpdate = Omit<JobUpdate, "status"> & {
  status: Exclude<JobStatus, "completed">;
  message?: string;
  run_state?: RunStateInfo;
};

export type SocketJobUpdate = SocketCompletedUpdate | SocketOtherUpdate;

/** edge_update: each item an edge carries is NodeTool Python's `message_sent` (the contract's `active`). */
export type SocketEdgeUpdate = Omit<ContractMessage<"edge_update">, "status"> & { status: "message_sent" | "drained" };

/**
 * LLM and Agent text: NodeTool's top-level `chunk` message, sent instead of the node's output_update on its
 * `chunk` (or `thinking`) output. Not in the contract: the HTTP streams send that output_update.
 */
export type SocketChunk = Pick<ContractMessage<"output_update">, "node_id" | "job_id" | "workflow_id" | "job_seq"> & {
  type: "chunk";
  content: string;
  content_type: string;
  done: boolean;
  thinking?: true;
  content_metadata?: Record<string, unknown>;
};

/** A job message as the socket sends it: the contract's, with the differences above. */
export type JobFrame = Exclude<StreamMessage, { type: "job_update" | "edge_update" }> | SocketJobUpdate | SocketEdgeUpdate | SocketChunk;

// ---- frames ----------------------------------------------------------------------------------------------

/**
 * A frame the server sent: a command reply (`command`; schema/socket.ts, outside the HTTP contract, so read
 * as a plain object), a heartbeat, or a job message (`type`, `job_id`, `job_seq`: see {@link isJobFrame}).
 */
export type ServerFrame = Record<string, unknown>;

/**
 * Whether a frame is a job message: every job message carries its job's `job_id` and `job_seq`, and nothing
 * else the socket sends has a `job_seq`. The rest of its fields are the server's word (its frames are not re-validated).
 */
export function isJobFrame(frame: ServerFrame | JobFrame): frame is JobFrame {
  return typeof frame.job_seq === "number" && typeof frame.job_id === "string";
}

export interface SocketEvents {
  message(frame: ServerFrame): void;
  /** The socket closed (or never opened). 1008: the token was refused, `reason` says why. */
  closed(code: number, reason: string): void;
}

/**
 * The WebSocket protocol of `/ws` in binary mode: every frame is MessagePack both ways (job messages are
 * forwarded as the job logged them; bytes arrive as `Uint8Array`).
 */
export class JobSocket {
  private ws: WebSocket | null = null;
  private opening: Promise<void> | null = null;

  constructor(
    private readonly url: () => string,
    private readonly events: SocketEvents,
  ) {}

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Opens the socket if it is not open; resolves once it is. */
  connect(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    if (this.opening) return this.opening;
    const ws = new WebSocket(this.url());
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    this.opening = new Promise<void>((resolve, reject) => {
      let opened = false;
      ws.addEventListener("open", () => {
        opened = true;
        this.opening = null;
        resolve();
      });
      ws.addEventListener("message", (ev: MessageEvent) => {
        let frame: unknown;
        try {
          frame = typeof ev.data === "string" ? JSON.parse(ev.data) : decode(new Uint8Array(ev.data as ArrayBuffer));
        } catch (err) {
          console.error("unreadable frame", err);
          return;
        }
        if (frame && typeof frame === "object" && !Array.isArray(frame)) this.events.message(frame as ServerFrame);
      });
      ws.addEventListener("close", (ev: CloseEvent) => {
        // A socket replaced or closed by close() reports nothing.
        const current = this.ws === ws;
        if (current) {
          this.ws = null;
          this.opening = null;
        }
        if (!opened) reject(new Error(ev.reason || `the connection closed (${ev.code})`));
        if (current) this.events.closed(ev.code, ev.reason);
      });
    });
    return this.opening;
  }

  send(command: string, data?: unknown): void {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) throw new Error("not connected");
    this.ws.send(encode(data === undefined ? { command } : { command, data }));
  }

  close(): void {
    const ws = this.ws;
    this.ws = null;
    this.opening = null;
    ws?.close(1000, "bye");
  }
}
