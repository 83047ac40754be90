/**
 * Compares the node library with a NodeTool package metadata file (a package's `nodes[]` with `node_type`,
 * `namespace`, `properties` and `outputs`, as NodeTool publishes it for its base package):
 *
 *   npx tsx scripts/node-coverage.ts path/to/package-metadata.json [--missing] [--mismatches]
 *
 * prints, per namespace, how many of the package's node types this build declares; `--missing` lists the
 * undeclared ones; `--mismatches` lists declared types whose property or output names differ from the
 * package's. The file is the caller's: nothing in the project needs it to build, run or test.
 */
import { readFileSync } from "node:fs";
import { CORE_NODES } from "../engine/nodes/index";

interface MetaNode {
  node_type: string;
  namespace: string;
  properties?: { name: string }[];
  outputs?: { name: string }[];
}

const [path, ...flags] = process.argv.slice(2);
if (!path) {
  console.error("usage: npx tsx scripts/node-coverage.ts <package-metadata.json> [--missing] [--mismatches]");
  process.exit(2);
}
const meta = JSON.parse(readFileSync(path, "utf8")) as { nodes: MetaNode[] };
// A type declared only to be refused at save (another language's code node) does not count as declared.
const runnable = CORE_NODES.filter((n) => n.unsupported === undefined);
const ours = new Map(runnable.map((n) => [n.type, n]));

const byNamespace = new Map<string, { total: number; declared: number; missing: string[] }>();
const mismatches: string[] = [];
for (const node of meta.nodes) {
  const row = byNamespace.get(node.namespace) ?? { total: 0, declared: 0, missing: [] };
  byNamespace.set(node.namespace, row);
  row.total += 1;
  const decl = ours.get(node.node_type);
  if (!decl) {
    row.missing.push(node.node_type.slice(node.namespace.length + 1));
    continue;
  }
  row.declared += 1;
  const propNames = new Set(decl.properties.flatMap((p) => [p.name, ...(p.aliases ?? [])]));
  const lackingProps = (node.properties ?? []).map((p) => p.name).filter((n) => !propNames.has(n));
  const outNames = new Set(decl.outputs.map((o) => o.name));
  const lackingOuts = (node.outputs ?? []).map((o) => o.name).filter((n) => !outNames.has(n));
  if (lackingProps.length || lackingOuts.length) {
    mismatches.push(`${node.node_type}: ${lackingProps.length ? `properties ${lackingProps.join(", ")}` : ""}${lackingProps.length && lackingOuts.length ? "; " : ""}${lackingOuts.length ? `outputs ${lackingOuts.join(", ")}` : ""}`);
  }
}

const total = meta.nodes.length;
const declared = [...byNamespace.values()].reduce((s, r) => s + r.declared, 0);
console.log(`| namespace | declared | in package |\n|---|---|---|`);
for (const [ns, row] of [...byNamespace].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`| ${ns} | ${row.declared} | ${row.total} |`);
}
console.log(`| **all** | **${declared}** | **${total}** |`);
const extra = runnable.filter((n) => !meta.nodes.some((m) => m.node_type === n.type)).length;
console.log(`\nThis build declares ${runnable.length} runnable node types (${extra} of them not in the package), and refuses ${CORE_NODES.length - runnable.length} more at save.`);
if (flags.includes("--missing")) {
  console.log("\nMissing:");
  for (const [ns, row] of byNamespace) if (row.missing.length) console.log(`${ns}: ${row.missing.join(" ")}`);
}
if (flags.includes("--mismatches")) {
  console.log(`\nDeclared with other property or output names (${mismatches.length}):`);
  for (const m of mismatches) console.log(m);
}
