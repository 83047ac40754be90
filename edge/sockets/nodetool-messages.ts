/**
 * Job messages as NodeTool's WebSocket clients read them. The job log holds the project's own messages (what
 * the HTTP streams send); a WebSocket connection sends them through this translation. It is a pure function
 * of the logged message, so the same job_seq always becomes the same frame: replay and reconnect stay exact.
 *
 * - `job_update`: a completed run's `result` holds a list per output, as both NodeTool generations send it
 *   (Python `WorkflowRunner.run`: `result=self.outputs`; TypeScript: `outputs` of the runner), with
 *   `message`; a run that ended otherwise gets `message` (its error) and Python's `run_state`
 *   (nodetool-core src/nodetool/types/job.py `RunStateInfo`).
 * - `output_update` of a `chunk` value (LLM and Agent text): NodeTool's top-level `chunk` message
 *   (packages/protocol/src/messages.ts `chunkSchema`).
 * - `edge_update`: `active` (one per item, with the engine's per-edge `counter`) becomes `message_sent`, the
 *   status NodeTool's Python runner sends per item (workflow_runner.py `send_messages`); `drained` stays.
 */

type Msg = Record<string, unknown>;

const ENDED = ["failed", "cancelled", "timed_out"];

function isRecord(v: unknown): v is Msg {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** A bare result map as lists, for a terminal update that carries no `outputs` (it predates them). */
function listsOf(result: Msg): Msg {
  const out: Msg = {};
  for (const [k, v] of Object.entries(result)) out[k] = v === null || v === undefined ? [] : [v];
  return out;
}

function jobUpdate(m: Msg): Msg | null {
  const status = m.status as string;
  if (status === "completed") {
    const { outputs, ...rest } = m;
    const result = isRecord(outputs) ? outputs : isRecord(m.result) ? listsOf(m.result) : {};
    const seconds = typeof m.duration === "number" ? m.duration.toFixed(2) : "?";
    return { ...rest, result, message: `Workflow ${m.job_id as string} completed in ${seconds} seconds` };
  }
  if (ENDED.includes(status)) {
    const error = typeof m.error === "string" ? m.error : `The job ended as ${status}`;
    return {
      ...m,
      message: error,
      run_state: { status, suspended_node_id: null, suspension_reason: null, error_message: error, execution_strategy: null, is_resumable: false },
    };
  }
  if (status === "queued" && typeof m.queue_position === "number") return { ...m, message: `Queued at position ${m.queue_position}` };
  return null;
}

function chunkOf(m: Msg): Msg | null {
  const value = m.value;
  if (!isRecord(value) || value.type !== "chunk") return null;
  return {
    type: "chunk",
    node_id: m.node_id,
    job_id: m.job_id,
    workflow_id: m.workflow_id,
    job_seq: m.job_seq,
    content: typeof value.content === "string" ? value.content : String(value.content ?? ""),
    content_type: typeof value.content_type === "string" ? value.content_type : "text",
    done: value.done === true,
    ...(m.output_name === "thinking" || value.thinking === true ? { thinking: true } : {}),
    ...(isRecord(value.content_metadata) ? { content_metadata: value.content_metadata } : {}),
  };
}

/** The NodeTool form of a logged job message, or null when NodeTool's clients read it as it is. */
export function toNodeToolMessage(message: unknown): Msg | null {
  if (!isRecord(message)) return null;
  switch (message.type) {
    case "job_update":
      return jobUpdate(message);
    case "output_update":
      return chunkOf(message);
    case "edge_update":
      return message.status === "active" ? { ...message, status: "message_sent" } : null;
    default:
      return null;
  }
}
