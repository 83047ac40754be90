import { z } from "zod";
import { ValidationIssueSchema } from "./errors";
import { ParamsSchema } from "./requests";
import { GraphEdgeSchema, GraphNodeSchema, GraphSchema, JsonSchemaObject } from "./workflow";

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

export const ExportLanguageSchema = z.enum(["typescript", "javascript"]);
export type ExportLanguage = z.infer<typeof ExportLanguageSchema>;

export const ExportQuerySchema = z.object({
  language: ExportLanguageSchema.default("typescript").meta({
    description: "`typescript` (run with `npx tsx run-workflow.ts`) or `javascript` (an ES module: `node run-workflow.mjs`).",
  }),
});
