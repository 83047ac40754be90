import type { ValidationIssue } from "../../schema/errors";
import type { GraphNode } from "../../schema/workflow";
import { findProperty, type NodeRegistry } from "../registry/registry";
import type { NodeDecl } from "../registry/types";
import { typesCompatible } from "../values/types";
import { isControlEdge } from "./control-edges";
import { inputName } from "./node-names";
import type { NormalizedGraph } from "./normalize";

function issue(node: GraphNode | null, property: string | null, message: string): ValidationIssue {
  return { node_id: node?.id ?? null, node_type: node?.type ?? null, property, message };
}

/**
 * The type of a node's output handle, or undefined when the node has no such output. An input node hands its
 * value to every edge whatever the edge's source handle, so its `value` handle (what NodeTool's input nodes
 * return from `process`) is the same as its declared output.
 * NodeTool: packages/kernel/src/runner.ts `_dispatchInputs`.
 */
export function outputType(node: GraphNode, decl: NodeDecl, handle: string): string | undefined {
  const declared = decl.outputs.find((o) => o.name === handle);
  if (declared) return declared.type;
  if (handle in node.dynamic_outputs) return "any";
  if (decl.kind === "input" && handle === "value") return decl.properties.find((p) => p.name === "value")?.type ?? "any";
  return undefined;
}

/** The type of a node's input handle, or undefined when it accepts no such input. */
export function inputType(_node: GraphNode, decl: NodeDecl, handle: string): string | undefined {
  const declared = findProperty(decl, handle);
  if (declared) return declared.type;
  if (decl.isDynamic) return "any";
  return undefined;
}

/**
 * Checks a normalised graph and returns every problem at once: unknown node types,
 * duplicate node ids, unknown handles, type mismatches on edges, missing required inputs, cycles, and
 * duplicate input names.
 */
export function validateGraph(graph: NormalizedGraph, registry: NodeRegistry): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const byId = new Map<string, GraphNode>();
  for (const node of graph.nodes) {
    if (byId.has(node.id)) issues.push(issue(node, null, `duplicate node id '${node.id}'`));
    byId.set(node.id, node);
    if (!registry.has(node.type)) issues.push(issue(node, null, `unknown node type '${node.type}'`));
    const reason = registry.get(node.type)?.unsupported;
    if (reason !== undefined) issues.push(issue(node, null, `${node.type}: ${reason}`));
  }

  const connected = new Set<string>();
  for (const edge of graph.edges) {
    // A control edge carries run events, not values: it has no output or property to check.
    if (isControlEdge(edge)) continue;
    const source = byId.get(edge.source)!;
    const target = byId.get(edge.target)!;
    const sourceDecl = registry.get(source.type);
    const targetDecl = registry.get(target.type);
    connected.add(`${target.id}\u0000${targetDecl ? (findProperty(targetDecl, edge.targetHandle)?.name ?? edge.targetHandle) : edge.targetHandle}`);
    if (!sourceDecl || !targetDecl) continue;
    const from = outputType(source, sourceDecl, edge.sourceHandle);
    const to = inputType(target, targetDecl, edge.targetHandle);
    if (from === undefined) {
      issues.push(issue(source, edge.sourceHandle, `edge ${edge.id}: ${source.type} has no output '${edge.sourceHandle}'`));
    }
    if (to === undefined) {
      issues.push(issue(target, edge.targetHandle, `edge ${edge.id}: ${target.type} has no input '${edge.targetHandle}'`));
    }
    if (from !== undefined && to !== undefined && !typesCompatible(from, to)) {
      issues.push(
        issue(target, edge.targetHandle, `edge ${edge.id}: type mismatch, ${source.type}.${edge.sourceHandle} gives ${from} but '${edge.targetHandle}' takes ${to}`),
      );
    }
  }

  for (const node of graph.nodes) {
    const decl = registry.get(node.type);
    if (!decl) continue;
    for (const p of decl.properties) {
      if (!p.required || connected.has(`${node.id}\u0000${p.name}`)) continue;
      const value = node.data[p.name] ?? p.aliases?.map((a) => node.data[a]).find((v) => v !== undefined);
      if (value === undefined || value === null || value === "") {
        issues.push(issue(node, p.name, `required input '${p.name}' is not connected or set`));
      }
    }
  }

  issues.push(...findCycles(graph, byId));
  issues.push(...checkInputNames(graph, registry));
  return issues;
}

function findCycles(graph: NormalizedGraph, byId: Map<string, GraphNode>): ValidationIssue[] {
  // Kahn's algorithm: whatever cannot be ordered sits on or behind a cycle.
  const indegree = new Map<string, number>();
  const next = new Map<string, string[]>();
  for (const id of byId.keys()) indegree.set(id, 0);
  for (const e of graph.edges) {
    indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
    (next.get(e.source) ?? next.set(e.source, []).get(e.source)!).push(e.target);
  }
  const queue = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
  for (let i = 0; i < queue.length; i++) {
    for (const t of next.get(queue[i]) ?? []) {
      const d = indegree.get(t)! - 1;
      indegree.set(t, d);
      if (d === 0) queue.push(t);
    }
  }
  if (queue.length === byId.size) return [];
  const stuck = [...indegree].filter(([, d]) => d > 0).map(([id]) => id);
  return stuck.map((id) => issue(byId.get(id)!, null, `node '${id}' is part of a cycle`));
}

function checkInputNames(graph: NormalizedGraph, registry: NodeRegistry): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, string>();
  const fed = new Set(graph.edges.map((e) => e.target));
  for (const node of graph.nodes) {
    if (registry.get(node.type)?.kind !== "input" || fed.has(node.id)) continue;
    // An unnamed input goes by its node id, as in NodeTool, so only duplicates are a problem.
    const name = inputName(node);
    const other = seen.get(name);
    if (other !== undefined) issues.push(issue(node, "name", `input name '${name}' is also used by node '${other}'`));
    else seen.set(name, node.id);
  }
  return issues;
}
