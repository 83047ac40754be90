import * as ort from "onnxruntime-node";
import type { WireTensor } from "../../../schema/runner";
import { RunnerFailure, shortMessage } from "../errors";
import { concatRows, fromOrtTensor, splitRows, toOrtTensor } from "../tensor/convert";
import { validateTensorRequest } from "../tensor/meta";
import type { ItemOutcome, TensorItem } from "./protocol";
import type { CachedSession } from "./session-cache";

export const isCancelled = (flag: SharedArrayBuffer) => Atomics.load(new Int32Array(flag), 0) !== 0;

export interface TensorTaskResult {
  outcomes: ItemOutcome[];
  /** Why the batch could not be split back by rows (its items were then run one by one). */
  unbatchable?: string;
}

/** Session.run failures are the request's doing once its inputs matched the signature (values, shapes the graph rejects). */
async function run(session: ort.InferenceSession, inputs: Record<string, WireTensor>, outputs?: string[]): Promise<Record<string, WireTensor>> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) feeds[name] = toOrtTensor(ort.Tensor, t);
  let results: ort.InferenceSession.OnnxValueMapType;
  try {
    results = outputs ? await session.run(feeds, outputs) : await session.run(feeds);
  } catch (err) {
    throw RunnerFailure.invalidInput(`onnxruntime rejected the inputs: ${shortMessage(err)}`);
  }
  const wire: Record<string, WireTensor> = {};
  for (const [name, value] of Object.entries(results)) wire[name] = fromOrtTensor(name, value as ort.Tensor);
  return wire;
}

async function runOne(cached: CachedSession, item: TensorItem, outputs?: string[]): Promise<ItemOutcome> {
  try {
    const result = await run(cached.session, item.inputs, outputs);
    return { ok: true, result: { kernel: "tensor", outputs: result } };
  } catch (err) {
    return { ok: false, error: toFailure(err).toWire() };
  }
}

export function toFailure(err: unknown): RunnerFailure {
  return err instanceof RunnerFailure ? err : RunnerFailure.internal(shortMessage(err));
}

/**
 * Runs one tensor task: a single request, or a batch the scheduler formed from requests with the same
 * trailing shapes. A batch is stacked along the first axis, run once and split back by each request's rows,
 * in order. Requests cancelled before the run are left out of it.
 */
export async function runTensorTask(cached: CachedSession, items: TensorItem[], outputs?: string[]): Promise<TensorTaskResult> {
  const outcomes: ItemOutcome[] = new Array(items.length);
  const live: number[] = [];
  items.forEach((item, i) => {
    if (isCancelled(item.cancelFlag)) {
      outcomes[i] = { ok: false, error: RunnerFailure.cancelled().toWire() };
      return;
    }
    try {
      // The scheduler validates too, once it knows the signature; the first requests reach here unchecked.
      validateTensorRequest(cached.meta, item.inputs, outputs);
      live.push(i);
    } catch (err) {
      outcomes[i] = { ok: false, error: toFailure(err).toWire() };
    }
  });
  if (live.length === 1) outcomes[live[0]] = await runOne(cached, items[live[0]], outputs);
  if (live.length <= 1) return { outcomes };

  const stacked: Record<string, WireTensor> = {};
  for (const name of Object.keys(items[live[0]].inputs)) stacked[name] = concatRows(live.map((i) => items[i].inputs[name]));
  let whole: Record<string, WireTensor>;
  try {
    whole = await run(cached.session, stacked, outputs);
  } catch {
    // One request's values can break a whole batch; run them alone so only that one fails.
    for (const i of live) outcomes[i] = await runOne(cached, items[i], outputs);
    return { outcomes, unbatchable: undefined };
  }
  const rows = live.map((i) => items[i].rows);
  const pieces: Record<string, WireTensor[]> = {};
  for (const [name, tensor] of Object.entries(whole)) {
    const split = splitRows(tensor, rows);
    if (!split) {
      for (const i of live) outcomes[i] = await runOne(cached, items[i], outputs);
      return { outcomes, unbatchable: `output '${name}' has dims [${tensor.dims.join(", ")}], not ${rows.reduce((a, b) => a + b, 0)} rows` };
    }
    pieces[name] = split;
  }
  live.forEach((itemIndex, k) => {
    const result: Record<string, WireTensor> = {};
    for (const name of Object.keys(pieces)) result[name] = pieces[name][k];
    outcomes[itemIndex] = { ok: true, result: { kernel: "tensor", outputs: result } };
  });
  return { outcomes };
}
