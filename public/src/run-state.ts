import { decode, encode } from "@msgpack/msgpack";

/**
 * What the page knows about the job it shows, built from the job's messages (docs/architecture.md#5-stream-messages-sse-and-ndjson) in
 * `job_seq` order. It is saved in sessionStorage together with `last_seq`, so a reload shows the same view
 * and asks the server only for what came after (`reconnect_job {job_id, last_seq}`).
 */

export const TERMINAL = ["completed", "failed", "cancelled", "timed_out"];

export interface NodeState {
  name: string;
  type: string;
  status: string;
  progress?: number;
  total?: number;
  error?: string;
  /** Streamed text (`node_progress.chunk`), cut to the last few KB. */
  text?: string;
}

export interface OutputState {
  type: string;
  /** Every value the output received, in order. */
  values: unknown[];
}

export interface LogEntry {
  severity: string;
  text: string;
}

export interface RunState {
  v: 1;
  job_id: string;
  workflow_id: string | null;
  /** The params sent (uploaded files as their asset references). */
  params: Record<string, unknown>;
  /** Result names of the workflow (its output_schema), to tell sinks from other unconnected outputs. */
  sinks: string[];
  status: string;
  last_seq: number;
  queue_position?: number;
  error?: string;
  duration?: number;
  nodes: Record<string, NodeState>;
  outputs: Record<string, OutputState>;
  log: LogEntry[];
  /** Messages skipped because they were missing from the feed (job_seq jumped), e.g. an expired log. */
  missed: number;
}

export function newRun(jobId: string, workflowId: string | null, params: Record<string, unknown>, sinks: string[], status: string): RunState {
  return { v: 1, job_id: jobId, workflow_id: workflowId, params, sinks, status, last_seq: 0, nodes: {}, outputs: {}, log: [], missed: 0 };
}

export const isTerminal = (status: string) => TERMINAL.includes(status);

const MAX_LOG = 200;
const MAX_TEXT = 8192;

export interface Change {
  nodes: Set<string>;
  outputs: Set<string>;
  job: boolean;
  log: boolean;
}

export const noChange = (): Change => ({ nodes: new Set(), outputs: new Set(), job: false, log: false });

const str = (v: unknown, fallback = "") => (typeof v === "string" ? v : fallback);
const num = (v: unknown) => (typeof v === "number" ? v : undefined);

function node(state: RunState, id: string): NodeState {
  return (state.nodes[id] ??= { name: id, type: "", status: "running" });
}

function addLog(state: RunState, severity: string, text: string, change: Change): void {
  state.log.push({ severity, text });
  if (state.log.length > MAX_LOG) state.log.splice(0, state.log.length - MAX_LOG);
  change.log = true;
}

/**
 * Applies one job message. Messages at or below `last_seq` were seen already (a replay overlapping what
 * the page has) and are dropped; a jump past `last_seq + 1` is counted in `missed`.
 */
export function applyMessage(state: RunState, msg: Record<string, unknown>, change: Change): boolean {
  const seq = num(msg.job_seq);
  if (seq === undefined || msg.job_id !== state.job_id) return false;
  if (seq <= state.last_seq) return false;
  if (seq > state.last_seq + 1) state.missed += seq - state.last_seq - 1;
  state.last_seq = seq;
  change.job = true;

  switch (msg.type) {
    case "job_update": {
      state.status = str(msg.status, state.status);
      state.queue_position = num(msg.queue_position);
      if (typeof msg.error === "string") state.error = msg.error;
      if (typeof msg.duration === "number") state.duration = msg.duration;
      const result = msg.result;
      if (result && typeof result === "object" && !Array.isArray(result)) {
        // The result map is the final word on every result: a reconnect after a gap still ends complete.
        // Over the WebSocket a completed update is NodeTool's (docs/websocket-protocol.md): a list per output,
        // with a `message`; the HTTP streams send the result map, where only a repeated output is an array.
        const lists = msg.status === "completed" && typeof msg.message === "string";
        for (const [name, value] of Object.entries(result as Record<string, unknown>)) {
          const known = state.outputs[name];
          const values = lists && Array.isArray(value) ? value : known && known.values.length > 1 && Array.isArray(value) ? value : [value];
          state.outputs[name] = { type: known?.type ?? "any", values };
          change.outputs.add(name);
        }
      }
      if (state.status === "failed" && state.error) addLog(state, "error", state.error, change);
      if (isTerminal(state.status) && state.status !== "completed") {
        // Nodes still running when the job stopped report nothing more: they end with the job.
        for (const [id, n] of Object.entries(state.nodes)) {
          if (n.status !== "running") continue;
          n.status = state.status;
          change.nodes.add(id);
        }
      }
      break;
    }
    case "node_update": {
      const id = str(msg.node_id);
      const n = node(state, id);
      n.name = str(msg.node_name, n.name) || id;
      n.type = str(msg.node_type, n.type);
      n.status = str(msg.status, n.status);
      if (typeof msg.error === "string") {
        n.error = msg.error;
        addLog(state, "error", `${n.name}: ${msg.error}`, change);
      }
      change.nodes.add(id);
      break;
    }
    case "node_progress": {
      const id = str(msg.node_id);
      const n = node(state, id);
      n.progress = num(msg.progress);
      n.total = num(msg.total);
      if (typeof msg.chunk === "string" && msg.chunk !== "") n.text = ((n.text ?? "") + msg.chunk).slice(-MAX_TEXT);
      change.nodes.add(id);
      break;
    }
    case "output_update": {
      const outputName = str(msg.output_name);
      const name = state.sinks.includes(outputName) ? outputName : `${str(msg.node_name, str(msg.node_id))}.${outputName}`;
      const out = (state.outputs[name] ??= { type: str(msg.output_type, "any"), values: [] });
      out.type = str(msg.output_type, out.type);
      out.values.push(msg.value);
      change.outputs.add(name);
      break;
    }
    case "log_update":
      addLog(state, str(msg.severity, "info"), `${str(msg.node_name)}: ${str(msg.content)}`, change);
      break;
    case "error":
      addLog(state, "error", str(msg.message), change);
      break;
    default:
      break; // edge_update: nothing to show
  }
  return true;
}

// ---- saving across reloads ------------------------------------------------------------------------------

const KEY = "nodetool-edge.run";

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * Saves the run (MessagePack, so bytes in outputs survive). When it does not fit, only the job is kept, with
 * `last_seq` 0: a reload then replays the job from its first message and rebuilds the same view.
 */
export function saveRun(state: RunState): void {
  try {
    sessionStorage.setItem(KEY, toBase64(encode(state)));
  } catch {
    const bare: RunState = { ...state, last_seq: 0, nodes: {}, outputs: {}, log: [], missed: 0 };
    try {
      sessionStorage.setItem(KEY, toBase64(encode(bare)));
    } catch {
      sessionStorage.removeItem(KEY);
    }
  }
}

export function loadRun(): RunState | null {
  const text = sessionStorage.getItem(KEY);
  if (!text) return null;
  try {
    const state = decode(fromBase64(text)) as RunState;
    if (state && state.v === 1 && typeof state.job_id === "string" && typeof state.last_seq === "number") return state;
  } catch {
    // Unreadable (an older page): forget it.
  }
  sessionStorage.removeItem(KEY);
  return null;
}

export function clearRun(): void {
  sessionStorage.removeItem(KEY);
}
