import { z } from "@hono/zod-openapi";
import { ErrorBodySchema } from "../../schema/errors";

export const error = (description: string) => ({ description, content: { "application/json": { schema: ErrorBodySchema } } });

/** The error responses every authenticated route can give. */
export const commonErrors = {
  401: error("Missing or invalid bearer token"),
  413: error("Request body larger than MAX_BODY_BYTES"),
  422: error("The request failed validation; `details` lists every problem"),
  503: error("The server is missing a required setting (for example SERVER_AUTH_TOKEN)"),
} as const;
export const notFoundError = { 404: error("Unknown id, or an object of another user") } as const;
export const badRequestError = { 400: error("Malformed JSON or an invalid cursor") } as const;
export const jobFailedError = { 500: error("The job failed, was cancelled or timed out (`job_id` and `status` say which)") } as const;

export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "ids use letters, digits, '.', '_' and '-'")
    .openapi({ param: { name: "id", in: "path" }, example: "3f2b8c1d9e0a4b7c8d6e5f4a3b2c1d0e" }),
});
