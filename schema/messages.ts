import { z } from "zod";

/**
 * Stream messages (docs/architecture.md#5-stream-messages-sse-and-ndjson). The engine produces the bodies; the job host stamps
 * `job_id`, `workflow_id` and the per-job increasing `job_seq` on each before anyone sees it.
 */
export const JobStatusSchema = z.enum(["queued", "running", "completed", "failed", "cancelled", "timed_out"]);
export type JobStatus = z.infer<typeof JobStatusSchema>;
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ["completed", "failed", "cancelled", "timed_out"];

export const NodeStatusSchema = z.enum(["running", "completed", "error"]);

const stamp = {
  job_id: z.string(),
  workflow_id: z.string().nullable(),
  job_seq: z.number().int().nonnegative(),
};

export const ResultMapSchema = z.record(z.string(), z.unknown()).meta({
  id: "ResultMap",
  description: "Sink name -> the value it received, or the array of values when it received more than one.",
});

export const JobUpdateBody = z.object({
  type: z.literal("job_update"),
  status: JobStatusSchema,
  result: ResultMapSchema.optional(),
  /** Completed runs: every value each sink received, always a list (NodeTool's result shape). */
  outputs: z.record(z.string(), z.array(z.unknown())).optional(),
  error: z.string().optional(),
  duration: z.number().optional(),
  queue_position: z.number().int().optional(),
});
export const NodeUpdateBody = z.object({
  type: z.literal("node_update"),
  node_id: z.string(),
  node_name: z.string(),
  node_type: z.string(),
  status: NodeStatusSchema,
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
});
export const NodeProgressBody = z.object({
  type: z.literal("node_progress"),
  node_id: z.string(),
  progress: z.number(),
  total: z.number(),
  chunk: z.string().optional(),
});
export const OutputUpdateBody = z.object({
  type: z.literal("output_update"),
  node_id: z.string(),
  node_name: z.string(),
  output_name: z.string(),
  value: z.unknown(),
  output_type: z.string(),
});
export const EdgeUpdateBody = z.object({
  type: z.literal("edge_update"),
  edge_id: z.string(),
  status: z.enum(["active", "drained"]),
  /** Items the edge has carried so far (NodeTool's per-edge counter). */
  counter: z.number().int().nonnegative().optional(),
});
export const LogUpdateBody = z.object({
  type: z.literal("log_update"),
  node_id: z.string(),
  node_name: z.string(),
  content: z.string(),
  severity: z.enum(["debug", "info", "warning", "error"]),
});
export const ErrorMessageBody = z.object({ type: z.literal("error"), message: z.string() });

/** What the engine emits: a message body without the job stamp. */
export const EngineMessageSchema = z.discriminatedUnion("type", [
  JobUpdateBody,
  NodeUpdateBody,
  NodeProgressBody,
  OutputUpdateBody,
  EdgeUpdateBody,
  LogUpdateBody,
  ErrorMessageBody,
]);
export type EngineMessage = z.infer<typeof EngineMessageSchema>;
export type JobUpdate = z.infer<typeof JobUpdateBody>;
export type NodeUpdate = z.infer<typeof NodeUpdateBody>;
export type NodeProgress = z.infer<typeof NodeProgressBody>;
export type OutputUpdate = z.infer<typeof OutputUpdateBody>;
export type LogUpdate = z.infer<typeof LogUpdateBody>;

/** What goes over the wire: the engine message plus the job stamp. */
export const StreamMessageSchema = z
  .discriminatedUnion("type", [
    JobUpdateBody.extend(stamp),
    NodeUpdateBody.extend(stamp),
    NodeProgressBody.extend(stamp),
    OutputUpdateBody.extend(stamp),
    EdgeUpdateBody.extend(stamp),
    LogUpdateBody.extend(stamp),
    ErrorMessageBody.extend(stamp),
  ])
  .meta({ id: "StreamMessage" });
export type StreamMessage = EngineMessage & { job_id: string; workflow_id: string | null; job_seq: number };
