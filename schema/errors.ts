import { z } from "zod";

/** Error types of the HTTP contract (docs/architecture.md#4-http-contract), each with its status code. */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  validation_error: 422,
  rate_limited: 429,
  internal_error: 500,
  job_failed: 500,
  unavailable: 503,
} as const;

export type ErrorType = keyof typeof ERROR_STATUS;

export const ValidationIssueSchema = z
  .object({
    node_id: z.string().nullable(),
    node_type: z.string().nullable(),
    property: z.string().nullable(),
    message: z.string(),
  })
  .meta({ id: "ValidationIssue" });
export type ValidationIssue = z.infer<typeof ValidationIssueSchema>;

export const ErrorBodySchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.enum(Object.keys(ERROR_STATUS) as [ErrorType, ...ErrorType[]]),
      code: z.number().int(),
      details: z.array(z.unknown()).optional(),
      job_id: z.string().optional(),
      status: z.string().optional(),
    }),
  })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
