import type { Env } from "../config/env";
import { readIndex } from "./capture-store";

/**
 * `/ws/execution`: the run protocol of /ws (docs/websocket-protocol.md) with two additions. A frame may be the
 * run itself, `{graph | workflow_id, params?, run_id?, record_outputs?}`, without `command`; and the query's
 * `run_id` and `record_outputs` (default true) fill what a run frame leaves out. After a recorded run's
 * terminal `job_update`, the socket sends `{type: "capture_index", run_id, index}`.
 */
export interface ExecutionDefaults {
  run_id?: string;
  record_outputs: boolean;
}

/** The header that carries the query's defaults from the Worker to the connection object. */
export const SOCKET_EXECUTION_HEADER = "X-Nodetool-Socket-Execution";

export function executionDefaults(url: URL): ExecutionDefaults {
  const runId = url.searchParams.get("run_id");
  const record = url.searchParams.get("record_outputs");
  return { ...(runId ? { run_id: runId } : {}), record_outputs: record === null ? true : !["0", "false", "no", "off"].includes(record.toLowerCase()) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

/** Turns a bare run frame into `run_job`, and fills a `run_job`'s job id and record flag from the defaults. */
export function executionFrame(frame: unknown, defaults: ExecutionDefaults): unknown {
  if (!isObject(frame)) return frame;
  if (frame.command === undefined && (frame.graph !== undefined || frame.workflow_id !== undefined)) return executionFrame({ command: "run_job", data: frame }, defaults);
  if (frame.command !== "run_job" || !isObject(frame.data)) return frame;
  const { run_id, ...data } = frame.data;
  const jobId = data.job_id ?? run_id ?? defaults.run_id;
  return {
    ...frame,
    data: { ...data, ...(jobId !== undefined && jobId !== null ? { job_id: jobId } : {}), record_outputs: data.record_outputs ?? defaults.record_outputs },
  };
}

/** The message a recorded run's capture index goes out as, or null when the run recorded nothing. */
export async function captureIndexMessage(env: Env, userId: string, runId: string): Promise<Record<string, unknown> | null> {
  const index = await readIndex(env, userId, runId);
  return index ? { type: "capture_index", run_id: runId, index } : null;
}
