import type { JobStatus } from "../../schema/messages";
import type { NodeRegistry } from "../registry/registry";
import type { EmitFn, EngineServices } from "../registry/types";
import type { InputFeed } from "./input-feed";

export interface RunOptions {
  registry: NodeRegistry;
  /** Receives every message of the run, in order. */
  emit?: EmitFn;
  /** Aborting stops the run; a reason named "TimeoutError" ends it as `timed_out`, anything else `cancelled`. */
  signal?: AbortSignal;
  services?: Partial<EngineServices>;
  /** Items pushed into the run's streaming input nodes while it runs (NodeTool's `stream_input`). */
  feed?: InputFeed;
  /** Sees every value that leaves a node's output port, connected or not, and every value a sink receives (output capture). */
  observeOutput?: (o: ObservedOutput) => void;
}

export interface ObservedOutput {
  node_id: string;
  node_name: string;
  output_name: string;
  value: unknown;
  output_type: string;
}

export type TerminalStatus = Extract<JobStatus, "completed" | "failed" | "cancelled" | "timed_out">;

export interface RunResult {
  status: TerminalStatus;
  /** Sink name -> the value it received, the array of values when it received several, or null. */
  result: Record<string, unknown>;
  /** Sink name -> every value it received, always an array. */
  outputs: Record<string, unknown[]>;
  error?: string;
  /** Seconds. */
  duration: number;
}
