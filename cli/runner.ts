import type { StreamMessage } from "../client/index";

/**
 * A stream message (docs/architecture.md#5-stream-messages-sse-and-ndjson), as the contract types it: `type`,
 * `job_id`, `workflow_id`, `job_seq` and its own fields.
 */
export type Message = StreamMessage;
export type JobUpdateMessage = Extract<Message, { type: "job_update" }>;

export const TERMINAL = new Set(["completed", "failed", "cancelled", "timed_out"]);

export function isTerminal(m: Message): m is JobUpdateMessage {
  return m.type === "job_update" && TERMINAL.has(m.status);
}

/** How a run ended. */
export interface Outcome {
  jobId: string;
  status: string;
  /** The result map (sink name -> value), when the job completed. */
  result: Record<string, unknown> | null;
  error?: string;
  /** Seconds. */
  duration?: number;
}

export function outcomeOf(jobId: string, m: JobUpdateMessage): Outcome {
  return {
    jobId,
    status: m.status,
    result: m.result ?? null,
    ...(typeof m.error === "string" ? { error: m.error } : {}),
    ...(typeof m.duration === "number" ? { duration: m.duration } : {}),
  };
}

export interface RunCallbacks {
  /** The job exists (its id is known to the server, or the local run began). */
  onStart(jobId: string): void;
  onMessage(m: Message): void;
}

/** A run in progress, on a server or in this process. */
export interface RunHandle {
  /** Settles with the terminal status; rejects when the run could not start or the connection was lost for good. */
  done: Promise<Outcome>;
  /** Asks for cancellation; resolves once the request was taken (the terminal message still arrives on `done`). */
  cancel(): Promise<void>;
}
