/**
 * The job user's tool workflows for the agents' `workflow_<name>` tools (engine/agents/workflow-tools.ts):
 * workflows saved with `run_mode: "tool"` are listed from D1 (only the job user's own), and a call runs the
 * stored graph with the engine in-process, inside the calling job (its signal, hence its time limit, and
 * its host services). Nested tool calls are bounded in depth.
 */
import { workflowToolName, type WorkflowToolInfo, type WorkflowToolService } from "../../engine/agents/workflow-tools";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { deriveInputSchema } from "../../engine/graph/io-schema";
import { normalizeGraph } from "../../engine/graph/normalize";
import type { EngineServices } from "../../engine/registry/types";
import type { WorkflowRow } from "../../schema/tables";
import type { Env } from "../config/env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import type { JobIdentity } from "../jobs/job-services";
import { registry } from "../registry";
import { expandUserPresets } from "../presets/service";
import { storedGraph } from "../workflows/present";
import { WorkflowRepository } from "../workflows/repository";

/** A workflow tool may call workflow tools this many levels deep (a workflow calling itself stops here). */
export const MAX_WORKFLOW_TOOL_DEPTH = 3;
/** Tool workflows offered to a model at most. */
export const MAX_TOOL_WORKFLOWS = 50;

export const TOOL_RUN_MODE = "tool";

function toolInfo(row: WorkflowRow): WorkflowToolInfo {
  const toolName = typeof row.extra?.tool_name === "string" && row.extra.tool_name.trim() !== "" ? row.extra.tool_name : row.name;
  return {
    id: row.id,
    name: workflowToolName(toolName),
    description: row.description || row.name,
    inputSchema: deriveInputSchema(normalizeGraph(storedGraph(row)), registry),
  };
}

export class WorkerWorkflowTools implements WorkflowToolService {
  constructor(
    private readonly env: Env,
    private readonly job: JobIdentity,
    /** The job's host services, for the workflows it runs (built lazily: they include this service). */
    private readonly services: () => Partial<EngineServices>,
    private readonly depth = 0,
  ) {}

  private repository(): WorkflowRepository {
    return new WorkflowRepository(db(this.env.DB), this.job.userId);
  }

  async list(): Promise<WorkflowToolInfo[]> {
    const { rows } = await this.repository().list({ limit: MAX_TOOL_WORKFLOWS, runMode: TOOL_RUN_MODE });
    return rows.map(toolInfo);
  }

  private async toolRow(id: string): Promise<WorkflowRow | null> {
    try {
      const row = await this.repository().get(id);
      return row.run_mode === TOOL_RUN_MODE ? row : null;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }

  async describe(id: string): Promise<WorkflowToolInfo | null> {
    const row = await this.toolRow(id);
    return row ? toolInfo(row) : null;
  }

  async run(id: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    if (this.depth >= MAX_WORKFLOW_TOOL_DEPTH) throw new Error(`Workflow tools may call workflow tools at most ${MAX_WORKFLOW_TOOL_DEPTH} levels deep`);
    const row = await this.toolRow(id);
    if (!row) throw new Error(`No tool workflow '${id}' (a workflow is a tool when its run_mode is "tool")`);
    const nested = new WorkerWorkflowTools(this.env, this.job, this.services, this.depth + 1);
    // A tool workflow may use the user's presets: expanded here as they are for every other run.
    const graph = await expandUserPresets(this.env, this.job.userId, storedGraph(row));
    const result = await runWorkflow(graph, params, { registry, services: { ...this.services(), workflows: nested }, signal });
    if (result.status !== "completed") throw new Error(`Workflow '${row.name}' ${result.status}${result.error ? `: ${result.error}` : ""}`);
    return result.result;
  }
}
