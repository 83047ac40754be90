import { InferenceError } from "../../engine/inference/types";
import type { ModelRef } from "../../schema/runner";
import { manifestKey, modelNameProblem, runnerKey } from "./keys";
import { headModel } from "./manifest";

/**
 * A model name as a job uses it (`edge.ml.RunONNXModel`'s `model`) turned into the ModelRef a runner fetches
 * and verifies: one R2 read of the job user's manifest. Another user's model is simply not found.
 */
export async function resolveModelRef(bucket: R2Bucket, userId: string, name: string): Promise<ModelRef> {
  const problem = modelNameProblem(name);
  if (problem) throw new InferenceError(`model '${name.slice(0, 200)}' is not a valid model name: ${problem}`, "invalid_request");
  const model = await headModel(bucket, manifestKey(userId, name));
  if (!model) {
    throw new InferenceError(`model '${name}' was not found: upload it with POST /api/models/upload (GET /api/models lists yours)`, "model_unavailable");
  }
  return { key: runnerKey(userId, name), name, size: model.data.size, sha256: model.data.sha256 };
}
