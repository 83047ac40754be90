import { z } from "zod";
import { WebhookSpecSchema } from "./accounts";
import { ERROR_STATUS, type ErrorType } from "./errors";
import { ClientJobIdSchema, LastSeqSchema } from "./jobs";
import { JobStatusSchema, ResultMapSchema } from "./messages";
import { ParamsSchema } from "./requests";
import { ChatMessageDataSchema } from "./threads";
import { GraphSchema } from "./workflow";

/**
 * The WebSocket protocol at `/predict` and `/ws` (docs/websocket-protocol.md). A client sends `{command, data}`
 * frames, MessagePack in binary frames or JSON in text frames. The server answers each command with one
 * plain reply object (no `type`, except `pong`), and streams the section 5 job messages of every job the
 * connection follows (each has `type`, `job_id`, `workflow_id`, `job_seq`). Every reply carries `command`,
 * the command it answers, so a client that sends several commands at once can match replies up.
 *
 * Modes: a connection starts in `binary`; each frame received switches replies and job messages to its own
 * kind, until `set_mode` pins a mode, which then holds (whatever frames arrive) until the next `set_mode`.
 * Following: `run_job` and `reconnect_job` make the connection forward that job's messages (the reply comes
 * first) until its terminal `job_update`; a `reconnect_job` for a job already followed restarts it after the
 * given `last_seq`. Closing the socket stops the forwarding, never the job. A frame that cannot be read, an
 * unknown command or bad `data` gets an error reply; the connection stays open.
 */

// ---- modes ---------------------------------------------------------------------------------------------

/** `binary`: MessagePack in binary frames (bytes as `bin`); `text`: JSON in text frames (bytes as `data:` URIs). */
export const SocketModeSchema = z.enum(["binary", "text"]);
export type SocketMode = z.infer<typeof SocketModeSchema>;

// ---- client frames -------------------------------------------------------------------------------------

/** The envelope of every client frame; `data` is checked by the command's own schema. */
export const ClientFrameSchema = z.object({
  command: z
    .string({ error: (iss) => (iss.input === undefined ? "Missing 'command': every frame is an object {command, data}" : "'command' must be a string") })
    .min(1, "'command' must not be empty"),
  data: z.unknown().optional(),
});
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

/** A workflow id as it appears in paths: `workflow_id` of `run_job`. Empty means "none" (NodeTool sends "" for unsaved graphs). */
const WorkflowIdSchema = z.string().max(200, "workflow_id is at most 200 characters");

/**
 * `run_job`: a saved workflow by `workflow_id`, or an unsaved `graph`. With both, the sent graph runs under
 * the saved workflow's id and settings (what NodeTool's editor sends while a workflow has unsaved edits).
 * A client `job_id` makes the request idempotent. Other fields NodeTool clients send are ignored.
 */
export const RunJobDataSchema = z
  .object({
    type: z.literal("run_job_request", { error: "data.type must be 'run_job_request' when given" }).optional(),
    workflow_id: WorkflowIdSchema.nullish(),
    graph: GraphSchema.nullish(),
    params: ParamsSchema.nullish(),
    // NodeTool's clients send null for "no job id" (packages/protocol/src/ws-commands.ts runJobDataSchema).
    job_id: ClientJobIdSchema.nullish(),
    /** Where to POST the job's events, as in the HTTP run routes (schema/accounts.ts). */
    webhook: WebhookSpecSchema.nullish(),
    /** Store every value that passes a node's output ports (GET /api/execution/outputs/{job_id}). */
    record_outputs: z.boolean().nullish(),
  })
  .refine((d) => Boolean(d.workflow_id) || Boolean(d.graph), {
    message: "run_job needs workflow_id (a saved workflow) or graph (an unsaved {nodes, edges} graph)",
  });
export type RunJobData = z.output<typeof RunJobDataSchema>;

const JobIdField = z
  .string({ error: (iss) => (iss.input === undefined ? "job_id is required" : "job_id must be a string") })
  .min(1, "job_id must not be empty")
  .max(200, "job_id is at most 200 characters");

export const CancelJobDataSchema = z.object({ job_id: JobIdField });
export type CancelJobData = z.infer<typeof CancelJobDataSchema>;

/** `get_status`: one job, or (without `job_id`) every job this connection follows that has not ended. */
export const GetStatusDataSchema = z
  .object({ job_id: JobIdField.optional() })
  .nullish()
  .transform((v) => v ?? {});
export type GetStatusData = z.output<typeof GetStatusDataSchema>;

/** `reconnect_job`: the job's messages after `last_seq` (all of them without it), then live. */
export const ReconnectJobDataSchema = z.object({
  job_id: JobIdField,
  last_seq: LastSeqSchema.optional(),
});
export type ReconnectJobData = z.infer<typeof ReconnectJobDataSchema>;

/** `set_mode`: pins the reply mode until the next `set_mode`, whatever kind of frame arrives in between. */
export const SetModeDataSchema = z.object({ mode: SocketModeSchema });
export type SetModeData = z.infer<typeof SetModeDataSchema>;

export const PingDataSchema = z.unknown();

const InputNameField = z
  .string({ error: (iss) => (iss.input === undefined ? "input is required: the streaming input's name (or node id)" : "input must be a string") })
  .trim()
  .min(1, "input must not be empty: the streaming input's name (or node id)")
  .max(200, "input is at most 200 characters");
const HandleField = z.string().max(200, "handle is at most 200 characters").optional();

/**
 * `stream_input`: one item for a running job's streaming input node, named by its `name` or node id; `handle`
 * picks the output it goes out on (NodeTool: packages/protocol/src/ws-commands.ts `streamInputDataSchema`).
 */
export const StreamInputDataSchema = z.object({ job_id: JobIdField, input: InputNameField, value: z.unknown().optional(), handle: HandleField });
export type StreamInputData = z.infer<typeof StreamInputDataSchema>;

/** `end_input_stream`: ends that input's stream; nodes reading it finish (NodeTool: `endInputStreamDataSchema`). */
export const EndInputStreamDataSchema = z.object({ job_id: JobIdField, input: InputNameField, handle: HandleField });
export type EndInputStreamData = z.infer<typeof EndInputStreamDataSchema>;

/** `stop`: cancels the named job, or every job this connection follows; `thread_id` names a chat (NodeTool: `stopDataSchema`). */
export const StopDataSchema = z
  .object({ job_id: JobIdField.optional(), thread_id: z.string().max(200, "thread_id is at most 200 characters").optional() })
  .nullish()
  .transform((v) => v ?? {});
export type StopData = z.output<typeof StopDataSchema>;

/** Each command with the schema of its `data` and, for error messages, what that data looks like. */
export const SOCKET_COMMANDS = {
  run_job: { data: RunJobDataSchema, expects: "{type: 'run_job_request', workflow_id?, graph?, params?, job_id?}", needsData: true },
  cancel_job: { data: CancelJobDataSchema, expects: "{job_id}", needsData: true },
  get_status: { data: GetStatusDataSchema, expects: "{job_id?}", needsData: false },
  reconnect_job: { data: ReconnectJobDataSchema, expects: "{job_id, last_seq?}", needsData: true },
  set_mode: { data: SetModeDataSchema, expects: "{mode: 'binary' | 'text'}", needsData: true },
  ping: { data: PingDataSchema, expects: "nothing", needsData: false },
  // NodeTool's resume_job is its reconnect_job under another name (unified-websocket-runner.ts resumeJob).
  resume_job: { data: ReconnectJobDataSchema, expects: "{job_id, last_seq?}", needsData: true },
  stream_input: { data: StreamInputDataSchema, expects: "{job_id, input, value, handle?}", needsData: true },
  end_input_stream: { data: EndInputStreamDataSchema, expects: "{job_id, input, handle?}", needsData: true },
  stop: { data: StopDataSchema, expects: "{job_id?, thread_id?}", needsData: false },
  // NodeTool's chat over the unified socket (ws-commands.ts chatMessageDataSchema): a user Message for a thread.
  chat_message: { data: ChatMessageDataSchema, expects: "{role: 'user', content, thread_id?, model?, provider?, tools?}", needsData: true },
} as const;
export type SocketCommand = keyof typeof SOCKET_COMMANDS;
export const SOCKET_COMMAND_NAMES = Object.keys(SOCKET_COMMANDS) as SocketCommand[];

// ---- replies -------------------------------------------------------------------------------------------

/** A job's state as `get_status` reports it. `queue_position` while it waits; the outcome once it ended. */
export const SocketJobStatusSchema = z.object({
  job_id: z.string(),
  workflow_id: z.string().nullable(),
  status: JobStatusSchema,
  last_seq: z.number().int().nonnegative(),
  queue_position: z.number().int().optional(),
  result: ResultMapSchema.nullable().optional(),
  error: z.string().optional(),
  duration: z.number().optional(),
});
export type SocketJobStatus = z.infer<typeof SocketJobStatusSchema>;

/** `run_job`: the job exists (`replayed` when an earlier run_job with the same job_id created it); its messages follow. */
export const RunJobReplySchema = z.object({
  command: z.literal("run_job"),
  message: z.string(),
  job_id: z.string(),
  workflow_id: z.string().nullable(),
  status: JobStatusSchema,
  replayed: z.boolean(),
});

/** `cancel_job`: the job has stopped; `status` is how it ended (`cancelled`, or what it reached first). */
export const CancelJobReplySchema = z.object({
  command: z.literal("cancel_job"),
  message: z.string(),
  job_id: z.string(),
  status: JobStatusSchema,
});

export const JobStatusReplySchema = SocketJobStatusSchema.extend({ command: z.literal("get_status") });
export const ActiveJobsReplySchema = z.object({ command: z.literal("get_status"), active_jobs: z.array(SocketJobStatusSchema) });

/** `reconnect_job`: the connection now follows the job; what came after `last_seq` follows this reply. */
export const ReconnectJobReplySchema = z.object({
  command: z.literal("reconnect_job"),
  message: z.string(),
  job_id: z.string(),
  workflow_id: z.string().nullable(),
  status: JobStatusSchema,
  last_seq: z.number().int().nonnegative(),
});

export const SetModeReplySchema = z.object({ command: z.literal("set_mode"), message: z.string(), mode: SocketModeSchema });

/** `resume_job`: as `reconnect_job` (NodeTool's message: "Resumption initiated for job ..."). */
export const ResumeJobReplySchema = ReconnectJobReplySchema.extend({ command: z.literal("resume_job") });

/** `stream_input` ("Input item streamed") and `end_input_stream` ("Input stream ended"), as NodeTool answers them. */
export const InputStreamReplySchema = z.object({
  command: z.enum(["stream_input", "end_input_stream"]),
  message: z.string(),
  job_id: z.string(),
  workflow_id: z.string().nullable(),
});

/** `stop`: what was stopped; `cancelled` lists the jobs it cancelled (NodeTool: "Stop command processed"). */
export const StopReplySchema = z.object({
  command: z.literal("stop"),
  message: z.string(),
  job_id: z.string().nullable(),
  thread_id: z.string().nullable(),
  cancelled: z.array(z.string()),
});

/** `chat_message`: the user's message is stored in `thread_id`; the turn's chunk, tool and message frames follow. */
export const ChatMessageReplySchema = z.object({
  command: z.literal("chat_message"),
  message: z.string(),
  thread_id: z.string(),
  message_id: z.string(),
});

/** Sent before the `stop` reply, as NodeTool does. */
export const GenerationStoppedSchema = z.object({
  type: z.literal("generation_stopped"),
  message: z.string(),
  job_id: z.string().nullable(),
  thread_id: z.string().nullable(),
});

/**
 * Control frames without a `command` (NodeTool: ws-commands.ts `pingMessageInSchema`): a client's
 * `{type: "ping"}` is answered `{type: "pong", ts}`, `ts` in seconds as NodeTool's servers send it; the
 * server's heartbeat on an idle connection is `{type: "ping", ts}`, which a client may answer with `pong`.
 */
export const ControlFrameSchema = z.object({ type: z.string(), ts: z.number().optional() });
export const ControlPongSchema = z.object({ type: z.literal("pong"), ts: z.number() });
export const HeartbeatPingSchema = z.object({ type: z.literal("ping"), ts: z.number() });
export const PongReplySchema = z.object({ command: z.literal("ping"), type: z.literal("pong"), ts: z.number() });

/**
 * Any refused frame or failed command. `error_type` uses the HTTP contract's error types (`not_found`,
 * `validation_error`, ...); `details` lists validation problems; `job_id`/`status` name the job concerned.
 * `command` is absent when the frame could not be read far enough to know it.
 */
export const ErrorReplySchema = z.object({
  command: z.string().optional(),
  error: z.string(),
  error_type: z.enum(Object.keys(ERROR_STATUS) as [ErrorType, ...ErrorType[]]),
  details: z.array(z.unknown()).optional(),
  job_id: z.string().optional(),
  status: z.string().optional(),
});
export type ErrorReply = z.infer<typeof ErrorReplySchema>;

export const SocketReplySchema = z.union([
  RunJobReplySchema,
  CancelJobReplySchema,
  JobStatusReplySchema,
  ActiveJobsReplySchema,
  ReconnectJobReplySchema,
  SetModeReplySchema,
  PongReplySchema,
  ResumeJobReplySchema,
  InputStreamReplySchema,
  StopReplySchema,
  GenerationStoppedSchema,
  ChatMessageReplySchema,
  ControlPongSchema,
  HeartbeatPingSchema,
  ErrorReplySchema,
]);
export type SocketReply = z.infer<typeof SocketReplySchema>;
export type RunJobReply = z.infer<typeof RunJobReplySchema>;
export type CancelJobReply = z.infer<typeof CancelJobReplySchema>;
export type JobStatusReply = z.infer<typeof JobStatusReplySchema>;
export type ActiveJobsReply = z.infer<typeof ActiveJobsReplySchema>;
export type ReconnectJobReply = z.infer<typeof ReconnectJobReplySchema>;
export type SetModeReply = z.infer<typeof SetModeReplySchema>;
export type PongReply = z.infer<typeof PongReplySchema>;
