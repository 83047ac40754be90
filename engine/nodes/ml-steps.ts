/**
 * The tensor steps around `edge.ml.RunONNXModel` that a custom node (edge/custom-nodes) is rewritten into:
 * `PrepareTensors` gathers the node's inputs into the model's `inputs` dict, each cast to the model's element
 * type after its preprocessing steps; `FinishTensors` splits the model's `outputs` dict into one output per
 * model output, after its postprocessing steps. The steps are a fixed set of tensor operations
 * (engine/tensor-steps), never code.
 */
import { z } from "zod";
import { StepsByPortSchema, type StepsByPort } from "../../schema/custom-nodes";
import { TENSOR_DTYPES } from "../../schema/runner";
import { fromWireTensor, TensorError, toWireTensor, type TensorValue } from "../inference/tensors";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { applySteps, castTo } from "../tensor-steps/steps";
import { isRecord } from "../values/coerce";

const DtypesSchema = z.record(z.string(), z.enum(TENSOR_DTYPES));

function parsed<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new TypeError(`${name} is invalid: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  return r.data;
}

/** Any tensor-like value (nested lists, np_array, tensor) in the engine's tensor form. */
function tensorOf(value: unknown, what: string): TensorValue {
  if (value === null || value === undefined) throw new TypeError(`${what} is required (a tensor or a nested list of numbers)`);
  try {
    return fromWireTensor(toWireTensor(value, what));
  } catch (err) {
    if (err instanceof TensorError) throw new TypeError(err.message);
    throw err;
  }
}

function stepped(value: TensorValue, steps: StepsByPort, name: string, what: string): TensorValue {
  try {
    return applySteps(value, steps[name] ?? [], what);
  } catch (err) {
    if (err instanceof TensorError) throw new RangeError(err.message);
    throw err;
  }
}

const prepareTensors = defineNode({
  type: "edge.ml.PrepareTensors",
  title: "Prepare Tensors",
  description:
    "Gathers its dynamic inputs into a dict of tensors for Run ONNX Model: each input goes through its preprocessing steps, then is cast to its element type. Custom nodes are rewritten into this node.\n    onnx, tensor, preprocess",
  isDynamic: true,
  properties: [
    prop("steps", "dict", {}, { description: "Input name -> list of tensor steps (scale, normalize, clip, transpose, reshape, unsqueeze, squeeze, softmax, sigmoid, argmax, cast)." }),
    prop("dtypes", "dict", {}, { description: "Input name -> the element type the model expects." }),
  ],
  outputs: [out("inputs", "dict")],
  process: (inputs) => {
    const steps = parsed(StepsByPortSchema, inputs.steps, "steps");
    const dtypes = parsed(DtypesSchema, inputs.dtypes, "dtypes");
    const result: Record<string, TensorValue> = {};
    for (const name of Object.keys(inputs)) {
      if (name === "steps" || name === "dtypes") continue;
      const what = `input '${name}'`;
      let t = stepped(tensorOf(inputs[name], what), steps, name, what);
      const dtype = dtypes[name];
      if (dtype) t = castTo(t, dtype, what);
      result[name] = t;
    }
    return { inputs: result };
  },
});

const finishTensors = defineNode({
  type: "edge.ml.FinishTensors",
  title: "Finish Tensors",
  description:
    "Splits Run ONNX Model's outputs dict into one dynamic output per model output, each after its postprocessing steps. Custom nodes are rewritten into this node.\n    onnx, tensor, postprocess",
  properties: [
    prop("outputs", "dict", {}, { description: "The model's outputs (Run ONNX Model's `outputs`)." }),
    prop("steps", "dict", {}, { description: "Output name -> list of tensor steps." }),
  ],
  outputs: [],
  process: (inputs, ctx) => {
    const given = inputs.outputs ?? {};
    if (!isRecord(given)) throw new TypeError("outputs must be a dict of output name -> tensor");
    const steps = parsed(StepsByPortSchema, inputs.steps, "steps");
    const result: Record<string, TensorValue> = {};
    const wanted = Object.keys(ctx.dynamicOutputs ?? given);
    for (const name of wanted) {
      if (!(name in given)) throw new Error(`the model has no output '${name}' (it gave ${Object.keys(given).join(", ") || "none"})`);
      const what = `output '${name}'`;
      result[name] = stepped(tensorOf(given[name], what), steps, name, what);
    }
    return result;
  },
});

export const mlStepNodes: NodeDecl[] = [prepareTensors, finishTensors];
