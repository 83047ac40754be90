import { Decoder, Encoder } from "@msgpack/msgpack";

/**
 * Wire encodings of job messages (docs/architecture.md#5-stream-messages-sse-and-ndjson and docs/websocket-protocol.md). MessagePack is the canonical form: it is what
 * the event log stores and what binary WebSocket clients get, so media bytes survive as `bin`. JSON surfaces
 * (SSE, NDJSON, text WebSocket frames, D1 columns) get bytes as base64 `data:` URIs instead.
 */

// `ignoreUndefined` keeps an absent field absent: a live JSON message and one replayed from the log match.
const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

export function encodeMsgpack(value: unknown): Uint8Array {
  return encoder.encode(value);
}

export function decodeMsgpack(bytes: ArrayBuffer | Uint8Array): unknown {
  return decoder.decode(bytes);
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  // Chunked: String.fromCharCode with a huge spread overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function bytesToDataUri(bytes: Uint8Array, mime = "application/octet-stream"): string {
  return `data:${mime};base64,${base64(bytes)}`;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return bytesToDataUri(value);
  if (value instanceof ArrayBuffer) return bytesToDataUri(new Uint8Array(value));
  return value;
}

/** JSON text of a value, with bytes as `data:` URIs. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, jsonReplacer);
}

/** The value as plain JSON data (bytes as `data:` URIs), for JSON columns. */
export function toJsonData<T>(value: T): T {
  return JSON.parse(toJsonText(value)) as T;
}

/**
 * Length-prefixed MessagePack frames: how a job streams to the WebSocket connections that follow it. The
 * 4-byte big-endian length keeps message boundaries, so a binary client's frame is forwarded untouched.
 */
export function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  const framed = new Uint8Array(4 + bytes.length);
  new DataView(framed.buffer).setUint32(0, bytes.length);
  framed.set(bytes, 4);
  return framed;
}

/** Splits a byte stream of length-prefixed frames back into frames, across chunk boundaries. */
export class FrameSplitter {
  private pending: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): Uint8Array[] {
    let buf = chunk;
    if (this.pending.length > 0) {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending);
      buf.set(chunk, this.pending.length);
    }
    const frames: Uint8Array[] = [];
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let offset = 0;
    while (buf.length - offset >= 4) {
      const length = view.getUint32(offset);
      if (buf.length - offset - 4 < length) break;
      frames.push(buf.subarray(offset + 4, offset + 4 + length));
      offset += 4 + length;
    }
    this.pending = buf.slice(offset);
    return frames;
  }
}
