import type { CatalogNode } from "../../schema/catalog";
import type { Plugin, PluginManifest } from "../../schema/plugins";
import type { Preset } from "../../schema/presets";

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

export function pluginOf(pack: Pack): Plugin {
  return { ...pack.manifest, readme: readme(pack.manifest, pack.nodes) };
}
