import { lengthPrefixed } from "../streaming/wire";
import { SSE_DONE, SSE_KEEPALIVE, STREAM_HEADERS, textFrame, utf8, type StreamFormat } from "../streaming/frames";

/** One stamped message on its way out: its msgpack bytes, and its JSON text made at most once. */
export interface OutgoingMessage {
  seq: number;
  msgpack: Uint8Array;
  json(): string;
}

/**
 * One live reader of a job's messages: an HTTP stream (SSE or NDJSON) or a WebSocket connection's msgpack
 * feed. It owns the response body. The job hands it messages in batches (one per turn of the event loop),
 * and each batch becomes one write: thousands of messages a second cost a few stream writes.
 */
export class StreamSubscriber {
  readonly response: Response;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private keepalive: ReturnType<typeof setInterval> | null = null;
  private gone = false;

  constructor(
    readonly format: StreamFormat,
    /** Called once when the reader went away, so the job stops writing to it. */
    private readonly onGone: (sub: StreamSubscriber) => void,
    keepaliveMs?: number,
  ) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    this.writer = writable.getWriter();
    this.response = new Response(readable, { headers: STREAM_HEADERS[format] });
    if (format === "sse" && keepaliveMs) this.keepalive = setInterval(() => this.write(utf8(SSE_KEEPALIVE)), keepaliveMs);
  }

  push(messages: readonly OutgoingMessage[]): void {
    if (messages.length === 0 || this.gone) return;
    if (this.format === "msgpack") {
      const frames = messages.map((m) => lengthPrefixed(m.msgpack));
      const chunk = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
      let offset = 0;
      for (const frame of frames) {
        chunk.set(frame, offset);
        offset += frame.length;
      }
      this.write(chunk);
    } else {
      let text = "";
      for (const m of messages) text += textFrame(this.format, m.seq, m.json());
      this.write(utf8(text));
    }
  }

  /** Ends the stream after what was pushed (SSE adds `data: [DONE]`). */
  close(): void {
    if (this.format === "sse") this.write(utf8(SSE_DONE));
    this.stopKeepalive();
    this.writer.close().catch(() => {});
  }

  private write(chunk: Uint8Array): void {
    if (this.gone) return;
    this.writer.write(chunk).catch(() => this.drop());
  }

  private drop(): void {
    if (this.gone) return;
    this.gone = true;
    this.stopKeepalive();
    this.onGone(this);
  }

  private stopKeepalive(): void {
    if (this.keepalive !== null) clearInterval(this.keepalive);
    this.keepalive = null;
  }
}
