import { z } from "zod";
import { JobStatusSchema, ResultMapSchema } from "./messages";
import { ParamsSchema } from "./requests";

/** A job as the jobs API presents it (docs/architecture.md#4-http-contract). Times are ISO 8601; `duration` is seconds. */
export const JobSchema = z
  .object({
    id: z.string(),
    workflow_id: z.string().nullable(),
    status: JobStatusSchema,
    params: ParamsSchema,
    result: ResultMapSchema.nullable(),
    outputs: z.record(z.string(), z.array(z.unknown())).nullable().meta({ description: "Sink name -> every value it received." }),
    error: z.string().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    duration: z.number().nullable(),
    last_seq: z.number().int().nullable().meta({ description: "The job_seq of the job's last message, once it ended." }),
  })
  .meta({ id: "Job" });
export type Job = z.infer<typeof JobSchema>;

export const JobListSchema = z
  .object({ jobs: z.array(JobSchema), next: z.string().nullable() })
  .meta({ id: "JobList", description: "Newest first; pass `next` as `cursor` for the following page." });

export const JobListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(512).optional(),
  workflow_id: z.string().max(200).optional(),
  status: JobStatusSchema.optional(),
});

export const CancelResponseSchema = z
  .object({ job_id: z.string(), status: JobStatusSchema })
  .meta({ id: "CancelResponse", description: "The job's status once the cancellation took effect." });

/** A client-chosen job id (WebSocket `run_job`): the same alphabet as every id in a path. */
export const ClientJobIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "job ids use 1-128 letters, digits, '.', '_' and '-', starting with a letter or digit");

/** The `Idempotency-Key` header: any printable ASCII, as clients usually send UUIDs or their own request ids. */
export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, "Idempotency-Key must be 1-255 printable ASCII characters without spaces");

/** How long an idempotency key (or a client job id) returns the job it first created. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Resume point of a stream: the job_seq of the last message the client has. */
export const LastSeqSchema = z.coerce.number().int().nonnegative();
