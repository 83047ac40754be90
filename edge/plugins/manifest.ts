import type { CatalogNode } from "../../schema/catalog";
import type { Plugin, PluginManifest } from "../../schema/plugins";
import type { Preset } from "../../schema/presets";
import type { CustomNode } from "../../schema/custom-nodes";

/** The id of the caller's own pack of presets. */
export const PRESETS_PLUGIN_ID = "user.presets";

/** "lib.numpy.arithmetic" -> "Numpy Arithmetic" (the leading `nodetool`/`lib` says nothing to a reader). */
function packName(namespace: string): string {
  const parts = namespace.split(".").filter((p) => p !== "" && p !== "__init__");
  const shown = parts.length > 1 && (parts[0] === "nodetool" || parts[0] === "lib") ? parts.slice(1) : parts;
  return shown.map((p) => p.split("_").map((w) => (w ? w[0].toUpperCase() + w.slice(1) : w)).join(" ")).join(" ") || namespace;
}

/** A pipe inside a Markdown table cell would split the cell. */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

function nodeSection(node: CatalogNode): string {
  const lines = [`### ${node.title} (\`${node.type}\`)`, "", node.description || "_No description._", ""];
  if (node.properties.length > 0) {
    lines.push("| input | type | default |", "| --- | --- | --- |");
    for (const p of node.properties) lines.push(`| ${cell(p.name)} | ${cell(p.type)} | ${p.default === undefined ? "" : cell(JSON.stringify(p.default))} |`);
    lines.push("");
  }
  if (node.outputs.length > 0) lines.push(`Outputs: ${node.outputs.map((o) => `\`${o.name}\` (${o.type})`).join(", ")}`, "");
  return lines.join("\n");
}

function readme(manifest: PluginManifest, nodes: CatalogNode[]): string {
  const count = `${manifest.node_count} node type${manifest.node_count === 1 ? "" : "s"}`;
  return [`# ${manifest.name}`, "", `\`${manifest.id}\` · version ${manifest.version} · ${count}`, "", manifest.description, "", "## Node types", "", ...nodes.map(nodeSection)].join("\n");
}

export interface Pack {
  manifest: PluginManifest;
  nodes: CatalogNode[];
}

/** One pack per built-in namespace, in catalog order. */
export function builtinPacks(catalog: CatalogNode[], version: string): Pack[] {
  const byNamespace = new Map<string, CatalogNode[]>();
  for (const node of catalog) (byNamespace.get(node.namespace) ?? byNamespace.set(node.namespace, []).get(node.namespace)!).push(node);
  return [...byNamespace].map(([namespace, nodes]) => ({
    nodes,
    manifest: {
      id: namespace,
      name: packName(namespace),
      version,
      kind: "builtin" as const,
      description: `Built-in node types of the \`${namespace}\` namespace, compiled into this deployment.`,
      enabled: true,
      node_count: nodes.length,
      node_types: nodes.map((n) => n.type),
    },
  }));
}

/** The caller's presets as one pack; its version is the time of the newest change (or "0" while empty). */
export function presetPack(presets: Preset[], nodes: CatalogNode[]): Pack {
  const newest = presets.map((p) => p.updated_at).sort().at(-1);
  return {
    nodes,
    manifest: {
      id: PRESETS_PLUGIN_ID,
      name: "My presets",
      version: newest ?? "0",
      kind: "presets",
      description: "Your presets: named subgraphs made with POST /api/presets/create, usable in any of your workflows as `preset.<name>` nodes.",
      enabled: true,
      node_count: nodes.length,
      node_types: nodes.map((n) => n.type),
    },
  };
}

/** The id of the caller's own pack of custom nodes (edge/custom-nodes). */
export const CUSTOM_NODES_PLUGIN_ID = "user.custom_nodes";

/** The caller's custom nodes as one pack: enabled while any of them is; their catalog entries are `nodes`. */
export function customNodePack(custom: CustomNode[], nodes: CatalogNode[]): Pack {
  const newest = custom.map((n) => n.updated_at).sort().at(-1);
  const enabled = custom.filter((n) => n.enabled);
  return {
    nodes,
    manifest: {
      id: CUSTOM_NODES_PLUGIN_ID,
      name: "My custom nodes",
      version: newest ?? "0",
      kind: "custom_nodes",
      description: `Your custom nodes: ONNX models made node types with POST /api/custom-nodes/upload, usable in any of your workflows as \`custom.<name>\` nodes (${enabled.length} of ${custom.length} enabled; disabled ones are left out).`,
      enabled: custom.length === 0 || enabled.length > 0,
      node_count: nodes.length,
      node_types: nodes.map((n) => n.type),
    },
  };
}

export function pluginOf(pack: Pack): Plugin {
  return { ...pack.manifest, readme: readme(pack.manifest, pack.nodes) };
}
