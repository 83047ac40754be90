import type { SocketMode } from "../../schema/socket";
import { decodeMsgpack, encodeMsgpack, toJsonText } from "../streaming/wire";
import { toNodeToolMessage } from "./nodetool-messages";

/**
 * Frames on the wire (docs/websocket-protocol.md): a binary frame is one MessagePack value, a text frame one JSON
 * value. The kind of frame a client sends decides the mode it is answered in (unless `set_mode` pinned it).
 */

export type ReadFrame = { mode: SocketMode; ok: true; value: unknown } | { mode: SocketMode; ok: false; error: string };

function asBytes(message: ArrayBuffer | ArrayBufferView): Uint8Array {
  return message instanceof ArrayBuffer ? new Uint8Array(message) : new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
}

/** Reads one client frame; a frame that does not parse says why instead of throwing. */
export function readClientFrame(message: string | ArrayBuffer | ArrayBufferView): ReadFrame {
  if (typeof message === "string") {
    try {
      return { mode: "text", ok: true, value: JSON.parse(message) };
    } catch (err) {
      return { mode: "text", ok: false, error: `Text frame is not valid JSON (${(err as Error).message}); send {"command": ..., "data": ...}` };
    }
  }
  try {
    return { mode: "binary", ok: true, value: decodeMsgpack(asBytes(message)) };
  } catch (err) {
    return { mode: "binary", ok: false, error: `Binary frame is not valid MessagePack (${(err as Error).message}); send a MessagePack map {command, data}` };
  }
}

/** A reply in the connection's mode: MessagePack keeps bytes as `bin`; JSON carries them as `data:` URIs. */
export function encodeReply(mode: SocketMode, value: unknown): string | Uint8Array {
  return mode === "binary" ? encodeMsgpack(value) : toJsonText(value);
}

/**
 * One job message, given as the MessagePack bytes the job logged, in the form NodeTool's clients read
 * (nodetool-messages.ts). A binary client gets the logged bytes as they are when the message needs no
 * translation; a text client gets the JSON form.
 */
export function encodeJobMessage(mode: SocketMode, msgpack: Uint8Array): string | Uint8Array {
  const logged = decodeMsgpack(msgpack);
  const translated = toNodeToolMessage(logged);
  if (translated === null) return mode === "binary" ? msgpack : toJsonText(logged);
  return encodeReply(mode, translated);
}
