import type { EngineServices } from "../../engine/registry/types";
import { chatService } from "../chat/config";
import type { Env } from "../config/env";
import { createInferenceService } from "../runners/service";
import { R2BlobStore } from "../storage/blob-store";

/** Who a job runs for: what host services may scope their work to (a user's storage, a job's logs). */
export interface JobIdentity {
  jobId: string;
  userId: string;
}

/**
 * The host services a job's nodes get through their context (model providers, blob storage, ...): the one
 * place where the Worker's bindings are handed to the runtime-agnostic engine.
 */
export function createJobServices(env: Env, job: JobIdentity): Partial<EngineServices> {
  return {
    blobs: new R2BlobStore(env, job),
    llm: chatService(env),
    // GPU nodes: the isolate's gpu-runner pool, with model names resolved to the job user's uploaded models.
    inference: createInferenceService(env, job),
  };
}
