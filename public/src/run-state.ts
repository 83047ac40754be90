import { decode, encode } from "@msgpack/msgpack";
import { type ContractMessage, isJobFrame, type JobFrame, type JobStatus, type ServerFrame } from "./socket";

/**
 * What the page knows about the job it shows, built from the job's messages (docs/architecture.md#5-stream-messages-sse-and-ndjson) in
 * `job_seq` order. It is saved in sessionStorage together with `last_seq`, so a reload shows the same view
 * and asks the server only for what came after (`reconnect_job {job_id, last_seq}`).
 */

export const TERMINAL: string[] = ["completed", "failed", "cancelled", "timed_out"] satisfies JobStatus[];

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
  severity: ContractMessage<"log_update">["severity"];
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

function node(state: RunState, id: string): NodeState {
  return (state.nodes[id] ??= { name: id, type: "", status: "running" });
}

function addLog(state: RunState, severity: LogEntry["severity"], text: string, change: Change): void {
  state.log.push({ severity, text });
  if (state.log.length > MAX_LOG) state.log.splice(0, state.log.length - MAX_LOG);
  change.log = true;
}

/**
 * Applies one job message (the socket's form of it, {@link JobFrame}); other frames are ignored. Messages at
 * or below `last_seq` were seen already (a replay overlapping what the page has) and are dropped; a jump past
 * `last_seq + 1` is counted in `missed`.
 */
export function applyMessage(state: RunState, msg: ServerFrame | JobFrame, change: Change): boolean {
  if (!isJobFrame(msg) || msg.job_id !== state.job_id) return false;
  const seq = msg.job_seq;
  if (seq <= state.last_seq) return false;
  if (seq > state.last_seq + 1) state.missed += seq - state.last_seq - 1;
  state.last_seq = seq;
  change.job = true;

  switch (msg.type) {
    case "job_update": {
      state.status = msg.status;
      state.queue_position = msg.queue_position;
      if (msg.error !== undefined) state.error = msg.error;
      if (msg.duration !== undefined) state.duration = msg.duration;
      if (msg.result) {
        // The result map is the final word on every result: a reconnect after a gap still ends complete.
        // A completed update's is a list per output (SocketCompletedUpdate); a completed update without
        // `message` would be the HTTP streams' result map, where only a repeated output is an array.
        const lists = msg.status === "completed" && typeof msg.message === "string";
        for (const [name, value] of Object.entries<unknown>(msg.result)) {
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
      const n = node(state, msg.node_id);
      n.name = msg.node_name || msg.node_id;
      n.type = msg.node_type;
      n.status = msg.status;
      if (msg.error !== undefined) {
        n.error = msg.error;
        addLog(state, "error", `${n.name}: ${msg.error}`, change);
      }
      change.nodes.add(msg.node_id);
      break;
    }
    case "node_progress": {
      const n = node(state, msg.node_id);
      n.progress = msg.progress;
      n.total = msg.total;
      if (msg.chunk) n.text = ((n.text ?? "") + msg.chunk).slice(-MAX_TEXT);
      change.nodes.add(msg.node_id);
      break;
    }
    case "output_update": {
      const name = state.sinks.includes(msg.output_name) ? msg.output_name : `${msg.node_name}.${msg.output_name}`;
      const out = (state.outputs[name] ??= { type: msg.output_type, values: [] });
      out.type = msg.output_type;
      out.values.push(msg.value);
      change.outputs.add(name);
      break;
    }
    case "log_update":
      addLog(state, msg.severity, `${msg.node_name}: ${msg.content}`, change);
      break;
    case "error":
      addLog(state, "error", msg.message, change);
      break;
    case "chunk": {
      // LLM and agent text as it streams: shown with the node, like node_progress text. Thinking is not.
      if (msg.thinking || !msg.content) break;
      const n = node(state, msg.node_id);
      n.text = ((n.text ?? "") + msg.content).slice(-MAX_TEXT);
      change.nodes.add(msg.node_id);
      break;
    }
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
