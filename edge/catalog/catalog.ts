import type { NodeRegistry } from "../../engine/registry/registry";
import type { NodeDecl, PropertyDecl } from "../../engine/registry/types";
import type { CatalogNode, CatalogProperty } from "../../schema/catalog";
import { outputJsonSchema, propertyJsonSchema } from "./node-schema";

/** "max_length" -> "Max Length" */
function titleFromName(name: string): string {
  return name
    .split(/[_\s]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(" ");
}

export function namespaceOf(type: string): string {
  const dot = type.lastIndexOf(".");
  return dot < 0 ? "" : type.slice(0, dot);
}

export function catalogProperty(p: PropertyDecl): CatalogProperty {
  return {
    name: p.name,
    type: p.type,
    title: p.title ?? titleFromName(p.name),
    description: p.description ?? "",
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(p.min !== undefined ? { min: p.min } : {}),
    ...(p.max !== undefined ? { max: p.max } : {}),
    ...(p.values ? { values: [...p.values] } : {}),
    required: p.required ?? false,
    ...(p.aliases && p.aliases.length > 0 ? { aliases: [...p.aliases] } : {}),
    json_schema: propertyJsonSchema(p),
  };
}

/** One node's catalog entry, generated from its declaration. */
export function catalogNode(decl: NodeDecl): CatalogNode {
  return {
    type: decl.type,
    title: decl.title,
    description: decl.description,
    namespace: namespaceOf(decl.type),
    kind: decl.kind,
    properties: decl.properties.map(catalogProperty),
    outputs: decl.outputs.map((o) => ({ name: o.name, type: o.type, json_schema: outputJsonSchema(o.type) })),
    is_dynamic: decl.isDynamic,
    is_streaming_output: decl.isStreamingOutput,
    is_streaming_input: decl.isStreamingInput,
    gpu: decl.gpu,
    runs_on: decl.gpu ? "gpu-runner" : "edge",
  };
}

const built = new WeakMap<NodeRegistry, { list: CatalogNode[]; byType: Map<string, CatalogNode> }>();

function catalogOf(registry: NodeRegistry) {
  let entry = built.get(registry);
  if (!entry) {
    // Types known only so that a save can refuse them clearly (another language's code node) are not offered.
    const list = registry.all().filter((d) => d.unsupported === undefined).map(catalogNode);
    entry = { list, byType: new Map(list.map((n) => [n.type, n])) };
    built.set(registry, entry);
  }
  return entry;
}

/** Every registered node, in registry order; built once per registry. Filters: namespace prefix, substring. */
export function listCatalog(registry: NodeRegistry, filter: { namespace?: string; q?: string } = {}): CatalogNode[] {
  return filterCatalog(catalogOf(registry).list, filter);
}

/** The catalog filters: namespace prefix (the namespace or below it) and a case-insensitive substring. */
export function filterCatalog(list: CatalogNode[], filter: { namespace?: string; q?: string } = {}): CatalogNode[] {
  let nodes = list;
  const ns = filter.namespace;
  if (ns) nodes = nodes.filter((n) => n.namespace === ns || n.namespace.startsWith(`${ns}.`));
  const q = filter.q?.toLowerCase();
  if (q) nodes = nodes.filter((n) => `${n.type}\n${n.title}\n${n.description}`.toLowerCase().includes(q));
  return nodes;
}

export function findCatalogNode(registry: NodeRegistry, type: string): CatalogNode | undefined {
  return catalogOf(registry).byType.get(type);
}
