import { DurableObject } from "cloudflare:workers";
import type { ChatThreadMessage, MessageCreate, Thread } from "../../schema/threads";
import type { Env } from "../config/env";

/** Threads one user may keep; messages one thread may keep (the oldest go first past it). */
export const MAX_THREADS = 10_000;
export const MAX_THREAD_MESSAGES = 10_000;

export type PageResult<T> = { ok: true; items: T[]; next: string | null } | { ok: false; error: string };

type ThreadRow = {
  seq: number;
  id: string;
  title: string | null;
  created_at: string;
  updated_at: string;
};

type MessageRow = {
  seq: number;
  id: string;
  thread_id: string;
  role: string;
  name: string | null;
  content: string;
  tool_calls: string | null;
  tool_call_id: string | null;
  provider: string | null;
  model: string | null;
  workflow_id: string | null;
  created_at: string;
  updated_at: string;
};

const now = () => new Date().toISOString();

/**
 * One per user (named by the user id): the user's chat threads and their messages in the object's SQLite
 * storage. Another user's thread is simply not in this object, so ownership needs no check. Pages are
 * cursor-based: a cursor is the id of the last item of the page before, as NodeTool's `paginate` does.
 */
export class ChatThreads extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS threads (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, title TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, thread_id TEXT NOT NULL, role TEXT NOT NULL, name TEXT,
      content TEXT NOT NULL, tool_calls TEXT, tool_call_id TEXT, provider TEXT, model TEXT, workflow_id TEXT,
      created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
    this.sql.exec("CREATE INDEX IF NOT EXISTS messages_by_thread ON messages (thread_id, seq)");
  }

  // ---- threads ---------------------------------------------------------------------------------------

  private threadRow(id: string): ThreadRow | undefined {
    return this.sql.exec<ThreadRow>("SELECT * FROM threads WHERE id = ?", id).toArray()[0];
  }

  async listThreads(userId: string, limit: number, cursor: string | undefined, reverse: boolean): Promise<PageResult<Thread>> {
    let after: number | undefined;
    if (cursor) {
      after = this.threadRow(cursor)?.seq;
      if (after === undefined) return { ok: false, error: `cursor '${cursor.slice(0, 64)}' is not a thread of yours (use the 'next' of the page before)` };
    }
    const where = after === undefined ? "" : reverse ? "WHERE seq < ?" : "WHERE seq > ?";
    const rows = this.sql
      .exec<ThreadRow>(`SELECT * FROM threads ${where} ORDER BY seq ${reverse ? "DESC" : "ASC"} LIMIT ?`, ...(after === undefined ? [] : [after]), limit + 1)
      .toArray();
    const more = rows.length > limit;
    const items = rows.slice(0, limit).map((r) => presentThread(r, userId));
    return { ok: true, items, next: more ? items[items.length - 1].id : null };
  }

  async getThread(userId: string, id: string): Promise<Thread | null> {
    const row = this.threadRow(id);
    return row ? presentThread(row, userId) : null;
  }

  /** Creates a thread (with `id` when given); an existing one of that id is returned as it is. */
  async createThread(userId: string, title: string | null, id?: string): Promise<{ ok: true; thread: Thread; created: boolean } | { ok: false; error: string }> {
    if (id) {
      const existing = this.threadRow(id);
      if (existing) return { ok: true, thread: presentThread(existing, userId), created: false };
    }
    const count = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM threads").one().n;
    if (count >= MAX_THREADS) return { ok: false, error: `You have ${MAX_THREADS} threads, the most one user may keep; delete some first` };
    const at = now();
    const threadId = id ?? crypto.randomUUID();
    this.sql.exec("INSERT INTO threads (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)", threadId, title ?? "New Thread", at, at);
    return { ok: true, thread: presentThread(this.threadRow(threadId)!, userId), created: true };
  }

  async updateThread(userId: string, id: string, title: string): Promise<Thread | null> {
    if (!this.threadRow(id)) return null;
    this.sql.exec("UPDATE threads SET title = ?, updated_at = ? WHERE id = ?", title, now(), id);
    return presentThread(this.threadRow(id)!, userId);
  }

  /** Deletes a thread and its messages; false when there is no such thread. */
  async deleteThread(id: string): Promise<boolean> {
    if (!this.threadRow(id)) return false;
    this.sql.exec("DELETE FROM messages WHERE thread_id = ?", id);
    this.sql.exec("DELETE FROM threads WHERE id = ?", id);
    return true;
  }

  // ---- messages --------------------------------------------------------------------------------------

  private messageRow(id: string): MessageRow | undefined {
    return this.sql.exec<MessageRow>("SELECT * FROM messages WHERE id = ?", id).toArray()[0];
  }

  /** A thread's messages in order (newest first with `reverse`); null when there is no such thread. */
  async listMessages(userId: string, threadId: string, limit: number, cursor: string | undefined, reverse: boolean): Promise<PageResult<ChatThreadMessage> | null> {
    if (!this.threadRow(threadId)) return null;
    let after: number | undefined;
    if (cursor) {
      const row = this.messageRow(cursor);
      if (!row || row.thread_id !== threadId) return { ok: false, error: `cursor '${cursor.slice(0, 64)}' is not a message of thread '${threadId}' (use the 'next' of the page before)` };
      after = row.seq;
    }
    const bound = after === undefined ? "" : reverse ? "AND seq < ?" : "AND seq > ?";
    const rows = this.sql
      .exec<MessageRow>(
        `SELECT * FROM messages WHERE thread_id = ? ${bound} ORDER BY seq ${reverse ? "DESC" : "ASC"} LIMIT ?`,
        threadId,
        ...(after === undefined ? [] : [after]),
        limit + 1,
      )
      .toArray();
    const more = rows.length > limit;
    const items = rows.slice(0, limit).map((r) => presentMessage(r, userId));
    return { ok: true, items, next: more ? items[items.length - 1].id : null };
  }

  /** The last `count` messages of a thread, oldest first: a chat turn's history. */
  async recentMessages(userId: string, threadId: string, count: number): Promise<ChatThreadMessage[]> {
    const rows = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE thread_id = ? ORDER BY seq DESC LIMIT ?", threadId, count).toArray();
    return rows.reverse().map((r) => presentMessage(r, userId));
  }

  async getMessage(userId: string, id: string): Promise<ChatThreadMessage | null> {
    const row = this.messageRow(id);
    return row ? presentMessage(row, userId) : null;
  }

  /**
   * Appends a message to a thread; without `thread_id` (or `createThread`) the thread is created first.
   * Null when the named thread does not exist.
   */
  async addMessage(
    userId: string,
    input: MessageCreate,
    createThread = false,
  ): Promise<{ ok: true; message: ChatThreadMessage } | { ok: false; error: string } | null> {
    let threadId = input.thread_id;
    if (!threadId || (createThread && !this.threadRow(threadId))) {
      const made = await this.createThread(userId, titleFrom(input.content), threadId);
      if (!made.ok) return made;
      threadId = made.thread.id;
    }
    if (!this.threadRow(threadId)) return null;
    const at = now();
    const id = crypto.randomUUID();
    this.sql.exec(
      `INSERT INTO messages (id, thread_id, role, name, content, tool_calls, tool_call_id, provider, model, workflow_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      threadId,
      input.role,
      input.name ?? null,
      JSON.stringify(input.content ?? null),
      input.tool_calls ? JSON.stringify(input.tool_calls) : null,
      input.tool_call_id ?? null,
      input.provider ?? null,
      input.model ?? null,
      input.workflow_id ?? null,
      at,
      at,
    );
    this.sql.exec("UPDATE threads SET updated_at = ? WHERE id = ?", at, threadId);
    // Bounded per thread: past the limit the oldest messages go.
    this.sql.exec(
      "DELETE FROM messages WHERE thread_id = ? AND seq <= (SELECT seq FROM messages WHERE thread_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)",
      threadId,
      threadId,
      MAX_THREAD_MESSAGES,
    );
    return { ok: true, message: presentMessage(this.messageRow(id)!, userId) };
  }

  async deleteMessage(id: string): Promise<boolean> {
    if (!this.messageRow(id)) return false;
    this.sql.exec("DELETE FROM messages WHERE id = ?", id);
    return true;
  }

  /** NodeTool's summarize: the thread's title from its first user text (at most 60 characters). */
  async summarize(userId: string, id: string): Promise<string | null> {
    if (!this.threadRow(id)) return null;
    const rows = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE thread_id = ? ORDER BY seq LIMIT 10", id).toArray();
    let title = "New Thread";
    for (const row of rows) {
      const text = titleFrom(JSON.parse(row.content));
      if (text) {
        title = text;
        break;
      }
    }
    await this.updateThread(userId, id, title);
    return title;
  }
}

/** NodeTool: the first non-empty text, whitespace collapsed, cut to 60 characters with "..." (routers/threads.ts). */
export function titleFrom(content: unknown): string | null {
  let text = "";
  if (typeof content === "string") text = content;
  else if (Array.isArray(content)) {
    const part = content.find((p) => p && typeof p === "object" && (p as { type?: unknown }).type === "text" && typeof (p as { text?: unknown }).text === "string");
    text = part ? (part as { text: string }).text : "";
  }
  text = text.trim().replace(/\s+/g, " ");
  if (!text) return null;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function presentThread(row: ThreadRow, userId: string): Thread {
  return { id: row.id, user_id: userId, title: row.title, created_at: row.created_at, updated_at: row.updated_at, etag: `${row.seq}-${row.updated_at}` };
}

function presentMessage(row: MessageRow, userId: string): ChatThreadMessage {
  return {
    type: "message",
    id: row.id,
    user_id: userId,
    thread_id: row.thread_id,
    role: row.role,
    name: row.name,
    content: JSON.parse(row.content) as ChatThreadMessage["content"],
    tool_calls: row.tool_calls ? (JSON.parse(row.tool_calls) as unknown[]) : null,
    tool_call_id: row.tool_call_id,
    provider: row.provider,
    model: row.model,
    workflow_id: row.workflow_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export type ThreadStore = Pick<
  ChatThreads,
  "listThreads" | "getThread" | "createThread" | "updateThread" | "deleteThread" | "listMessages" | "recentMessages" | "getMessage" | "addMessage" | "deleteMessage" | "summarize"
>;

/**
 * The user's thread store. The RPC stub types messages' `unknown` content as unserializable, so the stub is
 * handed out as the object's own method types (what it returns is plain JSON-like data).
 */
export function chatThreads(env: Env, userId: string): ThreadStore {
  return env.CHAT_THREADS.get(env.CHAT_THREADS.idFromName(userId)) as unknown as ThreadStore;
}
