import { planRun } from "../../engine/executor/plan";
import type { Graph } from "../../schema/workflow";
import { getConfig } from "../config/config";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { insertJob } from "../jobs/job-rows";
import type { JobOutcome, JobSpec, StartRespond } from "../jobs/job-spec";
import { registry } from "../registry";
import { newId } from "../workflows/repository";

export interface RunTarget {
  workflowId: string | null;
  graph: Graph;
  settings: Record<string, unknown>;
}

/**
 * Starts a job: checks graph and params (a 422 before anything is stored), records the job row, and hands
 * the run to a fresh Durable Object. Returns the object's answer in the form asked for.
 */
export async function startJob(env: Env, userId: string, target: RunTarget, params: Record<string, unknown>, respond: StartRespond): Promise<{ jobId: string; response: Response }> {
  planRun(target.graph, params, registry);
  const config = getConfig(env);
  const perWorkflow = target.settings.max_run_seconds;
  const jobId = newId();
  const spec: JobSpec = {
    job_id: jobId,
    user_id: userId,
    workflow_id: target.workflowId,
    graph: target.graph,
    params,
    max_run_seconds: typeof perWorkflow === "number" && perWorkflow > 0 ? perWorkflow : config.jobMaxRunSeconds,
    sse_keepalive_ms: config.sseKeepaliveMs,
  };
  await insertJob(db(env.DB), { id: jobId, user_id: userId, workflow_id: target.workflowId, params });
  const stub = env.JOBS.get(env.JOBS.idFromName(jobId));
  const response = await stub.fetch(`https://job/start?respond=${respond}`, { method: "POST", body: JSON.stringify(spec) });
  if (!response.ok) {
    console.error(`[job ${jobId}] start failed with ${response.status}: ${await response.text()}`);
    throw new ApiError("internal_error", "The job could not be started");
  }
  return { jobId, response };
}

export async function readOutcome(response: Response): Promise<JobOutcome> {
  return (await response.json()) as JobOutcome;
}
