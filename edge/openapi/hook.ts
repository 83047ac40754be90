import type { z } from "zod";
import { ApiError } from "../errors/api-error";

/** zod-openapi's validation hook: schema failures become 422s listing every problem. */
export function validationHook(result: { success: boolean; error?: z.ZodError; target: string }): void {
  if (result.success || !result.error) return;
  const details = result.error.issues.map((i) => ({
    path: i.path.map(String).join("."),
    message: i.message,
    code: i.code,
  }));
  const where = result.target === "json" ? "request body" : result.target;
  const first = details[0];
  throw new ApiError(
    "validation_error",
    `Invalid ${where}: ${first.path ? `${first.path}: ` : ""}${first.message}${details.length > 1 ? ` (and ${details.length - 1} more)` : ""}`,
    details,
  );
}
