import { isControlEdge } from "../../engine/graph/control-edges";
import type { ValidationIssue } from "../../schema/errors";
import { PRESET_NAMESPACE, type Preset, type PresetPort } from "../../schema/presets";
import type { Graph, GraphEdge, GraphNode } from "../../schema/workflow";

/**
 * Preset expansion: every `preset.<name>` node of a graph is replaced by the preset's subgraph, its node ids
 * prefixed with the preset node's id (`<id>/<inner id>`) and the edges at its ports rewired to the inner
 * nodes. It runs before normalisation and validation (at save, validate, export and run), so the engine
 * only ever sees ordinary nodes.
 */

export const PRESET_TYPE_PREFIX = `${PRESET_NAMESPACE}.`;
/** Presets nested deeper than this are refused (a preset containing a preset containing ...). */
export const MAX_PRESET_DEPTH = 16;
/** The most nodes a graph may grow to by expansion: the same bound a request's graph has (MAX_GRAPH_NODES' default). */
export const MAX_EXPANDED_NODES = 5_000;

export const presetType = (name: string) => `${PRESET_TYPE_PREFIX}${name}`;

/** The preset name of a `preset.<name>` node type, or null for any other type. */
export function presetNameOf(type: string): string | null {
  return type.startsWith(PRESET_TYPE_PREFIX) ? type.slice(PRESET_TYPE_PREFIX.length) : null;
}

export const hasPresetNodes = (graph: Pick<Graph, "nodes">) => graph.nodes.some((n) => presetNameOf(n.type) !== null);

export interface PresetSource {
  get(name: string): Promise<Preset | null>;
}

export interface Expanded {
  graph: Graph;
  issues: ValidationIssue[];
}

const issue = (node: GraphNode, property: string | null, message: string): ValidationIssue => ({ node_id: node.id, node_type: node.type, property, message });

/** A bypassed node is removed by normalisation with its edges reconnected; expanding it would lose that. */
const bypassed = (n: GraphNode) => Boolean(n.ui_properties && (n.ui_properties as Record<string, unknown>).bypassed === true);

/**
 * Expands every preset node, nested presets included. Problems (an unknown port, a preset that contains
 * itself, too deep or too large) are returned as issues beside the graph; an unknown preset is left as it is,
 * for validation to report as an unknown node type. The input graph is not modified.
 */
export async function expandPresets(graph: Graph, source: PresetSource): Promise<Expanded> {
  if (!hasPresetNodes(graph)) return { graph, issues: [] };
  let nodes = graph.nodes;
  let edges = graph.edges;
  const issues: ValidationIssue[] = [];
  // The presets each node came out of, outermost first: a preset met again on its own chain is a cycle.
  const chains = new Map<string, string[]>();
  const skipped = new Set<string>();
  for (;;) {
    const node = nodes.find((n) => !skipped.has(n.id) && presetNameOf(n.type) !== null && !bypassed(n));
    if (!node) break;
    const name = presetNameOf(node.type)!;
    const chain = chains.get(node.id) ?? [];
    skipped.add(node.id);
    if (chain.includes(name)) {
      issues.push(issue(node, null, `preset cycle: '${name}' contains itself (${[...chain, name].join(" -> ")})`));
      continue;
    }
    if (chain.length >= MAX_PRESET_DEPTH) {
      issues.push(issue(node, null, `presets are nested more than ${MAX_PRESET_DEPTH} deep (${[...chain, name].join(" -> ")})`));
      continue;
    }
    const preset = await source.get(name);
    if (!preset) continue;
    const spliced = splice(node, preset, nodes, edges);
    issues.push(...spliced.issues);
    for (const n of spliced.added) chains.set(n, [...chain, name]);
    nodes = spliced.nodes;
    edges = spliced.edges;
    skipped.delete(node.id);
    if (nodes.length > MAX_EXPANDED_NODES) {
      issues.push(issue(node, null, `expanding presets makes the graph larger than ${MAX_EXPANDED_NODES} nodes`));
      break;
    }
  }
  return { graph: { ...graph, nodes, edges }, issues };
}

type Source = { edges: Pick<GraphEdge, "source" | "sourceHandle">[] } | { value: unknown };

/** Replaces the preset node `p` by the preset's subgraph. */
function splice(p: GraphNode, preset: Preset, nodes: GraphNode[], edges: GraphEdge[]) {
  const issues: ValidationIssue[] = [];
  const pre = `${p.id}/`;
  const inner = preset.graph;
  const ioIn = new Map(preset.inputs.filter((x) => x.from === "io_node").map((x) => [x.node_id, x]));
  const ioOut = new Map(preset.outputs.filter((x) => x.from === "io_node").map((x) => [x.node_id, x]));
  const inPorts = new Map(preset.inputs.map((x) => [x.name, x]));
  const outPorts = new Map(preset.outputs.map((x) => [x.name, x]));

  const copies = new Map<string, GraphNode>();
  for (const n of inner.nodes) {
    if (ioIn.has(n.id) || ioOut.has(n.id)) continue;
    copies.set(n.id, { ...n, id: `${pre}${n.id}`, data: { ...n.data }, dynamic_properties: { ...n.dynamic_properties } });
  }
  const outsideIn = edges.filter((e) => e.target === p.id && e.source !== p.id);
  const outsideOut = edges.filter((e) => e.source === p.id && e.target !== p.id);
  const others = edges.filter((e) => e.source !== p.id && e.target !== p.id);
  const fedPorts = new Set(outsideIn.map((e) => e.targetHandle));
  const patched = new Map<string, GraphNode>();
  const added: GraphEdge[] = [];

  /** What an inner input node hands on: the edges into its port, else the value set on the preset node, else its own default. */
  const portValue = (port: PresetPort): Source => {
    const feeds = outsideIn.filter((e) => e.targetHandle === port.name);
    if (feeds.length > 0) return { edges: feeds };
    return { value: p.data[port.name] !== undefined ? p.data[port.name] : port.default };
  };
  const resolve = (e: GraphEdge): Source => {
    const port = ioIn.get(e.source);
    return port ? portValue(port) : { edges: [{ source: `${pre}${e.source}`, sourceHandle: e.sourceHandle }] };
  };
  const setValue = (node: GraphNode, handle: string, value: unknown) => {
    if (value === undefined) return;
    if (handle in node.dynamic_properties) node.dynamic_properties[handle] = value;
    else node.data[handle] = value;
  };
  const connect = (template: GraphEdge, id: string, src: Source, target: string, targetHandle: string, targetNode: () => GraphNode | undefined) => {
    if ("value" in src) {
      const t = targetNode();
      if (t) setValue(t, targetHandle, src.value);
      return;
    }
    src.edges.forEach((s, i) =>
      added.push({ ...template, id: i === 0 ? id : `${id}#${i}`, source: s.source, sourceHandle: s.sourceHandle, target, targetHandle }),
    );
  };
  const outsideNode = (id: string) => {
    let n = patched.get(id);
    if (!n) {
      const original = nodes.find((x) => x.id === id);
      if (!original) return undefined;
      n = { ...original, data: { ...original.data }, dynamic_properties: { ...original.dynamic_properties } };
      patched.set(id, n);
    }
    return n;
  };

  inner.edges.forEach((e, i) => {
    if (ioOut.has(e.target) || !copies.has(e.target)) return;
    connect(e, `${pre}${e.id ?? `edge-${i}`}`, resolve(e), `${pre}${e.target}`, e.targetHandle, () => copies.get(e.target));
  });
  for (const e of outsideIn) {
    const port = inPorts.get(e.targetHandle);
    if (!port) issues.push(issue(p, e.targetHandle, `preset '${preset.name}' has no input '${e.targetHandle}'`));
    else if (port.from === "handle") added.push({ ...e, target: `${pre}${port.node_id}`, targetHandle: port.handle });
  }
  for (const port of preset.inputs) {
    if (port.from !== "handle" || fedPorts.has(port.name) || p.data[port.name] === undefined) continue;
    const target = copies.get(port.node_id);
    if (target) setValue(target, port.handle, p.data[port.name]);
  }
  for (const e of outsideOut) {
    const port = outPorts.get(e.sourceHandle);
    if (!port) {
      issues.push(issue(p, e.sourceHandle, `preset '${preset.name}' has no output '${e.sourceHandle}'`));
    } else if (port.from === "handle") {
      added.push({ ...e, source: `${pre}${port.node_id}`, sourceHandle: port.handle });
    } else {
      const feed = inner.edges.find((x) => x.target === port.node_id && !isControlEdge(x));
      if (feed) connect(e, e.id ?? `${p.id}-${e.target}`, resolve(feed), e.target, e.targetHandle, () => outsideNode(e.target));
      else issues.push(issue(p, e.sourceHandle, `preset '${preset.name}': output '${port.name}' is fed by nothing`));
    }
  }

  const out: GraphNode[] = [];
  for (const n of nodes) {
    if (n.id === p.id) out.push(...copies.values());
    else out.push(patched.get(n.id) ?? n);
  }
  return { nodes: out, edges: [...others, ...added], issues, added: [...copies.values()].map((n) => n.id) };
}
