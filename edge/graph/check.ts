import { listInputs, resolveParams } from "../../engine/graph/inputs";
import { deriveInputSchema, deriveOutputSchema } from "../../engine/graph/io-schema";
import { normalizeGraph } from "../../engine/graph/normalize";
import { validateGraph } from "../../engine/graph/validate";
import type { NodeRegistry } from "../../engine/registry/registry";
import type { GraphToolBody, ValidateResponse } from "../../schema/graph-tools";
import type { Graph } from "../../schema/workflow";

/** The graph of a graph-tool request: `graph`, or the body itself when it is a bare `{nodes, edges}` graph. */
export function graphOf(body: GraphToolBody): Graph {
  if (body.graph) return body.graph;
  return { nodes: body.nodes ?? [], edges: body.edges ?? [] };
}

/**
 * Checks a graph as a run would (normalised first: editor-only, bypassed and reroute nodes leave), and the
 * params when given: every problem at once. The input and output schemas come with a graph that has none.
 */
export function checkGraph(graph: Graph, params: Record<string, unknown> | undefined, registry: NodeRegistry): ValidateResponse {
  const normalized = normalizeGraph(graph);
  const graphIssues = validateGraph(normalized, registry);
  const paramIssues = params ? resolveParams(listInputs(normalized, registry), params).issues : [];
  const issues = [...graphIssues, ...paramIssues];
  const graphValid = graphIssues.length === 0;
  return {
    valid: issues.length === 0,
    issues,
    node_count: normalized.nodes.length,
    edge_count: normalized.edges.length,
    input_schema: graphValid ? deriveInputSchema(normalized, registry) : null,
    output_schema: graphValid ? deriveOutputSchema(normalized, registry) : null,
  };
}
