import { z } from "zod";

/** Bound of ids, types, handles and tags: generous for any real document, small enough to index and log. */
export const MAX_NAME_CHARS = 512;

/** Node ids are any string; NodeTool files sometimes carry numbers, which we read as their decimal text. */
const Id = z.union([z.string().max(MAX_NAME_CHARS), z.number()]).transform((v) => String(v));

export const SyncModeSchema = z.enum(["on_any", "zip_all"]);
export type SyncMode = z.infer<typeof SyncModeSchema>;

/** A graph node in NodeTool's format. Unknown fields are kept so files round-trip unmodified. */
export const GraphNodeSchema = z
  .looseObject({
    id: Id.pipe(z.string().min(1, "node id must not be empty")),
    type: z.string().min(1, "node type must not be empty").max(MAX_NAME_CHARS),
    data: z.record(z.string(), z.unknown()).nullish().transform((v) => v ?? {}),
    ui_properties: z.record(z.string(), z.unknown()).nullish(),
    dynamic_properties: z.record(z.string(), z.unknown()).nullish().transform((v) => v ?? {}),
    dynamic_outputs: z.record(z.string(), z.unknown()).nullish().transform((v) => v ?? {}),
    parent_id: Id.nullish(),
    sync_mode: SyncModeSchema.nullish().transform((v) => v ?? "on_any"),
  })
  .meta({ id: "GraphNode" });
export type GraphNode = z.output<typeof GraphNodeSchema>;

export const GraphEdgeSchema = z
  .looseObject({
    id: Id.nullish(),
    source: Id,
    sourceHandle: z.string().min(1).max(MAX_NAME_CHARS),
    target: Id,
    targetHandle: z.string().min(1).max(MAX_NAME_CHARS),
    ui_properties: z.record(z.string(), z.unknown()).nullish(),
    edge_type: z.string().max(MAX_NAME_CHARS).nullish(),
  })
  .meta({ id: "GraphEdge" });
export type GraphEdge = z.output<typeof GraphEdgeSchema>;

export const GraphSchema = z
  .looseObject({
    nodes: z.array(GraphNodeSchema),
    edges: z.array(GraphEdgeSchema).nullish().transform((v) => v ?? []),
  })
  .meta({ id: "Graph" });
export type Graph = z.output<typeof GraphSchema>;

export const AccessSchema = z.enum(["private", "public"]);

/** Settings the engine reads; anything else a client stores there is kept. */
export const WorkflowSettingsSchema = z.looseObject({
  max_run_seconds: z.number().positive().optional(),
});

/**
 * A workflow as clients send it (create / upsert). NodeTool exports carry many extra top-level fields
 * (thumbnail, package_name, html_app, etag ...): they are accepted and kept verbatim.
 */
export const WorkflowInputSchema = z
  .looseObject({
    id: z.string().max(128).optional(),
    name: z.string().max(500).default("Untitled workflow"),
    description: z.string().max(100_000).nullish().transform((v) => v ?? ""),
    tags: z.array(z.string().max(MAX_NAME_CHARS)).max(1000).nullish().transform((v) => v ?? []),
    access: AccessSchema.nullish().transform((v) => v ?? "private"),
    graph: GraphSchema,
    settings: WorkflowSettingsSchema.nullish().transform((v) => v ?? {}),
    run_mode: z.string().max(MAX_NAME_CHARS).nullish(),
  })
  .meta({ id: "WorkflowInput" });
export type WorkflowInput = z.output<typeof WorkflowInputSchema>;

export const JsonSchemaObject = z.record(z.string(), z.unknown());

/** A stored workflow as the API returns it; input/output schemas are derived from the graph on every read. */
export const WorkflowSchema = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    tags: z.array(z.string()),
    access: AccessSchema,
    graph: GraphSchema,
    settings: z.record(z.string(), z.unknown()),
    run_mode: z.string().nullable(),
    input_schema: JsonSchemaObject,
    output_schema: JsonSchemaObject,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Workflow" });
export type Workflow = z.output<typeof WorkflowSchema>;

export const WorkflowListSchema = z
  .object({ workflows: z.array(WorkflowSchema), next: z.string().nullable() })
  .meta({ id: "WorkflowList" });

/** Top-level fields we store in their own columns; every other field goes to the `extra` JSON column. */
export const WORKFLOW_COLUMNS = [
  "id",
  "name",
  "description",
  "tags",
  "access",
  "graph",
  "settings",
  "run_mode",
  "input_schema",
  "output_schema",
  "created_at",
  "updated_at",
  "user_id",
] as const;
