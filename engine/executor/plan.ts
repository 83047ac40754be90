import type { ValidationIssue } from "../../schema/errors";
import type { GraphNode } from "../../schema/workflow";
import { listInputs, listSinks, resolveParams } from "../graph/inputs";
import { displayName, sinkName } from "../graph/node-names";
import { normalizeGraph, type NormalizedGraph } from "../graph/normalize";
import { validateGraph } from "../graph/validate";
import { isControlEdge } from "../graph/control-edges";
import { findProperty, type NodeRegistry } from "../registry/registry";
import type { NodeDecl } from "../registry/types";
import type { Graph } from "../../schema/workflow";

export interface PlannedEdge {
  id: string;
  /** Position among the plan's edges, so that a run keeps per-edge state in an array. */
  index: number;
  target: PlannedNode;
  targetHandle: string;
  /** Position of `targetHandle` in `target.handles`: the inbox queue the edge feeds. */
  targetSlot: number;
}

/** A connected input handle. */
export interface IncomingHandle {
  /** The canonical property name. */
  name: string;
  /** The nodes feeding it, one per edge. */
  sources: PlannedNode[];
  /** Several edges into one list property gather their values into that list (NodeTool's list inputs). */
  collect: boolean;
  /** zip_all reuses the value of a handle whose producers fire once (constants, inputs). */
  sticky: boolean;
}

export interface PlannedNode {
  /** Position in RunPlan.nodes, so that a run keeps per-node state in an array. */
  index: number;
  node: GraphNode;
  decl: NodeDecl;
  name: string;
  /** Property values before any edge delivers: declared defaults < `data` < `dynamic_properties`. */
  base: Record<string, unknown>;
  /** Connected input handles (canonical property names) with the number of edges feeding each. */
  incoming: Map<string, IncomingHandle>;
  /** The values of `incoming` in its order; an inbox numbers its queues by these positions ("slots"). */
  handles: IncomingHandle[];
  /** Outgoing edges per output handle. */
  outgoing: Map<string, PlannedEdge[]>;
  /** Every outgoing edge, in `outgoing` order (closed one by one when the node completes). */
  edgesOut: PlannedEdge[];
  /** Result-map name for sinks. */
  sinkName?: string;
  /** Nodes with a control edge into this one: it runs only when one of them sends a run event. */
  controllers: PlannedNode[];
  /** Nodes this one controls, with the id of (one of) the control edges to each. */
  controls: { target: PlannedNode; edgeId: string }[];
}

export interface RunPlan {
  graph: NormalizedGraph;
  nodes: PlannedNode[];
  /** How many edges the plan wires (PlannedEdge.index runs below it). */
  edgeCount: number;
  sinkNames: string[];
  /** Params no input takes, each a sentence; the run logs them as warnings. */
  ignoredParams: string[];
}

export class GraphValidationError extends Error {
  constructor(
    readonly issues: ValidationIssue[],
    /** Whether the graph itself or the run's params are at fault. */
    readonly subject: "graph" | "params" = "graph",
  ) {
    super(issues.length === 1 ? issues[0].message : `${issues.length} problems in the workflow ${subject}`);
    this.name = "GraphValidationError";
  }
}

function basePropertiesOf(node: GraphNode, decl: NodeDecl): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (const p of decl.properties) if (p.default !== undefined) base[p.name] = p.default;
  for (const [key, value] of Object.entries(node.data)) {
    const p = findProperty(decl, key);
    base[p ? p.name : key] = value;
  }
  for (const [key, value] of Object.entries(node.dynamic_properties)) {
    if (value !== null && value !== undefined) base[key] = value;
    else if (!(key in base)) base[key] = null;
  }
  return base;
}

/**
 * Normalises, validates and wires a graph for a run, resolving params against its inputs. Every problem
 * (graph and params) is reported at once through GraphValidationError.
 */
export function planRun(graph: Graph, params: Record<string, unknown>, registry: NodeRegistry): RunPlan {
  const normalized = normalizeGraph(graph);
  const issues = validateGraph(normalized, registry);
  if (issues.length > 0) throw new GraphValidationError(issues);
  // NodeTool's runner skips params no input takes; the run reports them as warnings (RunPlan.ignoredParams).
  const { values, issues: paramIssues, ignored } = resolveParams(listInputs(normalized, registry), params, { unknown: "ignore" });
  if (paramIssues.length > 0) throw new GraphValidationError(paramIssues, "params");

  const planned = new Map<string, PlannedNode>();
  for (const node of normalized.nodes) {
    const decl = registry.get(node.type)!;
    const base = basePropertiesOf(node, decl);
    if (values.has(node.id)) base.value = values.get(node.id);
    planned.set(node.id, {
      index: planned.size,
      node,
      decl,
      name: displayName(node, decl),
      base,
      incoming: new Map(),
      handles: [],
      outgoing: new Map(),
      edgesOut: [],
      sinkName: decl.kind === "output" ? sinkName(node) : undefined,
      controllers: [],
      controls: [],
    });
  }
  let edgeCount = 0;
  for (const edge of normalized.edges) {
    const source = planned.get(edge.source)!;
    const target = planned.get(edge.target)!;
    if (isControlEdge(edge)) {
      if (!target.controllers.includes(source)) {
        target.controllers.push(source);
        source.controls.push({ target, edgeId: edge.id });
      }
      continue;
    }
    const handle = findProperty(target.decl, edge.targetHandle)?.name ?? edge.targetHandle;
    let entry = target.incoming.get(handle);
    if (!entry) {
      entry = { name: handle, sources: [], collect: false, sticky: true };
      target.incoming.set(handle, entry);
      target.handles.push(entry);
    }
    entry.sources.push(source);
    const list = source.outgoing.get(edge.sourceHandle) ?? [];
    list.push({ id: edge.id, index: edgeCount++, target, targetHandle: handle, targetSlot: target.handles.indexOf(entry) });
    source.outgoing.set(edge.sourceHandle, list);
  }
  const once = new Map<PlannedNode, boolean>();
  const firesOnce = (p: PlannedNode): boolean => {
    let v = once.get(p);
    if (v === undefined) {
      v = !p.decl.isStreamingOutput && !p.decl.isStreamingInput && p.controllers.length === 0;
      for (const entry of p.incoming.values()) v = v && entry.sources.every(firesOnce);
      once.set(p, v);
    }
    return v;
  };
  for (const p of planned.values()) {
    for (const [handle, entry] of p.incoming) {
      const type = findProperty(p.decl, handle)?.type ?? "any";
      // Several edges into one list property gather their values into that list (NodeTool's list inputs).
      entry.collect = entry.sources.length > 1 && type.startsWith("list");
      // zip_all reuses the value of a handle whose producers fire once (constants, inputs); everything else
      // pairs item by item.
      entry.sticky = entry.sources.every(firesOnce);
    }
  }
  const nodes = [...planned.values()];
  for (const p of nodes) for (const edges of p.outgoing.values()) p.edgesOut.push(...edges);
  return {
    graph: normalized,
    nodes,
    edgeCount,
    sinkNames: listSinks(normalized, registry).map((s) => s.name),
    ignoredParams: ignored,
  };
}
