import { DurableObject } from "cloudflare:workers";
import type { SocketMode, SocketReply } from "../../schema/socket";
import { getConfig } from "../config/config";
import type { JobRow } from "../../schema/tables";
import type { Env } from "../config/env";
import { ApiError } from "../errors/api-error";
import { openJobEvents } from "../jobs/job-stream";
import { CLOSE_INTERNAL_ERROR, closeSafely } from "./close";
import { errorReply, runCommand, type CommandContext, type CommandOutcome } from "./commands";
import { encodeJobMessage, encodeReply, readClientFrame } from "./frame-codec";
import { JobFollower } from "./job-follower";
import { newSession, readSession, SOCKET_FLAVOR_HEADER, SOCKET_KEY_HEADER, SOCKET_ORIGIN_HEADER, SOCKET_USER_HEADER, type SocketSession } from "./session";
import { ChatMessageDataSchema, type ChatMessageData } from "../../schema/threads";
import { runChatTurn, startChat } from "../threads/chat-turn";
import { captureIndexMessage, executionFrame, SOCKET_EXECUTION_HEADER, type ExecutionDefaults } from "../execution/socket";

/** Chat turns one connection may run at once (one per thread). */
export const MAX_CHAT_TURNS = 4;

/** Finished jobs a connection remembers having delivered, so an idempotent run_job does not replay them. */
const MAX_DELIVERED = 256;

/**
 * One Durable Object per WebSocket connection (docs/architecture.md#1-the-pieces and docs/websocket-protocol.md), using the hibernation API: the
 * runtime holds the socket, and an object that follows no job can be evicted between frames and wake with
 * only the socket and its attachment (user and mode). While it follows jobs, their open feeds keep it in
 * memory. Jobs live in their own objects, so closing the socket stops the forwarding, never the jobs.
 */
export class ConnectionObject extends DurableObject<Env> {
  private session: SocketSession | null = null;
  /** Jobs whose messages this connection forwards, by job id; one follower per job. */
  private readonly followers = new Map<string, JobFollower>();
  /** Jobs whose messages this connection forwarded to their end (bounded: the oldest are forgotten). */
  private readonly delivered = new Set<string>();
  /** Running chat turns by thread id (edge/threads/chat-turn.ts); `stop` aborts them. */
  private readonly chats = new Map<string, AbortController>();
  /** When this instance last sent a frame; 0 after a wake from hibernation (the heartbeat then pings at once). */
  private lastSentMs = 0;

  /** The upgrade the Worker forwarded after authenticating it. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const userId = request.headers.get(SOCKET_USER_HEADER);
    if (!userId) return new Response("missing user", { status: 400 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const key = request.headers.get(SOCKET_KEY_HEADER);
    const flavorHeader = request.headers.get(SOCKET_FLAVOR_HEADER);
    const flavor = flavorHeader === "chat" || flavorHeader === "execution" ? flavorHeader : undefined;
    const execution = request.headers.get(SOCKET_EXECUTION_HEADER);
    const origin = request.headers.get(SOCKET_ORIGIN_HEADER) ?? undefined;
    this.session = newSession(userId, key ? (JSON.parse(key) as SocketSession["key"]) : undefined, flavor, execution ? (JSON.parse(execution) as ExecutionDefaults) : undefined, origin);
    server.serializeAttachment(this.session);
    this.lastSentMs = Date.now();
    await this.armHeartbeat();
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * The server's heartbeat (NodeTool's runner sends `{type: "ping", ts}` every 25 s): an alarm, so that an
   * idle, hibernated connection is still pinged; a connection that sent something within the interval is not.
   */
  override async alarm(): Promise<void> {
    const interval = getConfig(this.env).wsHeartbeatMs;
    const sockets = this.ctx.getWebSockets();
    if (interval <= 0 || sockets.length === 0) return;
    const now = Date.now();
    if (now - this.lastSentMs >= interval - 50) {
      for (const ws of sockets) {
        const session = this.sessionOf(ws);
        if (session) this.sendRaw(ws, encodeReply(session.mode, { type: "ping", ts: now / 1000 }));
      }
    }
    await this.ctx.storage.setAlarm(this.lastSentMs + interval);
  }

  private async armHeartbeat(): Promise<void> {
    const interval = getConfig(this.env).wsHeartbeatMs;
    if (interval > 0) await this.ctx.storage.setAlarm(Date.now() + interval);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const session = this.sessionOf(ws);
    if (!session) {
      // Only possible if the attachment was lost; the connection cannot tell whose it is.
      closeSafely(ws, CLOSE_INTERNAL_ERROR, "Connection state lost; reconnect");
      return;
    }
    const frame = readClientFrame(message);
    // Replies follow the kind of the last frame received, unless set_mode pinned the mode.
    if (!session.pinned && session.mode !== frame.mode) this.setMode(ws, session, frame.mode, false);
    if (!frame.ok) {
      this.send(ws, errorReply(new ApiError("invalid_request", frame.error)));
      return;
    }
    if (session.flavor === "chat" && isChatFrame(frame.value)) {
      this.chatFrame(ws, session, frame.value as Record<string, unknown>);
      return;
    }
    // /ws/execution: a bare run frame becomes run_job, with the query's run_id and record_outputs.
    if (session.flavor === "execution") frame.value = executionFrame(frame.value, session.execution ?? { record_outputs: true });
    const control = controlFrame(frame.value);
    if (control !== null) {
      // NodeTool's control frames have a `type` and no `command` (ws-commands.ts `controlMessageInSchemas`).
      if (control === "ping") this.send(ws, { type: "pong", ts: Date.now() / 1000 });
      else if (control !== "pong") {
        this.send(ws, errorReply(new ApiError("invalid_request", `Control frame type '${control.slice(0, 64)}' is not supported here; send {"type": "ping"} or a {command, data} frame`)));
      }
      return;
    }
    const ctx: CommandContext = {
      env: this.env,
      userId: session.user_id,
      ...(session.key ? { key: session.key } : {}),
      pinMode: (mode) => this.setMode(ws, session, mode, true),
      ...(session.origin ? { requestUrl: session.origin } : {}),
      followedJobIds: () => [...this.followers.keys()],
      hasFollowed: (jobId) => this.followers.has(jobId) || this.delivered.has(jobId),
      chat: (data) => this.chat(ws, session, data),
      stopChats: (threadId) => this.stopChats(threadId),
    };
    const outcome = await runCommand(ctx, frame.value);
    for (const before of outcome.before ?? []) if (!this.send(ws, before)) return;
    if (!this.send(ws, outcome.reply)) return;
    if (outcome.follow) this.follow(ws, outcome.follow.row, outcome.follow.after);
    outcome.afterReply?.();
  }

  // ---- chat ------------------------------------------------------------------------------------------

  /** `chat_message`: stores the user's message, then (after the reply) streams the turn to this socket. */
  private async chat(ws: WebSocket, session: SocketSession, data: ChatMessageData): Promise<CommandOutcome> {
    if (data.thread_id && this.chats.has(data.thread_id)) {
      throw new ApiError("conflict", `Thread '${data.thread_id}' is already answering on this connection; send stop with its thread_id first`);
    }
    if (this.chats.size >= MAX_CHAT_TURNS) throw new ApiError("conflict", `At most ${MAX_CHAT_TURNS} chat turns run at once on one connection`);
    const started = await startChat(this.env, session.user_id, data);
    const controller = new AbortController();
    this.chats.set(started.threadId, controller);
    const run = () => {
      const send = (message: Record<string, unknown>) => void this.sendRaw(ws, encodeReply(this.session!.mode, message));
      void runChatTurn(this.env, session.user_id, data, started, controller.signal, send).finally(() => {
        if (this.chats.get(started.threadId) === controller) this.chats.delete(started.threadId);
      });
    };
    return {
      reply: { command: "chat_message", message: "Chat message processing started", thread_id: started.threadId, message_id: started.userMessage.id },
      afterReply: run,
    };
  }

  private stopChats(threadId?: string): string[] {
    const stopped: string[] = [];
    for (const [id, controller] of this.chats) {
      if (threadId !== undefined && id !== threadId) continue;
      controller.abort(new DOMException("Generation stopped by user", "AbortError"));
      this.chats.delete(id);
      stopped.push(id);
    }
    return stopped;
  }

  /**
   * NodeTool's `/chat` socket: a bare Message frame is a chat message (no reply of its own: the turn's frames
   * follow), `{type: "stop"}` stops the running turns with `generation_stopped`. Failures are `{type: "error"}`.
   */
  private chatFrame(ws: WebSocket, session: SocketSession, frame: Record<string, unknown>): void {
    const reply = (message: Record<string, unknown>) => void this.sendRaw(ws, encodeReply(session.mode, message));
    if (frame.type === "stop") {
      const threadId = typeof frame.thread_id === "string" ? frame.thread_id : undefined;
      this.stopChats(threadId);
      reply({ type: "generation_stopped", message: "Generation stopped by user", job_id: null, thread_id: threadId ?? null });
      return;
    }
    const parsed = ChatMessageDataSchema.safeParse(frame);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      reply({ type: "error", message: `Invalid chat message: ${issue.path.join(".") || "message"}: ${issue.message}`, thread_id: typeof frame.thread_id === "string" ? frame.thread_id : null });
      return;
    }
    void this.chat(ws, session, parsed.data)
      .then((outcome) => outcome.afterReply?.())
      .catch((err) => reply({ type: "error", message: errorReply(err).error, thread_id: parsed.data.thread_id ?? null }));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.stopFollowing();
    // The hibernation API leaves the closing handshake to us; a received 1005/1006 is answered with 1000.
    closeSafely(ws, code, reason);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    console.error("[socket] connection error", error);
    this.stopFollowing();
    closeSafely(ws, CLOSE_INTERNAL_ERROR, "Connection error");
  }

  // ---- state -----------------------------------------------------------------------------------------

  /** The session from memory, or after a wake from hibernation from the socket's attachment. */
  private sessionOf(ws: WebSocket): SocketSession | null {
    this.session ??= readSession(ws);
    return this.session;
  }

  private setMode(ws: WebSocket, session: SocketSession, mode: SocketMode, pinned: boolean): void {
    session.mode = mode;
    session.pinned = pinned || session.pinned;
    // Written through, so a wake from hibernation answers in the same mode.
    ws.serializeAttachment(session);
  }

  // ---- sending ---------------------------------------------------------------------------------------

  /** Sends a reply in the connection's current mode; false when the socket is gone. */
  private send(ws: WebSocket, reply: SocketReply): boolean {
    return this.sendRaw(ws, encodeReply(this.session!.mode, reply));
  }

  private sendRaw(ws: WebSocket, data: string | Uint8Array): boolean {
    try {
      ws.send(data);
      this.lastSentMs = Date.now();
      return true;
    } catch {
      this.stopFollowing();
      return false;
    }
  }

  // ---- following jobs --------------------------------------------------------------------------------

  /**
   * Forwards a job's messages after `after`, replayed then live. A second follow of the same job (a
   * reconnect_job on a job this connection follows) replaces the first: the client said what it has.
   */
  private follow(ws: WebSocket, row: JobRow, after: number): void {
    this.followers.get(row.id)?.stop();
    const follower = new JobFollower(row.id, (msgpack) => this.sendRaw(ws, encodeJobMessage(this.session!.mode, msgpack)));
    this.followers.set(row.id, follower);
    void follower
      .run(() => openJobEvents(this.env, row, "msgpack", after))
      .then((end) => {
        if (this.followers.get(row.id) === follower) this.followers.delete(row.id);
        if (end === "ended") this.rememberDelivered(row.id);
        if (end === "ended" && this.session?.flavor === "execution") this.sendCaptureIndex(ws, row.id);
        if (end === "interrupted") {
          this.send(
            ws,
            errorReply(
              new ApiError(
                "internal_error",
                `The message feed of job '${row.id}' broke off; send reconnect_job with the last job_seq you received to resume`,
                undefined,
                { job_id: row.id },
              ),
            ),
          );
        }
      });
  }

  private rememberDelivered(jobId: string): void {
    this.delivered.add(jobId);
    if (this.delivered.size > MAX_DELIVERED) this.delivered.delete(this.delivered.values().next().value as string);
  }

  /** `/ws/execution`: a recorded run's capture index, after its terminal job_update. */
  private sendCaptureIndex(ws: WebSocket, runId: string): void {
    const session = this.session!;
    void captureIndexMessage(this.env, session.user_id, runId)
      .then((message) => message && this.sendRaw(ws, encodeReply(session.mode, message)))
      .catch((err) => console.error(`[socket] capture index of ${runId}`, err));
  }

  private stopFollowing(): void {
    for (const follower of this.followers.values()) follower.stop();
    this.followers.clear();
  }
}

/** On `/chat`: a frame that is a chat Message (`content` or `role`) or a bare stop, not a command. */
function isChatFrame(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array) return false;
  const frame = value as Record<string, unknown>;
  if (frame.command !== undefined) return false;
  return frame.type === "stop" || "content" in frame || "role" in frame;
}

/** The `type` of a control frame (an object with a string `type` and no `command`), or null for anything else. */
function controlFrame(value: unknown): string | null {
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array) return null;
  const frame = value as { type?: unknown; command?: unknown };
  return frame.command === undefined && typeof frame.type === "string" ? frame.type : null;
}
