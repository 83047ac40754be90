import { z } from "zod";
import { ValidationIssueSchema } from "./errors";
import { ParamsSchema } from "./requests";
import { GraphEdgeSchema, GraphNodeSchema, GraphSchema, JsonSchemaObject, WorkflowInputSchema } from "./workflow";

/**
 * Graph tools: `POST /api/graph/validate` checks a graph (and optionally params) and lists every problem;
 * `POST /api/graph/export` turns a graph into a script that runs it against this API.
 */

/** Either `{graph, params?}` (a workflow document works as it is: other fields are ignored) or a bare `{nodes, edges}` graph. */
export const GraphToolBodySchema = z
  .looseObject({
    graph: GraphSchema.optional(),
    nodes: z.array(GraphNodeSchema).optional(),
    edges: z.array(GraphEdgeSchema).nullish(),
    params: ParamsSchema.optional(),
  })
  .refine((b) => b.graph !== undefined || b.nodes !== undefined, {
    message: "send {graph: {nodes, edges}} (a workflow document works as it is) or a bare {nodes, edges} graph",
    path: ["graph"],
  })
  .meta({ id: "GraphToolRequest" });
export type GraphToolBody = z.output<typeof GraphToolBodySchema>;

export const ValidateResponseSchema = z
  .object({
    valid: z.boolean(),
    issues: z.array(ValidationIssueSchema).meta({ description: "Every problem of the graph (and of `params`, when sent), all at once." }),
    node_count: z.number().int().meta({ description: "Nodes that run: editor-only, bypassed and reroute nodes are left out." }),
    edge_count: z.number().int(),
    input_schema: JsonSchemaObject.nullable().meta({ description: "The params the graph takes; null while the graph has problems." }),
    output_schema: JsonSchemaObject.nullable(),
  })
  .meta({ id: "ValidateResponse" });
export type ValidateResponse = z.infer<typeof ValidateResponseSchema>;

export const ExportLanguageSchema = z.enum(["typescript", "javascript", "python"]);
export type ExportLanguage = z.infer<typeof ExportLanguageSchema>;

export const ExportQuerySchema = z.object({
  language: ExportLanguageSchema.default("typescript").meta({
    description:
      "`typescript` (run with `npx tsx run-workflow.ts`), `javascript` (an ES module: `node run-workflow.mjs`) or `python` (plain `requests`: `python3 run-workflow.py`).",
  }),
});

/**
 * Saved graphs (`POST /api/graph/save`, `GET /api/graph/load/{name}`, `GET /api/graph/list`): the caller's
 * workflows addressed by name. A save is a workflow document (a NodeTool file works as it is) whose name is required.
 */
export const GraphSaveBodySchema = WorkflowInputSchema.extend({
  name: z.string().trim().min(1, "a saved graph needs a name").max(500),
}).meta({ id: "GraphSave" });

export const SavedGraphSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    node_count: z.number().int(),
    edge_count: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "SavedGraphSummary" });

export const SavedGraphListSchema = z
  .object({ graphs: z.array(SavedGraphSummarySchema), next: z.string().nullable() })
  .meta({ id: "SavedGraphList" });
