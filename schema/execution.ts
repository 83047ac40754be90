import { z } from "zod";

/** One value a node's output port emitted during a recorded run (edge/execution). */
export const CapturedItemSchema = z
  .object({
    /** The item's number within the run (every port's items together, in emission order). */
    id: z.number().int(),
    /** Position of the item among the port's items, from 0. */
    seq: z.number().int(),
    /** The `job_seq` of the last message the run published before the value (its place in the message stream). */
    job_seq: z.number().int(),
    /** When it was emitted (ISO 8601). */
    time: z.string(),
    /** Its shape when it is a tensor, an array or a nested list of numbers; null otherwise. */
    shape: z.array(z.number().int()).nullable(),
    bytes: z.number().int(),
    /** False when a capture limit kept it out of storage; `reason` says which. */
    stored: z.boolean(),
    reason: z.string().optional(),
  })
  .meta({ id: "CapturedItem" });
export type CapturedItem = z.infer<typeof CapturedItemSchema>;

export const CapturedPortSchema = z
  .object({
    node_id: z.string(),
    node_name: z.string(),
    port: z.string(),
    output_type: z.string(),
    count: z.number().int(),
    items: z.array(CapturedItemSchema),
  })
  .meta({ id: "CapturedPort" });
export type CapturedPort = z.infer<typeof CapturedPortSchema>;

/** `GET /api/execution/outputs/{run_id}`: what a run recorded, by port. */
export const CaptureIndexSchema = z
  .object({
    run_id: z.string(),
    workflow_id: z.string().nullable(),
    status: z.string(),
    started_at: z.string(),
    finished_at: z.string(),
    /** When the capture is deleted (CAPTURE_RETENTION_SECONDS after it was written). */
    expires_at: z.string(),
    items: z.number().int(),
    bytes: z.number().int(),
    ports: z.array(CapturedPortSchema),
  })
  .meta({ id: "CaptureIndex" });
export type CaptureIndex = z.infer<typeof CaptureIndexSchema>;

export const CapturedValueSchema = z
  .object({
    run_id: z.string(),
    node_id: z.string(),
    port: z.string(),
    seq: z.number().int(),
    count: z.number().int(),
    slice: z.string().nullable(),
    shape: z.array(z.number().int()).nullable(),
    value: z.unknown(),
  })
  .meta({ id: "CapturedValue" });

export const StepsIndexSchema = z
  .object({
    run_id: z.string(),
    node_id: z.string(),
    steps: z.array(CapturedItemSchema.extend({ port: z.string() })),
  })
  .meta({ id: "StepsIndex" });

/** One thing the system keeps across runs (`GET /api/execution/state/list`). */
export const StateEntrySchema = z
  .object({
    kind: z.enum(["runner_session", "preset", "capture"]),
    /** `runner`, `node` (a node type), or `graph` (a run of a workflow or posted graph). */
    scope: z.enum(["runner", "node", "graph"]),
    id: z.string(),
    workflow_id: z.string().nullable().optional(),
    node_ids: z.array(z.string()).optional(),
    detail: z.record(z.string(), z.unknown()),
    resettable: z.boolean(),
    /** Why it cannot be reset here, when it cannot. */
    reason: z.string().optional(),
  })
  .meta({ id: "StateEntry" });
export type StateEntry = z.infer<typeof StateEntrySchema>;

export const StateListSchema = z.object({ entries: z.array(StateEntrySchema), notes: z.array(z.string()) }).meta({ id: "StateList" });

export const StateResetRequestSchema = z
  .object({
    /** Reset what runs of this saved workflow kept. */
    workflow_id: z.string().min(1).max(200).optional(),
    /** Reset what this run kept. */
    run_id: z.string().min(1).max(200).optional(),
    /** Only this node's state within the chosen runs (every run when neither workflow_id nor run_id is given). */
    node_id: z.string().min(1).max(200).optional(),
  })
  .refine((b) => b.workflow_id !== undefined || b.run_id !== undefined || b.node_id !== undefined, {
    message: "name what to reset: workflow_id (a graph), run_id (one run) and/or node_id (one node)",
  })
  .meta({ id: "StateResetRequest" });
export type StateResetRequest = z.infer<typeof StateResetRequestSchema>;

export const StateResetResponseSchema = z
  .object({
    reset: z.array(z.object({ kind: z.string(), id: z.string(), node_id: z.string().optional() })),
    not_reset: z.array(z.object({ kind: z.string(), reason: z.string() })),
  })
  .meta({ id: "StateResetResponse" });
