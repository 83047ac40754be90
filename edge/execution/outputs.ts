import type { CaptureIndex, CapturedPort } from "../../schema/execution";
import { NdArrayError } from "../../engine/ndarray/ndarray";
import { sliceValue } from "../../engine/ndarray/slice";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { findJob } from "../jobs/job-rows";
import { isFinished } from "../jobs/job-stream";
import { capturePrefix, deletePrefix, readIndex, readItem } from "./capture-store";

/** What a `__grad_index` request is told: the runners run inference only, so there are no gradients to list. */
export const NO_GRADIENTS =
  "No gradients are captured: runs here are inference only (ONNX Runtime inference sessions on the gpu-runners and the engine's JS nodes compute no backward pass), so there is no gradient of any node to list";

/** The caller's run (another user's reads exactly like a missing one) and its capture index. */
export async function ownedCapture(env: Env, userId: string, runId: string): Promise<CaptureIndex> {
  const row = await findJob(db(env.DB), userId, runId);
  if (!row) throw ApiError.notFound(`Run '${runId}'`);
  const index = await readIndex(env, userId, runId);
  if (index) return index;
  if (!isFinished(row)) {
    throw new ApiError("conflict", `Run '${runId}' is still ${row.status}; its captured outputs are listed once it ends`, undefined, { job_id: runId, status: row.status });
  }
  throw ApiError.notFound(`Captured outputs of run '${runId}' (it did not ask for record_outputs, or its capture expired or was deleted)`);
}

function portsOf(index: CaptureIndex, nodeId: string): CapturedPort[] {
  const ports = index.ports.filter((p) => p.node_id === nodeId);
  if (ports.length === 0) throw ApiError.notFound(`Node '${nodeId}' in the captured outputs of run '${index.run_id}'`);
  return ports;
}

export function stepsIndex(index: CaptureIndex, nodeId: string) {
  const steps = portsOf(index, nodeId)
    .flatMap((p) => p.items.map((item) => ({ ...item, port: p.port })))
    .sort((a, b) => a.job_seq - b.job_seq);
  return { run_id: index.run_id, node_id: nodeId, steps };
}

/** Checks the node exists in the capture, then refuses honestly (never an invented gradient). */
export function gradIndex(index: CaptureIndex, nodeId: string): never {
  portsOf(index, nodeId);
  throw new ApiError("not_found", `${NO_GRADIENTS} (node '${nodeId}' of run '${index.run_id}')`, [{ reason: "inference_only", node_id: nodeId }]);
}

/** One captured value: the port's item `seq` (negative counts from the end; the last by default), sliced when asked. */
export async function capturedValue(env: Env, userId: string, index: CaptureIndex, nodeId: string, port: string, seqText: string | undefined, slice: string | undefined) {
  const found = portsOf(index, nodeId).find((p) => p.port === port);
  if (!found) throw ApiError.notFound(`Port '${port}' of node '${nodeId}' in the captured outputs of run '${index.run_id}'`);
  let seq = found.count - 1;
  if (seqText !== undefined) {
    if (!/^-?\d{1,9}$/.test(seqText)) throw new ApiError("validation_error", `Invalid seq '${seqText.slice(0, 32)}': expected an integer`, [{ path: "seq", message: "expected an integer" }]);
    seq = Number(seqText) < 0 ? found.count + Number(seqText) : Number(seqText);
  }
  const item = found.items.find((i) => i.seq === seq);
  if (!item) throw ApiError.notFound(`Item ${seqText ?? seq} of port '${port}' (it emitted ${found.count})`);
  if (!item.stored) throw ApiError.notFound(`Item ${seq} of port '${port}' was not stored: ${item.reason ?? "unknown reason"}`);
  const value = await readItem(env, userId, index.run_id, item.id);
  let out = { value, shape: item.shape };
  if (slice !== undefined) {
    try {
      out = sliceValue(value, slice);
    } catch (err) {
      if (err instanceof NdArrayError) throw new ApiError("validation_error", `Invalid slice '${slice.slice(0, 64)}' for port '${port}': ${err.message}`, [{ path: "slice", message: err.message }]);
      throw err;
    }
  }
  return { run_id: index.run_id, node_id: nodeId, port, seq, count: found.count, slice: slice ?? null, shape: out.shape, value: out.value };
}

/** Frees a run's capture; 404 when the run is not the caller's or has nothing captured. */
export async function deleteCapture(env: Env, userId: string, runId: string): Promise<{ run_id: string; deleted: number }> {
  const row = await findJob(db(env.DB), userId, runId);
  if (!row) throw ApiError.notFound(`Run '${runId}'`);
  const deleted = await deletePrefix(env.STORAGE, capturePrefix(userId, runId));
  if (deleted === 0) throw ApiError.notFound(`Captured outputs of run '${runId}'`);
  return { run_id: runId, deleted };
}
