import type { Job } from "../../schema/jobs";
import type { JobStatus } from "../../schema/messages";
import type { JobRow } from "../../schema/tables";

/** A D1 job row as the jobs API shows it; internal columns (owner, idempotency fields) stay inside. */
export function presentJob(row: JobRow): Job {
  return {
    id: row.id,
    workflow_id: row.workflow_id,
    status: row.status as JobStatus,
    params: row.params,
    result: row.result ?? null,
    outputs: row.outputs ?? null,
    error: row.error,
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    duration: row.duration,
    last_seq: row.last_seq,
  };
}
