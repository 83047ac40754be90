import { decode, encode } from "@msgpack/msgpack";

/** A frame the server sent: a command reply (`command`) or a job message (`type`, `job_id`, `job_seq`). */
export type ServerFrame = Record<string, unknown>;

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
