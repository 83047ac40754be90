import { TENSOR_DTYPES, type TensorDtype, type WireTensor } from "../../../schema/runner";
import { RunnerFailure } from "../errors";

/**
 * What the runner knows of a model's signature once a worker has loaded it: the `inputs`/`outputs` of
 * GET /v1/models, what requests are validated against before they are queued, and what decides batching.
 */
export interface TensorInfo {
  name: string;
  /** onnxruntime's element type (`float32`, `int64`, `float16`, ...), or `non-tensor` for sequences and maps. */
  type: string;
  /** Numbers are fixed sizes; strings are symbolic (dynamic) dimensions. Empty: a scalar, or a shape the model leaves open. */
  shape: (number | string)[];
}

export interface ModelMeta {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

const isDynamic = (d: number | string) => typeof d === "string" || d < 0;
const isWireDtype = (t: string): t is TensorDtype => (TENSOR_DTYPES as readonly string[]).includes(t);

/**
 * A model can be batched when every input and output is a tensor whose first dimension is dynamic: then
 * requests that agree on everything but that dimension can be stacked along it and the outputs split back.
 * Unless `trusted` (the operator named the model in GPU_RUNNER_BATCHING), the first dimensions must also not
 * carry different symbolic names: `[batch, 3] -> [cols, batch]` has dynamic first dims that are not the same
 * axis, and splitting its output by rows would hand requests each other's numbers.
 */
export function isBatchable(meta: ModelMeta, trusted = false): boolean {
  const all = [...meta.inputs, ...meta.outputs];
  if (meta.inputs.length === 0 || !all.every((t) => t.type !== "non-tensor" && t.shape.length >= 1 && isDynamic(t.shape[0]))) return false;
  const names = new Set(all.map((t) => t.shape[0]).filter((d) => typeof d === "string" && d !== ""));
  return trusted || names.size <= 1;
}

/**
 * Checks a tensor request against the model's signature, so a wrong request fails alone with a clear 422
 * instead of failing a whole batch inside onnxruntime.
 */
export function validateTensorRequest(meta: ModelMeta, inputs: Record<string, WireTensor>, outputs?: string[]): void {
  const inputNames = meta.inputs.map((i) => i.name);
  for (const name of Object.keys(inputs)) {
    if (!inputNames.includes(name)) throw RunnerFailure.invalidInput(`unknown input '${name}'; the model's inputs are ${inputNames.join(", ")}`);
  }
  for (const info of meta.inputs) {
    const tensor = inputs[info.name];
    if (!tensor) throw RunnerFailure.invalidInput(`missing input '${info.name}'; the model's inputs are ${inputNames.join(", ")}`);
    if (!isWireDtype(info.type)) throw RunnerFailure.invalidInput(`input '${info.name}' has type ${info.type}, which the runner cannot carry`);
    if (tensor.dtype !== info.type) throw RunnerFailure.invalidInput(`input '${info.name}' must be ${info.type}, got ${tensor.dtype}`);
    // An empty shape is a scalar or a shape the model leaves open: onnxruntime checks those itself.
    if (info.shape.length === 0) continue;
    if (tensor.dims.length !== info.shape.length) {
      throw RunnerFailure.invalidInput(`input '${info.name}' must have rank ${info.shape.length} (shape [${info.shape.join(", ")}]), got dims [${tensor.dims.join(", ")}]`);
    }
    info.shape.forEach((d, axis) => {
      if (!isDynamic(d) && tensor.dims[axis] !== d) {
        throw RunnerFailure.invalidInput(`input '${info.name}' must have size ${d} on axis ${axis} (shape [${info.shape.join(", ")}]), got dims [${tensor.dims.join(", ")}]`);
      }
    });
  }
  const outputNames = meta.outputs.map((o) => o.name);
  for (const name of outputs ?? []) {
    if (!outputNames.includes(name)) throw RunnerFailure.invalidInput(`unknown output '${name}'; the model's outputs are ${outputNames.join(", ")}`);
  }
  for (const info of meta.outputs) {
    if (outputs && !outputs.includes(info.name)) continue;
    if (!isWireDtype(info.type)) throw RunnerFailure.invalidInput(`output '${info.name}' has type ${info.type}, which the runner cannot return; ask for other outputs`);
  }
}

/**
 * The rows a request contributes to a batch (its first dimension, the same on every input), or null when
 * its inputs disagree on it and it must run alone.
 */
export function batchRows(inputs: Record<string, WireTensor>): number | null {
  const firsts = Object.values(inputs).map((t) => t.dims[0]);
  if (firsts.length === 0 || firsts.some((d) => d === undefined || d !== firsts[0])) return null;
  return firsts[0];
}

/** Requests with equal keys can share a run: same inputs, dtypes, dims after the first, and outputs asked for. */
export function batchKey(inputs: Record<string, WireTensor>, outputs?: string[]): string {
  const parts = Object.keys(inputs)
    .sort()
    .map((name) => `${name}:${inputs[name].dtype}:${inputs[name].dims.slice(1).join("x")}`);
  return `${parts.join("|")}->${outputs ? [...outputs].sort().join(",") : "*"}`;
}
