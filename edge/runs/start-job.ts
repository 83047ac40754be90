import { planRun } from "../../engine/executor/plan";
import type { KeyLimits, WebhookSpec } from "../../schema/accounts";
import { IDEMPOTENCY_WINDOW_MS } from "../../schema/jobs";
import type { JobRow } from "../../schema/tables";
import type { Graph } from "../../schema/workflow";
import { getConfig } from "../config/config";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { deleteUnstartedJob, insertJobForSavedWorkflow, insertJobOrFindExisting, releaseIdempotencyKey } from "../jobs/job-rows";
import type { JobOutcome, JobSpec, StartRespond } from "../jobs/job-spec";
import { isFinished, jobStub, openJobEvents, outcomeFromRow } from "../jobs/job-stream";
import { registry } from "../registry";
import { storedGraph } from "../workflows/present";
import { expandUserPresets } from "../presets/service";
import { newId } from "../workflows/repository";
import { requestHash } from "./request-hash";
import { getStorageConfig } from "../storage/config";
import { publicBase } from "../storage/public-base";
import { webhookSecretFor } from "../keys/repository";
import { acquireJobSlot, releaseJobSlot } from "../ratelimit/enforce";

export interface RunTarget {
  workflowId: string | null;
  graph: Graph;
  settings: Record<string, unknown>;
}

/** A saved workflow named by id: read in the same D1 round trip that records the job. */
export interface SavedWorkflowSource {
  savedWorkflowId: string;
}

export interface StartOptions {
  respond: StartRespond;
  /** The `Idempotency-Key` header: a repeat of the same request returns the job it first created. */
  idempotencyKey?: string;
  /** A client-chosen job id (WebSocket `run_job`), idempotent the same way. */
  jobId?: string;
  /** A WebSocket run: its streaming input nodes wait for `stream_input` items. */
  streamInputs?: boolean;
  /** The API key the run was asked with: its usage, concurrent-job limit and webhook secret. */
  key?: { id: string; limits: KeyLimits };
  /** Where to POST the job's events (edge/webhooks). */
  webhook?: WebhookSpec;
  /** Store every value that passes a node's output ports (edge/execution). */
  recordOutputs?: boolean;
  /** The starting request's URL: the base of its media URLs when PUBLIC_BASE_URL is unset (edge/storage/public-base.ts). */
  requestUrl?: string;
}

export interface StartedJob {
  jobId: string;
  response: Response;
  /** True when an earlier request had already created this job. */
  replayed: boolean;
}

/** A workflow's `settings.max_run_seconds` may shorten the server's limit, never extend it (the operator's bound on cost). */
function maxRunSeconds(env: Env, settings: Record<string, unknown>): number {
  const limit = getConfig(env).jobMaxRunSeconds;
  const own = settings.max_run_seconds;
  return typeof own === "number" && Number.isFinite(own) && own > 0 ? Math.min(own, limit) : limit;
}

/**
 * Starts a job: checks graph and params (a 422 before anything is stored), records the job row, and hands
 * the run to the job's Durable Object, which answers in the form asked for. A repeated idempotency key or
 * client job id with the same request answers from the existing job instead of running it twice.
 */
export async function startJob(
  env: Env,
  userId: string,
  source: RunTarget | SavedWorkflowSource,
  params: Record<string, unknown>,
  opts: StartOptions,
): Promise<StartedJob> {
  const saved = "savedWorkflowId" in source;
  // The user's preset nodes expand into their subgraphs before the plan checks the graph (edge/presets).
  const adHocGraph = saved ? null : await expandUserPresets(env, userId, source.graph);
  if (adHocGraph) planRun(adHocGraph, params, registry);
  const database = db(env.DB);
  const workflowId = saved ? source.savedWorkflowId : source.workflowId;
  const keyed = opts.idempotencyKey !== undefined || opts.jobId !== undefined;
  const hash = keyed ? await requestHash({ workflowId, graph: saved ? null : source.graph, params }) : undefined;
  const row = {
    id: opts.jobId ?? newId(),
    user_id: userId,
    workflow_id: workflowId,
    params,
    ...(opts.idempotencyKey !== undefined ? { idempotency_key: opts.idempotencyKey } : {}),
    ...(hash !== undefined ? { request_hash: hash } : {}),
  };
  let target: RunTarget;
  let existing: JobRow | null;
  if (saved) {
    const found = await insertJobForSavedWorkflow(database, { ...row, workflow_id: source.savedWorkflowId });
    if (!found.workflow) throw ApiError.notFound(`Workflow '${source.savedWorkflowId}'`);
    target = { workflowId: found.workflow.id, graph: storedGraph(found.workflow), settings: found.workflow.settings };
    existing = found.existing;
    try {
      target.graph = await expandUserPresets(env, userId, target.graph);
      planRun(target.graph, params, registry);
    } catch (err) {
      // The row went in with the workflow read; a request that fails validation leaves no job behind.
      if (!existing) await deleteUnstartedJob(database, row.id);
      throw err;
    }
  } else {
    target = { ...source, graph: adHocGraph! };
    existing = await insertJobOrFindExisting(database, row);
  }
  if (existing && opts.idempotencyKey !== undefined && Date.now() - Date.parse(existing.created_at) > IDEMPOTENCY_WINDOW_MS) {
    // The key's window has passed: it now names a new job.
    await releaseIdempotencyKey(database, existing.id);
    existing = await insertJobOrFindExisting(database, row);
  }
  if (existing) checkReplay(userId, existing, hash);
  if (existing && isFinished(existing)) return { jobId: existing.id, response: await answerFinished(env, existing, opts.respond), replayed: true };

  // A new job takes its concurrent-job slots first; refused, it leaves no row behind (a 429).
  const jobId = existing?.id ?? row.id;
  let jobSlot = false;
  if (!existing) {
    try {
      jobSlot = await acquireJobSlot(env, userId, opts.key?.id, opts.key?.limits, jobId);
    } catch (err) {
      await deleteUnstartedJob(database, row.id).catch(() => {});
      throw err;
    }
  }
  const webhook = opts.webhook ? { ...opts.webhook, secret: await webhookSecretFor(database, userId, opts.key?.id) } : undefined;
  const base = opts.requestUrl ? publicBase(env, opts.requestUrl) : getStorageConfig(env).publicBaseUrl;
  // A replay of an unfinished job goes through start as well: the object answers from the job it holds,
  // or starts it if the first request died between writing the row and reaching the object.
  const spec: JobSpec = {
    job_id: existing?.id ?? row.id,
    user_id: userId,
    workflow_id: target.workflowId,
    graph: target.graph,
    params,
    max_run_seconds: maxRunSeconds(env, target.settings),
    ...(opts.streamInputs ? { stream_inputs: true } : {}),
    ...(opts.recordOutputs ? { record_outputs: true } : {}),
    ...(opts.key ? { key_id: opts.key.id } : {}),
    ...(base ? { public_base_url: base } : {}),
    ...(jobSlot ? { job_slot: true } : {}),
    ...(webhook ? { webhook } : {}),
  };
  try {
    return { jobId: spec.job_id, response: await callStart(env, spec, opts.respond), replayed: existing !== null };
  } catch (err) {
    if (jobSlot) await releaseJobSlot(env, userId, jobId).catch(() => {});
    throw err;
  }
}

async function callStart(env: Env, spec: JobSpec, respond: StartRespond): Promise<Response> {
  const response = await jobStub(env, spec.job_id).fetch(`https://job/start?respond=${respond}`, { method: "POST", body: JSON.stringify(spec) });
  if (!response.ok) {
    console.error(`[job ${spec.job_id}] start failed with ${response.status}: ${await response.text()}`);
    throw new ApiError("internal_error", "The job could not be started");
  }
  return response;
}

function checkReplay(userId: string, existing: JobRow, hash: string | undefined): void {
  if (existing.user_id !== userId) throw new ApiError("conflict", `The job id '${existing.id}' is already in use; choose another`);
  if (existing.request_hash !== hash) {
    throw new ApiError(
      "conflict",
      existing.idempotency_key !== null
        ? "This Idempotency-Key was already used with a different request; use a new key for a new request"
        : `Job '${existing.id}' already exists with a different request; choose another job id`,
      undefined,
      { job_id: existing.id },
    );
  }
}

async function answerFinished(env: Env, existing: JobRow, respond: StartRespond): Promise<Response> {
  if (respond === "result") return Response.json(outcomeFromRow(existing) satisfies JobOutcome);
  if (respond === "none") return Response.json({ job_id: existing.id, status: existing.status });
  return openJobEvents(env, existing, respond, 0);
}

export async function readOutcome(response: Response): Promise<JobOutcome> {
  return (await response.json()) as JobOutcome;
}
