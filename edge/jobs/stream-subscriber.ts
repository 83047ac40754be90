import { lengthPrefixed } from "../streaming/wire";
import { SSE_DONE, SSE_KEEPALIVE, STREAM_HEADERS, textFrame, utf8, type StreamFormat } from "../streaming/frames";

// Frames are coalesced and written once per turn of the event loop (or at this size): a job emitting
// thousands of messages per second then costs a few stream writes, not one per message.
const FLUSH_BYTES = 64 * 1024;

/**
 * One live reader of a job's messages: an HTTP stream (SSE or NDJSON) or a WebSocket connection's
 * msgpack feed. It owns the response body; the job pushes frames in order and closes it at the end.
 */
export class StreamSubscriber {
  readonly response: Response;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private text = "";
  private binary: Uint8Array[] = [];
  private pendingBytes = 0;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
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
    if (format === "sse" && keepaliveMs) this.keepalive = setInterval(() => this.pushText(SSE_KEEPALIVE), keepaliveMs);
  }

  /** One message: `json` is only computed for text formats, and at most once per message by the caller. */
  pushMessage(seq: number, msgpack: Uint8Array, json: () => string): void {
    if (this.format === "msgpack") {
      const framed = lengthPrefixed(msgpack);
      this.binary.push(framed);
      this.pendingBytes += framed.length;
    } else {
      const frame = textFrame(this.format, seq, json());
      this.text += frame;
      this.pendingBytes += frame.length;
    }
    this.schedule();
  }

  private pushText(frame: string): void {
    this.text += frame;
    this.pendingBytes += frame.length;
    this.schedule();
  }

  private schedule(): void {
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (this.flushTimer === null) this.flushTimer = setTimeout(() => this.flush(), 0);
  }

  private flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pendingBytes === 0 || this.gone) return;
    let chunk: Uint8Array;
    if (this.format === "msgpack") {
      chunk = new Uint8Array(this.pendingBytes);
      let offset = 0;
      for (const part of this.binary) {
        chunk.set(part, offset);
        offset += part.length;
      }
      this.binary = [];
    } else {
      chunk = utf8(this.text);
      this.text = "";
    }
    this.pendingBytes = 0;
    this.writer.write(chunk).catch(() => this.drop());
  }

  /** Ends the stream after what was pushed (SSE adds `data: [DONE]`). */
  close(): void {
    if (this.format === "sse") this.text += SSE_DONE;
    this.pendingBytes += this.format === "sse" ? SSE_DONE.length : 0;
    this.flush();
    this.stopTimers();
    this.writer.close().catch(() => {});
  }

  private drop(): void {
    if (this.gone) return;
    this.gone = true;
    this.stopTimers();
    this.onGone(this);
  }

  private stopTimers(): void {
    if (this.keepalive !== null) clearInterval(this.keepalive);
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.keepalive = this.flushTimer = null;
  }
}
