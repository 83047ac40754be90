import type { KeyLimits } from "../../schema/accounts";
import type { SocketMode } from "../../schema/socket";
import type { ExecutionDefaults } from "../execution/socket";

/**
 * The header that carries the authenticated user from the Worker to the connection's Durable Object. The
 * object is only reachable through the CONNECTIONS binding and the Worker always overwrites this header, so
 * the object can trust it; a client sending it gains nothing.
 */
export const SOCKET_USER_HEADER = "X-Nodetool-Socket-User";
/** The API key the upgrade was authenticated with (JSON `{id, limits}`), set by the Worker the same way. */
export const SOCKET_KEY_HEADER = "X-Nodetool-Socket-Key";
/** The origin the client connected to, so jobs started on the socket give absolute media URLs under it. */
export const SOCKET_ORIGIN_HEADER = "X-Nodetool-Socket-Origin";
/** `chat` for NodeTool's `/chat` socket (bare Message frames); absent for `/predict` and `/ws`. */
export const SOCKET_FLAVOR_HEADER = "X-Nodetool-Socket-Flavor";

/**
 * What a connection must remember across hibernation, kept on the socket with `serializeAttachment` (a
 * hibernated object wakes as a fresh instance with only its sockets and their attachments).
 */
export interface SocketSession {
  user_id: string;
  /** The mode replies and job messages are sent in. */
  mode: SocketMode;
  /** True after `set_mode`: the mode then stays until the next `set_mode`, whatever frames arrive. */
  pinned: boolean;
  /** The API key the connection was opened with: its jobs count against it (docs/accounts.md). */
  key?: { id: string; limits: KeyLimits };
  /** `chat`: NodeTool's `/chat` socket, where a frame without `command` is a chat Message and `{type: "stop"}` stops. */
  flavor?: "chat" | "execution";
  /** `/ws/execution`: the query's run_id and record_outputs (edge/execution/socket.ts). */
  execution?: ExecutionDefaults;
  /** The origin of the upgrade request (for media URLs when PUBLIC_BASE_URL is not set). */
  origin?: string;
}

export function newSession(userId: string, key?: SocketSession["key"], flavor?: SocketSession["flavor"], execution?: ExecutionDefaults, origin?: string): SocketSession {
  // Binary until the first frame says otherwise: NodeTool's clients default to MessagePack.
  return { user_id: userId, mode: "binary", pinned: false, ...(key ? { key } : {}), ...(flavor ? { flavor } : {}), ...(execution ? { execution } : {}), ...(origin ? { origin } : {}) };
}

export function readSession(ws: WebSocket): SocketSession | null {
  const value = ws.deserializeAttachment() as SocketSession | null;
  return value && typeof value.user_id === "string" ? value : null;
}
