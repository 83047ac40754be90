import { z } from "zod";
import { GraphSchema } from "../../schema/workflow";
import { ParamsSchema } from "../../schema/requests";

/** What the edge hands a job's Durable Object to run. */
export const JobSpecSchema = z.object({
  job_id: z.string(),
  user_id: z.string(),
  workflow_id: z.string().nullable(),
  graph: GraphSchema,
  params: ParamsSchema,
  max_run_seconds: z.number().positive(),
  sse_keepalive_ms: z.number().positive(),
});
export type JobSpec = z.input<typeof JobSpecSchema>;

/** How the start request wants its answer: the final result, a live stream, or just an acknowledgement. */
export const StartRespondSchema = z.enum(["result", "sse", "ndjson", "none"]);
export type StartRespond = z.infer<typeof StartRespondSchema>;

export interface JobOutcome {
  job_id: string;
  status: "completed" | "failed" | "cancelled" | "timed_out";
  result: Record<string, unknown> | null;
  error?: string;
  duration: number;
}
