import { ERROR_STATUS, type ErrorBody, type ErrorType, type ValidationIssue } from "../../schema/errors";

/** The one error type of the API: every failure becomes one of these and leaves through the error handler. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly type: ErrorType,
    message: string,
    readonly details?: unknown[],
    readonly extra: { job_id?: string; status?: string } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = ERROR_STATUS[type];
  }

  toBody(): ErrorBody {
    return {
      error: {
        message: this.message,
        type: this.type,
        code: this.status,
        ...(this.details ? { details: this.details } : {}),
        ...this.extra,
      },
    };
  }

  static notFound(what: string): ApiError {
    return new ApiError("not_found", `${what} not found`);
  }

  static invalidGraph(issues: ValidationIssue[], what = "The workflow graph is invalid"): ApiError {
    const summary = issues.slice(0, 3).map((i) => i.message).join("; ");
    return new ApiError("validation_error", `${what}: ${summary}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ""}`, issues);
  }
}
