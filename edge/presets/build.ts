import { isControlEdge } from "../../engine/graph/control-edges";
import { inputName, sinkName } from "../../engine/graph/node-names";
import { normalizeGraph } from "../../engine/graph/normalize";
import { outputType, validateGraph } from "../../engine/graph/validate";
import { findProperty, type NodeRegistry } from "../../engine/registry/registry";
import type { ValidationIssue } from "../../schema/errors";
import type { Preset, PresetCreate, PresetPort } from "../../schema/presets";
import type { Graph, GraphNode } from "../../schema/workflow";
import { ApiError } from "../errors/api-error";
import { expandPresets, presetNameOf, presetType, type PresetSource } from "./expand";

/** Ports of one preset, each way: enough for any real selection, small enough for a catalog entry. */
export const MAX_PRESET_PORTS = 1000;

const issue = (node: GraphNode | null, property: string | null, message: string): ValidationIssue => ({
  node_id: node?.id ?? null,
  node_type: node?.type ?? null,
  property,
  message,
});

interface Handles {
  kind: "input" | "output" | "constant" | "node";
  properties: { name: string; type: string; default?: unknown }[];
  outputs: { name: string; type: string }[];
}

/** The handles of a node: its declaration's, a nested preset's ports, plus dynamic ones. */
function handlesOf(node: GraphNode, registry: NodeRegistry, nested: Map<string, Preset>): Handles | undefined {
  const presetName = presetNameOf(node.type);
  if (presetName !== null) {
    const p = nested.get(presetName);
    return p && { kind: "node", properties: p.inputs, outputs: p.outputs };
  }
  const decl = registry.get(node.type);
  if (!decl) return undefined;
  const dynamicProps = decl.isDynamic ? Object.keys(node.dynamic_properties).map((name) => ({ name, type: "any" })) : [];
  const dynamicOuts = Object.keys(node.dynamic_outputs).map((name) => ({ name, type: "any" }));
  return { kind: decl.kind, properties: [...decl.properties, ...dynamicProps], outputs: [...decl.outputs, ...dynamicOuts] };
}

/** Every preset `name` reaches through the presets it contains (itself excluded), read once each. */
async function reachable(names: Iterable<string>, source: PresetSource): Promise<Map<string, Preset | null>> {
  const seen = new Map<string, Preset | null>();
  const queue = [...names];
  while (queue.length > 0 && seen.size <= 200) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    const preset = await source.get(name);
    seen.set(name, preset);
    if (preset) queue.push(...preset.uses);
  }
  return seen;
}

/** The subgraph of the selection: the selected nodes and the edges between them, normalised. */
function selection(req: PresetCreate): Graph {
  const ids = new Set(req.node_ids ?? req.graph.nodes.map((n) => n.id));
  const present = new Set(req.graph.nodes.map((n) => n.id));
  const missing = [...ids].filter((id) => !present.has(id));
  if (missing.length > 0) {
    throw ApiError.invalidGraph(missing.map((id) => issue(null, null, `node '${id}' is not in the graph`)), "Cannot make a preset of this selection");
  }
  const nodes = req.graph.nodes.filter((n) => ids.has(n.id));
  const edges = req.graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  const normalized = normalizeGraph({ nodes, edges });
  return { nodes: normalized.nodes, edges: normalized.edges };
}

/**
 * Makes a preset from a graph and the selected node ids. Its ports: each inner input node (named by its
 * input name) and output node (named by its output name), then every property no inner edge feeds and every
 * output of the other nodes as `<node_id>.<handle>`, with the inner node's value as the default. A preset
 * that would contain itself, directly or through another preset, is refused with a 422.
 */
export async function buildPreset(req: PresetCreate, source: PresetSource, registry: NodeRegistry, now: string, createdAt?: string): Promise<Preset> {
  const graph = selection(req);
  const uses = [...new Set(graph.nodes.map((n) => presetNameOf(n.type)).filter((n): n is string => n !== null))].sort();
  const nested = await reachable(uses, source);
  if (nested.has(req.name)) {
    const via = uses.includes(req.name) ? req.name : uses.find((u) => u !== req.name)!;
    throw new ApiError("validation_error", `Preset cycle: '${req.name}' would contain itself (through '${via}')`, [
      issue(null, null, `preset cycle: '${req.name}' would contain itself`),
    ]);
  }
  const known = new Map([...nested].filter((e): e is [string, Preset] => e[1] !== null));

  const problems: ValidationIssue[] = [];
  for (const name of uses) if (!known.has(name)) problems.push(issue(null, null, `unknown preset '${name}'`));
  // The inner graph must hold together: known types, existing handles, matching types, no cycle. Required
  // properties and input names are the using graph's business (they may come through the ports).
  const expanded = await expandPresets(graph, source);
  problems.push(...expanded.issues);
  for (const i of validateGraph(normalizeGraph(expanded.graph), registry)) {
    if (!/^required input|^input name/.test(i.message)) problems.push(i);
  }
  if (problems.length > 0) throw ApiError.invalidGraph(problems, "Cannot make a preset of this selection");

  const { inputs, outputs } = ports(graph, registry, known);
  return {
    name: req.name,
    node_type: presetType(req.name),
    description: req.description ?? `Preset of ${graph.nodes.length} node${graph.nodes.length === 1 ? "" : "s"}.`,
    graph,
    inputs,
    outputs,
    uses,
    gpu: expanded.graph.nodes.some((n) => registry.get(n.type)?.gpu === true),
    created_at: createdAt ?? now,
    updated_at: now,
  };
}

function ports(graph: Graph, registry: NodeRegistry, nested: Map<string, Preset>): { inputs: PresetPort[]; outputs: PresetPort[] } {
  const inputs: PresetPort[] = [];
  const outputs: PresetPort[] = [];
  const problems: ValidationIssue[] = [];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const dataEdges = graph.edges.filter((e) => !isControlEdge(e));
  const handles = new Map(graph.nodes.map((n) => [n.id, handlesOf(n, registry, nested)!]));
  const fed = new Set<string>();
  for (const e of dataEdges) {
    const decl = registry.get(byId.get(e.target)!.type);
    fed.add(`${e.target}\u0000${decl ? (findProperty(decl, e.targetHandle)?.name ?? e.targetHandle) : e.targetHandle}`);
  }
  for (const node of graph.nodes) {
    const h = handles.get(node.id)!;
    if (h.kind === "input") {
      const value = h.properties.find((p) => p.name === "value");
      inputs.push({ name: inputName(node), type: value?.type ?? "any", node_id: node.id, handle: "value", from: "io_node", default: node.data.value ?? value?.default });
      continue;
    }
    if (h.kind === "output") {
      const feed = dataEdges.find((e) => e.target === node.id);
      if (!feed) {
        problems.push(issue(node, "value", `output '${sinkName(node)}' is not connected inside the selection`));
        continue;
      }
      const src = byId.get(feed.source)!;
      const srcDecl = registry.get(src.type);
      const type = srcDecl ? outputType(src, srcDecl, feed.sourceHandle) : handles.get(src.id)?.outputs.find((o) => o.name === feed.sourceHandle)?.type;
      outputs.push({ name: sinkName(node), type: type ?? "any", node_id: node.id, handle: "value", from: "io_node" });
      continue;
    }
    for (const p of h.properties) {
      if (fed.has(`${node.id}\u0000${p.name}`)) continue;
      const own = p.name in node.dynamic_properties ? node.dynamic_properties[p.name] : node.data[p.name];
      const value = own !== undefined ? own : p.default;
      inputs.push({ name: `${node.id}.${p.name}`, type: p.type, node_id: node.id, handle: p.name, from: "handle", ...(value !== undefined ? { default: value } : {}) });
    }
    for (const o of h.outputs) outputs.push({ name: `${node.id}.${o.name}`, type: o.type, node_id: node.id, handle: o.name, from: "handle" });
  }
  for (const [list, way] of [[inputs, "input"], [outputs, "output"]] as const) {
    const seen = new Set<string>();
    for (const port of list) {
      if (seen.has(port.name)) problems.push(issue(byId.get(port.node_id)!, port.handle, `two ${way}s of the preset are named '${port.name}'`));
      seen.add(port.name);
    }
    if (list.length > MAX_PRESET_PORTS) problems.push(issue(null, null, `the preset would have ${list.length} ${way}s; at most ${MAX_PRESET_PORTS} are allowed`));
  }
  if (problems.length > 0) throw ApiError.invalidGraph(problems, "Cannot make a preset of this selection");
  return { inputs, outputs };
}
