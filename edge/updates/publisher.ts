/**
 * `/updates`: the user's job status changes, pushed to every `/updates` socket of that user. The user's queue
 * object (edge/queue/user-queue.ts) sees every status change of the user's jobs (admitted or queued, started
 * from the line, released when ended), so it holds these sockets (hibernatable: an idle one costs nothing) and
 * publishes each change to them. A change is looked up in D1 only while someone listens.
 *
 * Each message is NodeTool's `job_update` (packages/protocol/src/messages.ts `jobUpdateSchema`):
 * `{type, status, job_id, workflow_id, queue_position?, error?, duration?, message?}`. JSON text frames; a
 * client whose last frame was binary gets MessagePack. `{type: "ping"}` is answered `{type: "pong", ts}`.
 */
import type { JobStatus } from "../../schema/messages";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { findJob } from "../jobs/job-rows";
import { decodeMsgpack, encodeMsgpack } from "../streaming/wire";

export const UPDATES_TAG = "updates";

interface UpdatesAttachment {
  binary: boolean;
}

const ENDED = ["completed", "failed", "cancelled", "timed_out"];

/** Accepts an `/updates` socket onto the queue object's state (hibernation API). */
export function acceptUpdatesSocket(state: DurableObjectState): Response {
  const { 0: client, 1: server } = new WebSocketPair();
  state.acceptWebSocket(server, [UPDATES_TAG]);
  server.serializeAttachment({ binary: false } satisfies UpdatesAttachment);
  return new Response(null, { status: 101, webSocket: client });
}

function send(ws: WebSocket, message: Record<string, unknown>): void {
  const binary = (ws.deserializeAttachment() as UpdatesAttachment | null)?.binary === true;
  try {
    ws.send(binary ? encodeMsgpack(message) : JSON.stringify(message));
  } catch {
    // Gone: the runtime drops it from getWebSockets() once closed.
  }
}

/** A client frame on an `/updates` socket: only pings mean anything; the frame kind picks the reply kind. */
export function onUpdatesMessage(ws: WebSocket, message: string | ArrayBuffer): void {
  const binary = typeof message !== "string";
  ws.serializeAttachment({ binary } satisfies UpdatesAttachment);
  let frame: unknown;
  try {
    frame = binary ? decodeMsgpack(new Uint8Array(message)) : JSON.parse(message);
  } catch {
    send(ws, { type: "error", message: "Frames on /updates are JSON (or MessagePack) objects such as {\"type\": \"ping\"}" });
    return;
  }
  if (frame && typeof frame === "object" && (frame as { type?: unknown }).type === "ping") send(ws, { type: "pong", ts: Date.now() / 1000 });
}

/**
 * Sends a job's new status to the user's `/updates` sockets. `status` is what the queue knows; an ended job's
 * row (written before its slot is released) gives the final status, error and duration.
 */
export async function publishJobUpdate(
  state: DurableObjectState,
  env: Env,
  userId: string | undefined,
  jobId: string,
  status: JobStatus | "ended",
  extra: { queue_position?: number } = {},
): Promise<void> {
  const sockets = state.getWebSockets(UPDATES_TAG);
  if (sockets.length === 0 || userId === undefined) return;
  const row = await findJob(db(env.DB), userId, jobId).catch(() => undefined);
  const final = status === "ended" ? (row && ENDED.includes(row.status) ? row.status : "completed") : status;
  const message: Record<string, unknown> = { type: "job_update", status: final, job_id: jobId, workflow_id: row?.workflow_id ?? null, ...extra };
  if (final === "queued" && extra.queue_position !== undefined) message.message = `Queued at position ${extra.queue_position}`;
  if (ENDED.includes(final) && row) {
    if (row.error) message.error = message.message = row.error;
    if (row.duration !== null && row.duration !== undefined) message.duration = row.duration;
  }
  for (const ws of sockets) send(ws, message);
}
