/**
 * Conversation threads for `thread_id` (NodeTool: CreateThread seeds an id; an Agent with that id loads the
 * thread's messages before its prompt and saves its prompt and answer after). Threads live in the user's
 * workspace (`.threads/<id>.json`) when the host offers one, so they outlive the run; otherwise only for
 * the length of the run.
 */
import type { ChatMessage } from "../providers/types";
import type { EngineServices, NodeContext } from "../registry/types";
import { WorkspaceError } from "../workspace/workspace-service";

/** Messages a thread keeps; older ones are dropped first. */
export const MAX_THREAD_MESSAGES = 200;
const ID = /^[A-Za-z0-9_-]{1,128}$/;

interface StoredThread {
  id: string;
  title: string;
  messages: ChatMessage[];
}

const runThreads = new WeakMap<EngineServices, Map<string, StoredThread>>();

function checkId(id: string): void {
  if (!ID.test(id)) throw new Error(`thread_id must be 1-128 letters, digits, '_' or '-', got '${id.slice(0, 40)}'`);
}

const path = (id: string) => `.threads/${id}.json`;

async function read(ctx: NodeContext, id: string): Promise<StoredThread | null> {
  const ws = ctx.services.workspace;
  if (!ws) return runThreads.get(ctx.services)?.get(id) ?? null;
  try {
    return JSON.parse(new TextDecoder().decode(await ws.read(path(id), ctx.signal))) as StoredThread;
  } catch (err) {
    if (err instanceof WorkspaceError && err.reason === "not_found") return null;
    throw err;
  }
}

async function write(ctx: NodeContext, thread: StoredThread): Promise<void> {
  thread.messages = thread.messages.slice(-MAX_THREAD_MESSAGES);
  const ws = ctx.services.workspace;
  if (!ws) {
    let threads = runThreads.get(ctx.services);
    if (!threads) runThreads.set(ctx.services, (threads = new Map()));
    threads.set(thread.id, thread);
    return;
  }
  await ws.write(path(thread.id), new TextEncoder().encode(JSON.stringify(thread)), "application/json", ctx.signal);
}

export function newThreadId(now: number): string {
  return `thread_${now}_${Math.random().toString(36).slice(2, 10)}`;
}

/** Creates the thread unless it exists; returns its id. */
export async function createThread(ctx: NodeContext, id: string, title: string): Promise<string> {
  checkId(id);
  if (!(await read(ctx, id))) await write(ctx, { id, title, messages: [] });
  return id;
}

/** The thread's messages (none for an unknown thread). */
export async function threadMessages(ctx: NodeContext, id: string): Promise<ChatMessage[]> {
  checkId(id);
  return (await read(ctx, id))?.messages.filter((m) => m.role !== "system") ?? [];
}

export async function appendToThread(ctx: NodeContext, id: string, messages: ChatMessage[]): Promise<void> {
  checkId(id);
  const thread = (await read(ctx, id)) ?? { id, title: "Agent Conversation", messages: [] };
  thread.messages.push(...messages);
  await write(ctx, thread);
}
