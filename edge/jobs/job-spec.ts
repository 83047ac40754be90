import { z } from "zod";
import { GraphSchema } from "../../schema/workflow";
import { ParamsSchema } from "../../schema/requests";
import type { JobStatus } from "../../schema/messages";

/** What the edge hands a job's Durable Object to run. */
export const JobSpecSchema = z.object({
  job_id: z.string(),
  user_id: z.string(),
  workflow_id: z.string().nullable(),
  graph: GraphSchema,
  params: ParamsSchema,
  max_run_seconds: z.number().positive(),
  /** Started over the WebSocket: its streaming input nodes wait for `stream_input` items (NodeTool's runner). */
  stream_inputs: z.boolean().optional(),
  /** Every value that passes a node's output ports is stored in R2 (edge/execution). */
  record_outputs: z.boolean().optional(),
  /** The API key that started it (usage is counted under it). */
  key_id: z.string().optional(),
  /** The base of the media URLs its messages carry: PUBLIC_BASE_URL, else the origin of the starting request. */
  public_base_url: z.string().optional(),
  /** Holds a concurrent-job slot in the user's RateLimiter, freed when it ends. */
  job_slot: z.boolean().optional(),
  /** Where its events are POSTed (edge/webhooks), with the secret that signs them. */
  webhook: z.object({ url: z.string(), events: z.array(z.enum(["completed", "failed", "cancelled", "output"])), secret: z.string() }).optional(),
});
export type JobSpec = z.input<typeof JobSpecSchema>;

/** How the start request wants its answer: the final result, a live stream, or just an acknowledgement. */
export const StartRespondSchema = z.enum(["result", "sse", "ndjson", "msgpack", "none"]);
export type StartRespond = z.infer<typeof StartRespondSchema>;

export type TerminalStatus = Extract<JobStatus, "completed" | "failed" | "cancelled" | "timed_out">;

export interface JobOutcome {
  job_id: string;
  status: TerminalStatus;
  result: Record<string, unknown> | null;
  error?: string;
  duration: number;
}

/** A job's own record in its Durable Object (one JSON row); the spec is kept only while it waits in the queue. */
export interface JobState {
  job_id: string;
  user_id: string;
  workflow_id: string | null;
  status: JobStatus;
  max_run_seconds: number;
  created_ms: number;
  /** Set when the job had to wait for a slot (its spec is then stored too, and its D1 row said `queued`). */
  queued_ms?: number;
  started_ms?: number;
  finished_ms?: number;
  outcome?: JobOutcome;
  key_id?: string;
  job_slot?: boolean;
}

/** What `GET /api/jobs/{id}` and `get_status` learn from the job itself. */
export interface JobSnapshot {
  job_id: string;
  workflow_id: string | null;
  status: JobStatus;
  last_seq: number;
  queue_position?: number;
  outcome?: JobOutcome;
}
