import { InferenceError, NO_RUNNER, type InferenceOptions, type InferenceRequest, type InferenceService } from "../../engine/inference/types";
import { getConfig, type Config } from "../config/config";
import type { Env } from "../config/env";
import { resolveModelRef } from "../models/resolve";
import { runnerPool, type PoolStatus, type RunnerPool } from "../../host/runners/pool";
import { R2BlobStore } from "../storage/blob-store";
import { MediaPlan } from "./media";

/** The isolate's pool for this configuration; a configuration problem is the reason nothing can run. */
export function poolFor(config: Config): RunnerPool {
  const problem = config.problems.find((p) => p.startsWith("GPU_RUNNER_"));
  if (problem) throw new InferenceError(`${NO_RUNNER}: ${problem}`, "unavailable");
  return runnerPool({ urls: config.gpuRunnerUrls, token: config.gpuRunnerToken ?? "", idleTimeoutMs: config.gpuRunnerTimeoutSeconds * 1000 });
}

/**
 * The runners as they are now, for health reports: runners this isolate has not checked lately (a fresh
 * isolate: none) are probed first, within the pool's health-check timeout.
 */
export async function runnerPoolStatus(env: Env): Promise<PoolStatus> {
  const config = getConfig(env);
  let pool: RunnerPool;
  try {
    pool = poolFor(config);
  } catch {
    return { configured: config.gpuRunnerUrls.length, healthy: 0, runners: [] };
  }
  await pool.refresh();
  return pool.status();
}

/**
 * The engine's InferenceService in the Worker, for one job: model names resolve to the job user's uploaded
 * models (before any runner is involved, so a wrong name fails fast), requests carry the job id (so a
 * cancelled job's work is cancelled on the runner), and the pool runs them.
 */
export function createInferenceService(env: Env, job: { jobId: string; userId: string; publicBase?: string | null }): InferenceService {
  return {
    // Image, audio and video media go by reference to runners that can fetch it (edge/runners/media.ts).
    storedMedia: true,
    async infer(request: InferenceRequest, options: InferenceOptions = {}) {
      const config = getConfig(env);
      const jobId = options.jobId ?? job.jobId;
      if (request.kernel === "tensor") {
        const model = await resolveModelRef(env.STORAGE, job.userId, request.model);
        return poolFor(config).infer({ ...request, model, job_id: jobId }, options);
      }
      if (MediaPlan.isMediaRequest(request)) {
        const pool = poolFor(config);
        const plan = await MediaPlan.create(env, job, new R2BlobStore(env, job), config.gpuRunnerToken ?? "", config.runnerMedia, request);
        const result = await pool.infer({ job_id: jobId }, { ...options, prepare: async (runner) => ({ ...(await plan.build(runner)), job_id: jobId }) });
        return plan.finish(result);
      }
      return poolFor(config).infer({ ...request, job_id: jobId }, options);
    },
  };
}
