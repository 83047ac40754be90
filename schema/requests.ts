import { z } from "zod";
import { WebhookSpecSchema } from "./accounts";
import { JobStatusSchema, ResultMapSchema } from "./messages";

export const ParamsSchema = z.record(z.string(), z.unknown()).meta({
  id: "Params",
  description: "Input values by input name (the `data.name` of each input node).",
});

/** Body of the run routes: `{params}`, and optionally a `webhook` for the job's events (schema/accounts.ts). */
export const RunRequestSchema = z
  .object({
    params: ParamsSchema.optional().default({}),
    webhook: WebhookSpecSchema.optional(),
    /** Store every value that passes each node's output ports (GET /api/execution/outputs/{job_id}). */
    record_outputs: z.boolean().optional(),
  })
  .meta({ id: "RunRequest" });

export const WorkerRunResponseSchema = z
  .object({
    results: ResultMapSchema.nullable(),
    job_id: z.string(),
    status: JobStatusSchema,
    error: z.string().optional(),
  })
  .meta({ id: "WorkerRunResponse" });

export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(512).optional(),
  run_mode: z.string().max(100).optional(),
});

export const HealthSchema = z.object({ status: z.literal("healthy"), timestamp: z.string() }).meta({ id: "Health" });
