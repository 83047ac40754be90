import { randomUUID } from "node:crypto";
import { GraphValidationError } from "../engine/executor/plan";
import { runWorkflow } from "../engine/executor/run-workflow";
import { createCoreRegistry } from "../engine/nodes/index";
import type { EngineServices } from "../engine/registry/types";
import type { Graph } from "../schema/workflow";
import { UsageError } from "./args";
import type { Message, RunCallbacks, RunHandle } from "./runner";
import { describeDetails } from "./server";

/**
 * Runs a graph in this process with the engine's core nodes (no server) and the host services given (see
 * local-services.ts). Messages get the fields a server
 * adds (`job_id`, `workflow_id`, an increasing `job_seq`), so both modes print the same shapes. Cancelling
 * aborts the run, which ends as `cancelled`.
 */
export function runLocally(graph: Graph, params: Record<string, unknown>, callbacks: RunCallbacks, services: Partial<EngineServices> = {}): RunHandle {
  const jobId = `local-${randomUUID()}`;
  const controller = new AbortController();
  let seq = 0;
  const done = (async () => {
    let plannedOk = false;
    try {
      const result = await runWorkflow(graph, params, {
        registry: createCoreRegistry(),
        signal: controller.signal,
        services,
        emit: (m) => {
          if (!plannedOk) {
            plannedOk = true;
            callbacks.onStart(jobId);
          }
          const message: Message = { ...m, job_id: jobId, workflow_id: null, job_seq: ++seq };
          callbacks.onMessage(message);
        },
      });
      return { jobId, status: result.status, result: result.status === "completed" ? result.result : null, error: result.error, duration: result.duration };
    } catch (err) {
      if (err instanceof GraphValidationError) {
        throw new UsageError(err.subject === "params" ? "invalid params" : "the workflow graph is invalid", describeDetails(err.issues));
      }
      throw err;
    }
  })();
  done.catch(() => {});
  return {
    done,
    async cancel() {
      controller.abort(new Error("Cancelled with Ctrl-C"));
    },
  };
}
