import { z } from "zod";
import { TENSOR_DTYPES } from "./runner";

/**
 * Custom nodes: node types of one user made from one of their uploaded ONNX models. The model's graph inputs
 * and outputs (names, element types, shapes) are the node's properties and outputs; optional pre- and
 * post-processing steps come from a fixed set of tensor operations (no code). A custom node appears in its
 * owner's catalog as `custom.<name>` and is rewritten into `edge.ml.PrepareTensors` -> `edge.ml.RunONNXModel`
 * -> `edge.ml.FinishTensors` before a graph is validated or run.
 */

export const CUSTOM_NAMESPACE = "custom";

/** Letters, digits, `_` and `-`: the name is part of the node type and of a storage key. */
export const CustomNodeNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/, "a custom node name is 1-64 letters, digits, '_' or '-' (not starting with '-')")
  .meta({ example: "classifier" });

/** The most steps on one port. */
export const MAX_STEPS = 16;

const Axis = z.number().int().min(-16).max(15);
const PerChannel = z.union([z.number(), z.array(z.number()).min(1).max(4096)]);

/** One tensor operation of the fixed safe set. */
export const TensorStepSchema = z
  .discriminatedUnion("op", [
    z.object({ op: z.literal("scale"), factor: z.number().default(1), offset: z.number().default(0) }).meta({ description: "x * factor + offset" }),
    z
      .object({ op: z.literal("normalize"), mean: PerChannel, std: PerChannel, axis: Axis.default(1) })
      .meta({ description: "(x - mean) / std; list values apply per index along `axis` (channels of NCHW by default)" }),
    z.object({ op: z.literal("clip"), min: z.number().optional(), max: z.number().optional() }),
    z.object({ op: z.literal("transpose"), perm: z.array(z.number().int().min(0).max(15)).min(1).max(16) }),
    z.object({ op: z.literal("reshape"), shape: z.array(z.number().int().min(-1)).min(0).max(16) }).meta({ description: "One dimension may be -1." }),
    z.object({ op: z.literal("unsqueeze"), axis: Axis.default(0) }).meta({ description: "Adds a dimension of 1 (a batch axis by default)." }),
    z.object({ op: z.literal("squeeze"), axis: Axis.default(0) }).meta({ description: "Removes a dimension of 1." }),
    z.object({ op: z.literal("softmax"), axis: Axis.default(-1) }),
    z.object({ op: z.literal("sigmoid") }),
    z.object({ op: z.literal("argmax"), axis: Axis.default(-1) }).meta({ description: "Indices of the largest values along `axis` (int64; the axis is removed)." }),
    z.object({ op: z.literal("cast"), dtype: z.enum(TENSOR_DTYPES) }),
  ])
  .meta({ id: "TensorStep" });
export type TensorStep = z.output<typeof TensorStepSchema>;

export const StepsByPortSchema = z.record(z.string().min(1).max(256), z.array(TensorStepSchema).max(MAX_STEPS));
export type StepsByPort = z.output<typeof StepsByPortSchema>;

export const CustomNodePortSchema = z
  .object({
    name: z.string(),
    dtype: z.enum(TENSOR_DTYPES).meta({ description: "The tensor element type the model declares." }),
    shape: z.array(z.union([z.number().int(), z.string(), z.null()])).nullable().meta({ description: "Dimensions: sizes, symbolic names, null when unknown; null when the model gives no shape." }),
  })
  .meta({ id: "CustomNodePort" });
export type CustomNodePort = z.infer<typeof CustomNodePortSchema>;

export const CustomNodeSchema = z
  .object({
    name: CustomNodeNameSchema,
    filename: z.string().meta({ description: "`<name>.onnx` for a node made by uploading a model, `<name>.json` for a declaration." }),
    node_type: z.string().meta({ example: "custom.classifier" }),
    description: z.string(),
    source: z.enum(["onnx", "declaration"]),
    model: z.string().meta({ description: "The uploaded model it runs (GET /api/models)." }),
    model_sha256: z.string(),
    enabled: z.boolean(),
    inputs: z.array(CustomNodePortSchema),
    outputs: z.array(CustomNodePortSchema),
    preprocess: StepsByPortSchema,
    postprocess: StepsByPortSchema,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "CustomNode" });
export type CustomNode = z.output<typeof CustomNodeSchema>;

export const CustomNodeListSchema = z.object({ custom_nodes: z.array(CustomNodeSchema), count: z.number().int() }).meta({ id: "CustomNodeList" });

export const CustomNodeDeclarationSchema = z
  .object({
    name: CustomNodeNameSchema,
    model: z.string().min(1).max(1024).meta({ description: "The name of one of your uploaded models." }),
    description: z.string().max(10_000).optional(),
    preprocess: StepsByPortSchema.optional().meta({ description: "Model input name -> steps applied to the value before the model." }),
    postprocess: StepsByPortSchema.optional().meta({ description: "Model output name -> steps applied to the model's output." }),
    enabled: z.boolean().optional(),
    replace: z.boolean().optional().meta({ description: "Replace a custom node of the same name instead of answering 409." }),
  })
  .meta({ id: "CustomNodeDeclaration" });
export type CustomNodeDeclaration = z.output<typeof CustomNodeDeclarationSchema>;

export const CustomNodeToggleSchema = z
  .object({
    name: z.string().min(1).max(200).meta({ description: "The custom node's name or filename." }),
    enabled: z.boolean().optional().meta({ description: "The new state; flips it when left out." }),
  })
  .meta({ id: "CustomNodeToggle" });
