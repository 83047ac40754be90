import { TERMINAL_JOB_STATUSES, type JobStatus, type StreamMessage } from "../../schema/messages";
import type { JobRow } from "../../schema/tables";
import type { Env } from "../config/env";
import { SSE_DONE, STREAM_HEADERS, textFrame, type StreamFormat } from "../streaming/frames";
import { encodeMsgpack, lengthPrefixed, toJsonText } from "../streaming/wire";
import type { JobOutcome, TerminalStatus } from "./job-spec";

export function jobStub(env: Env, jobId: string) {
  return env.JOBS.get(env.JOBS.idFromName(jobId));
}

export function isFinished(row: JobRow): boolean {
  return TERMINAL_JOB_STATUSES.includes(row.status as JobStatus);
}

/** A finished job's outcome as its D1 row has it. */
export function outcomeFromRow(row: JobRow): JobOutcome {
  return {
    job_id: row.id,
    status: row.status as TerminalStatus,
    result: row.result ?? null,
    ...(row.error !== null ? { error: row.error } : {}),
    duration: row.duration ?? 0,
  };
}

/**
 * A job's messages after `after`: replayed from its log, then live until it ends. Once the log has expired
 * the D1 row still knows how the job ended, so the stream gives that final `job_update` (with its original
 * job_seq) instead of failing.
 */
export async function openJobEvents(env: Env, row: JobRow, format: StreamFormat, after: number): Promise<Response> {
  const response = await jobStub(env, row.id).fetch(`https://job/events?format=${format}&after=${after}`);
  if (response.status !== 410) return response;
  return finalUpdateStream(row, format, after);
}

function finalUpdateStream(row: JobRow, format: StreamFormat, after: number): Response {
  const messages: StreamMessage[] = [];
  const lastSeq = row.last_seq ?? 0;
  if (isFinished(row) && lastSeq > after) {
    const outcome = outcomeFromRow(row);
    messages.push({
      type: "job_update",
      status: outcome.status,
      ...(outcome.status === "completed" && outcome.result ? { result: outcome.result } : {}),
      ...(outcome.status === "completed" && row.outputs ? { outputs: row.outputs } : {}),
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      duration: outcome.duration,
      job_id: row.id,
      workflow_id: row.workflow_id,
      job_seq: lastSeq,
    });
  }
  let body: string | Uint8Array;
  if (format === "msgpack") {
    const parts = messages.map((m) => lengthPrefixed(encodeMsgpack(m)));
    body = parts[0] ?? new Uint8Array(0);
  } else {
    body = messages.map((m) => textFrame(format, m.job_seq, toJsonText(m))).join("") + (format === "sse" ? SSE_DONE : "");
  }
  return new Response(body, { headers: STREAM_HEADERS[format] });
}
