import type { CustomNode, CustomNodeDeclaration, StepsByPort } from "../../schema/custom-nodes";
import type { Graph } from "../../schema/workflow";
import type { Env } from "../config/env";
import { ApiError } from "../errors/api-error";
import { manifestKey, modelNameProblem } from "../models/keys";
import { headModel } from "../models/manifest";
import { InvalidModelError } from "../models/onnx-check";
import { customType, expandCustomNodes, hasCustomNodes } from "./expand";
import { readSignature, type ModelSignature } from "./onnx-signature";
import { CustomNodeStore, MAX_CUSTOM_NODES } from "./store";

/** The caller's custom nodes: read from R2 once per request. */
export function customNodeStore(env: Pick<Env, "STORAGE">, userId: string): CustomNodeStore {
  return new CustomNodeStore(env.STORAGE, userId);
}

/** The graph with the user's custom nodes rewritten, for a save or a run; a problem (a disabled node, an unknown port) is a 422. */
export async function expandUserCustomNodes(env: Pick<Env, "STORAGE">, userId: string, graph: Graph): Promise<Graph> {
  if (!hasCustomNodes(graph)) return graph;
  const expanded = await expandCustomNodes(graph, customNodeStore(env, userId));
  if (expanded.issues.length > 0) throw ApiError.invalidGraph(expanded.issues);
  return expanded.graph;
}

const invalid = (path: string, message: string) => new ApiError("validation_error", message, [{ path, code: path === "file" ? "invalid_model" : "invalid", message }]);

/** The signature of the user's stored model `model`; a 422 when it is not there or its graph is unusable. */
export async function modelSignature(bucket: R2Bucket, userId: string, model: string): Promise<{ signature: ModelSignature; sha256: string }> {
  const problem = modelNameProblem(model);
  if (problem) throw invalid("model", `Invalid model name: ${problem}`);
  const head = await headModel(bucket, manifestKey(userId, model));
  const object = head && (await bucket.get(head.data.file));
  if (!head || !object) throw invalid("model", `Model '${model}' was not found: upload it with POST /api/models/upload (GET /api/models lists yours)`);
  try {
    return { signature: await readSignature(object.body, head.data.size), sha256: head.data.sha256 };
  } catch (err) {
    if (err instanceof InvalidModelError) throw invalid("file", `Model '${model}': ${err.message}`);
    throw err;
  }
}

function checkSteps(steps: StepsByPort, ports: { name: string }[], way: "preprocess" | "postprocess"): void {
  const names = new Set(ports.map((p) => p.name));
  for (const key of Object.keys(steps)) {
    if (!names.has(key)) {
      throw invalid(way, `${way} names '${key}', which is not a model ${way === "preprocess" ? "input" : "output"} (the model has: ${[...names].join(", ") || "none"})`);
    }
  }
}

export interface NewCustomNode {
  name: string;
  model: string;
  source: CustomNode["source"];
  description?: string;
  preprocess?: StepsByPort;
  postprocess?: StepsByPort;
  enabled?: boolean;
}

/** Builds and stores a custom node from a stored model; replaces one of the same name (keeping its creation time). */
export async function saveCustomNode(env: Pick<Env, "STORAGE">, userId: string, spec: NewCustomNode, existing: CustomNode | null): Promise<CustomNode> {
  const store = customNodeStore(env, userId);
  if (!existing && (await store.names()).length >= MAX_CUSTOM_NODES) {
    throw new ApiError("conflict", `You have ${MAX_CUSTOM_NODES} custom nodes, the most allowed; delete one first`);
  }
  const { signature, sha256 } = await modelSignature(env.STORAGE, userId, spec.model);
  const preprocess = spec.preprocess ?? {};
  const postprocess = spec.postprocess ?? {};
  checkSteps(preprocess, signature.inputs, "preprocess");
  checkSteps(postprocess, signature.outputs, "postprocess");
  const now = new Date().toISOString();
  const node: CustomNode = {
    name: spec.name,
    filename: `${spec.name}.${spec.source === "onnx" ? "onnx" : "json"}`,
    node_type: customType(spec.name),
    description:
      spec.description ??
      `Runs your model '${spec.model}' (${signature.inputs.map((p) => p.name).join(", ") || "no inputs"} -> ${signature.outputs.map((p) => p.name).join(", ")}) on a gpu-runner.`,
    source: spec.source,
    model: spec.model,
    model_sha256: sha256,
    enabled: spec.enabled ?? existing?.enabled ?? true,
    inputs: signature.inputs,
    outputs: signature.outputs,
    preprocess,
    postprocess,
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };
  await store.put(node);
  return node;
}

/** A custom node's name from a model name: its last segment without `.onnx`, reduced to the allowed characters. */
export function nameFromModel(model: string): string {
  const base = model.split("/").pop()!.replace(/\.onnx$/i, "");
  const name = base.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^-+/, "").slice(0, 64);
  return name === "" ? "model" : name;
}

export type { CustomNodeDeclaration };
