import type { z } from "zod";
import { TERMINAL_JOB_STATUSES, type JobStatus } from "../../schema/messages";
import {
  CancelJobDataSchema,
  ClientFrameSchema,
  EndInputStreamDataSchema,
  StopDataSchema,
  StreamInputDataSchema,
  GetStatusDataSchema,
  ReconnectJobDataSchema,
  RunJobDataSchema,
  SetModeDataSchema,
  SOCKET_COMMAND_NAMES,
  SOCKET_COMMANDS,
  type ErrorReply,
  type RunJobData,
  type SocketCommand,
  type SocketJobStatus,
  type SocketMode,
  type SocketReply,
} from "../../schema/socket";
import type { KeyLimits } from "../../schema/accounts";
import { ChatMessageDataSchema, type ChatMessageData } from "../../schema/threads";
import type { JobRow } from "../../schema/tables";
import { assertKeyActive } from "../keys/repository";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { toApiError } from "../errors/handler";
import { findJob } from "../jobs/job-rows";
import { checkCommandData } from "../limits/check";
import { getLimits } from "../limits/config";
import type { JobSnapshot } from "../jobs/job-spec";
import { isFinished, jobStub } from "../jobs/job-stream";
import { startJob, type RunTarget } from "../runs/start-job";
import { toJsonData } from "../streaming/wire";
import { storedGraph } from "../workflows/present";
import { WorkflowRepository } from "../workflows/repository";

/** What a command may see and change of its connection. */
export interface CommandContext {
  env: Env;
  userId: string;
  /** The API key the connection was opened with (docs/accounts.md). */
  key?: { id: string; limits: KeyLimits };
  /** `set_mode`: switches the connection's mode and pins it there. */
  pinMode(mode: SocketMode): void;
  /** Jobs whose messages this connection is forwarding now. */
  /** The origin the socket was opened on: jobs it starts give media URLs under it (else PUBLIC_BASE_URL). */
  requestUrl?: string;
  followedJobIds(): string[];
  /** Whether this connection has already forwarded the job's messages, to the end or still live. */
  hasFollowed(jobId: string): boolean;
  /** `chat_message`: stores the message and starts the turn on this connection (edge/threads/chat-turn.ts). */
  chat(data: ChatMessageData): Promise<CommandOutcome>;
  /** Aborts this connection's running chat turn of `threadId` (every one without it); returns the threads stopped. */
  stopChats(threadId?: string): string[];
}

export interface CommandOutcome {
  reply: SocketReply;
  /** Once the reply is sent, forward this job's messages after `after` (so the reply always comes first). */
  follow?: { row: JobRow; after: number };
  /** Sent just before the reply (NodeTool's `generation_stopped` before its `stop` reply). */
  before?: SocketReply[];
  /** Run once the reply is sent (a chat turn starts streaming only after its `chat_message` reply). */
  afterReply?: () => void;
}

// An unknown command is echoed back in the error; a client's arbitrary string is cut to a sane length.
const MAX_ECHO = 64;

/** Runs one client frame (already decoded). Never throws: every failure becomes an `{error}` reply. */
export async function runCommand(ctx: CommandContext, frame: unknown): Promise<CommandOutcome> {
  let command: string | undefined;
  try {
    const parsed = parseFrame(frame);
    command = parsed.command;
    // The request bounds of the HTTP routes hold here too: MAX_JSON_DEPTH, and the graph limits for run_job.
    checkCommandData(parsed.command, parsed.data, getLimits(ctx.env));
    return await dispatch(ctx, parsed.command, parsed.data);
  } catch (err) {
    return { reply: errorReply(err, command ?? commandOf(frame)) };
  }
}

/** An error reply for `err`; unexpected errors are logged and reported without their details. */
export function errorReply(err: unknown, command?: string): ErrorReply {
  const apiError = toApiError(err);
  if (apiError.type === "internal_error" && !(err instanceof ApiError)) console.error(`[socket] ${command ?? "frame"} failed`, err);
  return {
    ...(command !== undefined ? { command } : {}),
    error: apiError.message,
    error_type: apiError.type,
    ...(apiError.details ? { details: apiError.details } : {}),
    ...(apiError.extra.job_id !== undefined ? { job_id: apiError.extra.job_id } : {}),
    ...(apiError.extra.status !== undefined ? { status: apiError.extra.status } : {}),
  };
}

/** The command a frame names (cut short), for the error reply to a frame that could not be run. */
function commandOf(frame: unknown): string | undefined {
  const command = (frame as { command?: unknown } | null)?.command;
  return typeof command === "string" ? command.slice(0, MAX_ECHO) : undefined;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return "bytes";
  return `a ${typeof value}`;
}

function parseFrame(frame: unknown): { command: SocketCommand; data: unknown } {
  if (frame === null || typeof frame !== "object" || Array.isArray(frame) || frame instanceof Uint8Array) {
    throw new ApiError("invalid_request", `A frame must be an object {command, data}, got ${describe(frame)}`);
  }
  const parsed = ClientFrameSchema.safeParse(frame);
  if (!parsed.success) throw new ApiError("invalid_request", parsed.error.issues[0].message);
  const { command, data } = parsed.data;
  if (!Object.hasOwn(SOCKET_COMMANDS, command)) {
    throw new ApiError("invalid_request", `Unknown command '${command.slice(0, MAX_ECHO)}'; expected one of ${SOCKET_COMMAND_NAMES.join(", ")}`);
  }
  return { command: command as SocketCommand, data };
}

/** Checks a command's `data` against its schema; the error names the command, the field and the problem. */
function parseData<S extends z.ZodType>(command: SocketCommand, schema: S, data: unknown): z.output<S> {
  const spec = SOCKET_COMMANDS[command];
  if (data === undefined && spec.needsData) {
    throw new ApiError("validation_error", `Missing 'data' for ${command}: expected ${spec.expects}`, [
      { path: "data", message: `expected ${spec.expects}`, code: "invalid_type" },
    ]);
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({ path: ["data", ...i.path.map(String)].join("."), message: i.message, code: i.code }));
  const first = details[0];
  throw new ApiError(
    "validation_error",
    `Invalid data for ${command}: ${first.path}: ${first.message}${details.length > 1 ? ` (and ${details.length - 1} more)` : ""}`,
    details,
  );
}

async function dispatch(ctx: CommandContext, command: SocketCommand, data: unknown): Promise<CommandOutcome> {
  switch (command) {
    case "run_job":
      return runJob(ctx, parseData(command, RunJobDataSchema, data));
    case "cancel_job":
      return cancelJob(ctx, parseData(command, CancelJobDataSchema, data).job_id);
    case "get_status":
      return getStatus(ctx, parseData(command, GetStatusDataSchema, data).job_id);
    case "reconnect_job":
    case "resume_job": {
      const { job_id, last_seq } = parseData(command, ReconnectJobDataSchema, data);
      return reconnectJob(ctx, job_id, last_seq ?? 0, command);
    }
    case "stream_input": {
      const { job_id, input, value, handle } = parseData(command, StreamInputDataSchema, data);
      return feedInput(ctx, command, job_id, input, value, handle);
    }
    case "end_input_stream": {
      const { job_id, input, handle } = parseData(command, EndInputStreamDataSchema, data);
      return feedInput(ctx, command, job_id, input, undefined, handle);
    }
    case "stop":
      return stop(ctx, parseData(command, StopDataSchema, data));
    case "chat_message":
      return ctx.chat(parseData(command, ChatMessageDataSchema, data));
    case "set_mode": {
      const { mode } = parseData(command, SetModeDataSchema, data);
      ctx.pinMode(mode);
      return { reply: { command, message: `Mode set to ${mode} until the next set_mode`, mode } };
    }
    case "ping":
      return { reply: { command, type: "pong", ts: Date.now() } };
  }
}

// ---- commands ------------------------------------------------------------------------------------------

/** The graph to run: a saved workflow's, or the sent one (under the saved workflow's id when both are given). */
async function runTarget(ctx: CommandContext, data: RunJobData): Promise<RunTarget> {
  const saved = data.workflow_id ? await new WorkflowRepository(db(ctx.env.DB), ctx.userId).get(data.workflow_id) : null;
  if (data.graph) return { workflowId: saved?.id ?? null, graph: data.graph, settings: saved?.settings ?? {} };
  return { workflowId: saved!.id, graph: storedGraph(saved!), settings: saved!.settings };
}

async function runJob(ctx: CommandContext, data: RunJobData): Promise<CommandOutcome> {
  const target = await runTarget(ctx, data);
  // Params from a MessagePack frame may hold bytes; the job spec travels as JSON, so they go as data: URIs.
  const params = toJsonData(data.params ?? {});
  // A key revoked (or expired) since the connection opened starts nothing more.
  if (ctx.key) await assertKeyActive(db(ctx.env.DB), ctx.key.id);
  const started = await startJob(ctx.env, ctx.userId, target, params, {
    respond: "none",
    jobId: data.job_id ?? undefined,
    streamInputs: true,
    ...(ctx.requestUrl ? { requestUrl: ctx.requestUrl } : {}),
    ...(data.record_outputs ? { recordOutputs: true } : {}),
    ...(ctx.key ? { key: ctx.key } : {}),
    ...(data.webhook ? { webhook: data.webhook } : {}),
  });
  const ack = (await started.response.json()) as { job_id: string; status: JobStatus };
  const row = await findJob(db(ctx.env.DB), ctx.userId, started.jobId);
  if (!row) throw new ApiError("internal_error", `Job '${started.jobId}' was started but its record is missing`);
  // A repeated run_job for a job this connection follows, or has followed to its end, must not send its
  // messages twice: an idempotent attach on the same connection adds nothing.
  const following = ctx.hasFollowed(started.jobId);
  const message = following
    ? "This connection already follows the job"
    : started.replayed
      ? "The job already exists; following it"
      : "Job started";
  return {
    reply: { command: "run_job", message, job_id: started.jobId, workflow_id: row.workflow_id, status: ack.status, replayed: started.replayed },
    ...(following ? {} : { follow: { row, after: 0 } }),
  };
}

async function ownJob(ctx: CommandContext, jobId: string): Promise<JobRow> {
  const row = await findJob(db(ctx.env.DB), ctx.userId, jobId);
  // Another user's job reads exactly like a missing one.
  if (!row) throw ApiError.notFound(`Job '${jobId}'`);
  return row;
}

async function cancelJob(ctx: CommandContext, jobId: string): Promise<CommandOutcome> {
  const row = await ownJob(ctx, jobId);
  const finished = (status: string) =>
    new ApiError("conflict", `Job '${row.id}' has already finished (${status})`, undefined, { job_id: row.id, status });
  if (isFinished(row)) throw finished(row.status);
  // Resolves once the job has stopped; its terminal job_update reaches followers through their feeds.
  const result = await jobStub(ctx.env, row.id).cancel(ctx.userId);
  if (!result) throw ApiError.notFound(`Job '${row.id}'`);
  if (result.alreadyFinished) throw finished(result.status);
  return { reply: { command: "cancel_job", message: result.status === "cancelled" ? "Job cancelled" : `Job ended as ${result.status}`, job_id: row.id, status: result.status } };
}

/** A job's state from its Durable Object, or from its D1 row once the object's log has expired. */
async function jobStatus(ctx: CommandContext, row: JobRow): Promise<SocketJobStatus> {
  // The RPC stub types `unknown` values (the result map) as unserializable; the object returns a JobSnapshot.
  const snapshot = (await jobStub(ctx.env, row.id).snapshot(ctx.userId)) as unknown as JobSnapshot | null;
  if (snapshot) {
    const outcome = snapshot.outcome;
    return {
      job_id: snapshot.job_id,
      workflow_id: snapshot.workflow_id,
      status: snapshot.status,
      last_seq: snapshot.last_seq,
      ...(snapshot.queue_position !== undefined ? { queue_position: snapshot.queue_position } : {}),
      ...(outcome ? { result: outcome.result, duration: outcome.duration } : {}),
      ...(outcome?.error !== undefined ? { error: outcome.error } : {}),
    };
  }
  return {
    job_id: row.id,
    workflow_id: row.workflow_id,
    status: row.status as JobStatus,
    last_seq: row.last_seq ?? 0,
    ...(isFinished(row) ? { result: row.result ?? null, ...(row.duration !== null ? { duration: row.duration } : {}) } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
  };
}

async function getStatus(ctx: CommandContext, jobId: string | undefined): Promise<CommandOutcome> {
  if (jobId !== undefined) return { reply: { command: "get_status", ...(await jobStatus(ctx, await ownJob(ctx, jobId))) } };
  const rows = await Promise.all(ctx.followedJobIds().map((id) => findJob(db(ctx.env.DB), ctx.userId, id)));
  const statuses = await Promise.all(rows.filter((r): r is JobRow => r !== undefined).map((r) => jobStatus(ctx, r)));
  // A job whose terminal update is on its way out is no longer active.
  const active = statuses.filter((s) => !TERMINAL_JOB_STATUSES.includes(s.status));
  return { reply: { command: "get_status", active_jobs: active } };
}

async function reconnectJob(ctx: CommandContext, jobId: string, lastSeq: number, command: "reconnect_job" | "resume_job"): Promise<CommandOutcome> {
  const row = await ownJob(ctx, jobId);
  const reply = {
    message: command === "resume_job" ? `Resumption initiated for job ${row.id} after job_seq ${lastSeq}` : `Following the job after job_seq ${lastSeq}`,
    job_id: row.id,
    workflow_id: row.workflow_id,
    status: row.status as JobStatus,
    last_seq: lastSeq,
  };
  return {
    reply: command === "resume_job" ? { command, ...reply } : { command, ...reply },
    follow: { row, after: lastSeq },
  };
}

/** `stream_input` / `end_input_stream`: NodeTool's replies, or an error naming the job and what went wrong. */
async function feedInput(
  ctx: CommandContext,
  command: "stream_input" | "end_input_stream",
  jobId: string,
  input: string,
  value: unknown,
  handle: string | undefined,
): Promise<CommandOutcome> {
  const row = await ownJob(ctx, jobId);
  const op = command === "stream_input" ? "push" : "end";
  // Bytes from a MessagePack frame go over the object's RPC as they are (structured clone keeps them).
  const result = await jobStub(ctx.env, row.id).feedInput(ctx.userId, op, input, value, handle);
  if (!result) throw ApiError.notFound(`Job '${row.id}'`);
  if (!result.ok) throw new ApiError("conflict", result.error, undefined, { job_id: row.id, ...(result.status ? { status: result.status } : {}) });
  const message = op === "push" ? "Input item streamed" : "Input stream ended";
  return { reply: { command, message, job_id: row.id, workflow_id: row.workflow_id } };
}

/**
 * `stop`: cancels the named job, or every job this connection follows that has not ended, then answers as
 * NodeTool does: a `generation_stopped` message, then the reply. `thread_id` stops that chat turn instead.
 */
async function stop(ctx: CommandContext, data: { job_id?: string; thread_id?: string }): Promise<CommandOutcome> {
  // A thread names a chat turn of this connection; neither a job nor a thread: everything it runs.
  if (data.thread_id !== undefined || data.job_id === undefined) ctx.stopChats(data.thread_id);
  const ids = data.job_id !== undefined ? [(await ownJob(ctx, data.job_id)).id] : data.thread_id !== undefined ? [] : ctx.followedJobIds();
  const cancelled: string[] = [];
  await Promise.all(
    ids.map(async (id) => {
      const result = await jobStub(ctx.env, id).cancel(ctx.userId);
      if (result && !result.alreadyFinished) cancelled.push(id);
    }),
  );
  const jobId = data.job_id ?? null;
  const threadId = data.thread_id ?? null;
  return {
    before: [{ type: "generation_stopped", message: "Generation stopped by user", job_id: jobId, thread_id: threadId }],
    reply: { command: "stop", message: "Stop command processed", job_id: jobId, thread_id: threadId, cancelled: cancelled.sort() },
  };
}
