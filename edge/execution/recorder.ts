import type { CaptureIndex, CapturedItem, CapturedPort } from "../../schema/execution";
import type { ObservedOutput } from "../../engine/executor/run-workflow";
import type { Env } from "../config/env";
import { toJsonText } from "../streaming/wire";
import { CAPTURE_LIMITS, captureRetentionSeconds, itemKey, writeIndex } from "./capture-store";

/** The shape of a captured value when it is array-like: a tensor or NPArray's own, or a nested list's. */
export function shapeOf(value: unknown): number[] | null {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const v = value as { type?: unknown; shape?: unknown };
    if ((v.type === "tensor" || v.type === "np_array") && Array.isArray(v.shape) && v.shape.every((d) => Number.isInteger(d))) return v.shape as number[];
    return null;
  }
  if (!Array.isArray(value)) return typeof value === "number" || typeof value === "boolean" ? [] : null;
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  return typeof level === "number" || typeof level === "boolean" || (Array.isArray(level) && level.length === 0) ? shape : null;
}

/**
 * Records every value that passes a node's output ports during one job (a run asked for `record_outputs`):
 * each `output_update` becomes an R2 object as it is published, and the index is written when the run ends,
 * before its terminal message goes out, so whoever sees the end can read the whole capture.
 */
export class CaptureRecorder {
  private readonly ports = new Map<string, CapturedPort>();
  private readonly writes: Promise<unknown>[] = [];
  private items = 0;
  private bytes = 0;
  private readonly startedAt = new Date().toISOString();

  constructor(
    private readonly env: Env,
    private readonly userId: string,
    private readonly runId: string,
    private readonly workflowId: string | null,
  ) {}

  /** `jobSeq`: the job_seq of the last message published before the value (its place in the run's stream). */
  record(message: ObservedOutput, jobSeq: number): void {
    const key = `${message.node_id}\u0000${message.output_name}`;
    let port = this.ports.get(key);
    if (!port) {
      port = { node_id: message.node_id, node_name: message.node_name, port: message.output_name, output_type: message.output_type, count: 0, items: [] };
      this.ports.set(key, port);
    }
    const text = toJsonText(message.value ?? null);
    const size = new TextEncoder().encode(text).length;
    const item: CapturedItem = { id: this.items, seq: port.count, job_seq: jobSeq, time: new Date().toISOString(), shape: shapeOf(message.value), bytes: size, stored: true };
    port.count++;
    const reason =
      this.items >= CAPTURE_LIMITS.maxItems
        ? `the run recorded ${CAPTURE_LIMITS.maxItems} items, the most one run may`
        : size > CAPTURE_LIMITS.maxItemBytes
          ? `the value is ${size} bytes, more than ${CAPTURE_LIMITS.maxItemBytes}`
          : this.bytes + size > CAPTURE_LIMITS.maxRunBytes
            ? `the run's capture would exceed ${CAPTURE_LIMITS.maxRunBytes} bytes`
            : null;
    this.items++;
    if (reason) {
      item.stored = false;
      item.reason = reason;
    } else {
      this.bytes += size;
      const write = this.env.STORAGE.put(itemKey(this.userId, this.runId, item.id), text, { httpMetadata: { contentType: "application/json" } }).catch((err) => {
        item.stored = false;
        item.reason = `storing it failed: ${(err as Error).message}`;
      });
      this.writes.push(write);
    }
    // The index keeps bounded metadata even for items it could not store.
    if (port.items.length < CAPTURE_LIMITS.maxItems) port.items.push(item);
  }

  /** Waits for the item writes and writes the index. */
  async close(status: string): Promise<CaptureIndex> {
    await Promise.all(this.writes);
    const finished = Date.now();
    const index: CaptureIndex = {
      run_id: this.runId,
      workflow_id: this.workflowId,
      status,
      started_at: this.startedAt,
      finished_at: new Date(finished).toISOString(),
      expires_at: new Date(finished + captureRetentionSeconds(this.env) * 1000).toISOString(),
      items: this.items,
      bytes: this.bytes,
      ports: [...this.ports.values()],
    };
    await writeIndex(this.env, this.userId, index);
    return index;
  }
}
