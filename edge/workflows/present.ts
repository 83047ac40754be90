import { deriveInputSchema, deriveOutputSchema } from "../../engine/graph/io-schema";
import { normalizeGraph } from "../../engine/graph/normalize";
import type { WorkflowRow } from "../../schema/tables";
import { GraphSchema, type Graph, type Workflow } from "../../schema/workflow";
import { registry } from "../registry";

/** The stored graph, parsed; rows are only written after validation, so this cannot fail for our own rows. */
export function storedGraph(row: WorkflowRow): Graph {
  return GraphSchema.parse(row.graph);
}

/** A row as the API returns it: extra NodeTool fields restored, input/output schemas derived from the graph. */
export function presentWorkflow(row: WorkflowRow): Workflow {
  const graph = storedGraph(row);
  const normalized = normalizeGraph(graph);
  return {
    ...row.extra,
    id: row.id,
    name: row.name,
    description: row.description,
    tags: row.tags,
    access: row.access,
    graph: row.graph as Graph,
    settings: row.settings,
    run_mode: row.run_mode,
    input_schema: deriveInputSchema(normalized, registry),
    output_schema: deriveOutputSchema(normalized, registry),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
