/**
 * Checks a folder of NodeTool workflow files against this build:
 *
 *   npx tsx scripts/check-examples.ts <dir> [--timeout <seconds>] [--no-run] [--json] [--loopback]
 *
 * For each `*.json` file (a saved workflow with `graph`, or a bare `{nodes, edges}` graph, optionally with
 * `params` beside it) it reports (a) whether the graph passes validation with the core registry, listing the
 * node types this build does not know, and (b) whether it runs to completion in this process with the CLI's
 * local services (chat providers from the environment, media in memory). Runs that need a chat provider
 * fail without one configured; they are counted apart. `--loopback` points every provider (chat, embeddings,
 * images, audio, search) at stand-in servers on loopback (scripts/loopback-providers.ts).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { localServices } from "../cli/local-services";
import { GraphValidationError } from "../engine/executor/plan";
import { runWorkflow } from "../engine/executor/run-workflow";
import { normalizeGraph } from "../engine/graph/normalize";
import { validateGraph } from "../engine/graph/validate";
import { createCoreRegistry } from "../engine/nodes/index";
import { GraphSchema, type Graph } from "../schema/workflow";
import { startLoopbackProviders } from "./loopback-providers";

interface Options {
  dir: string;
  timeoutSeconds: number;
  run: boolean;
  json: boolean;
  loopback: boolean;
}

interface FileReport {
  file: string;
  valid: boolean;
  unknownTypes: string[];
  issues: string[];
  run: "completed" | "failed" | "cancelled" | "timed_out" | "invalid" | "skipped";
  /** The run failed for want of a chat provider (none configured in the environment). */
  needsProvider: boolean;
  error?: string;
  outputs?: string[];
}

function usage(message?: string): never {
  if (message) console.error(message);
  console.error("usage: npx tsx scripts/check-examples.ts <dir> [--timeout <seconds>] [--no-run] [--json] [--loopback]");
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const options: Options = { dir: "", timeoutSeconds: 60, run: true, json: false, loopback: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--timeout") {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n <= 0) usage("--timeout takes a positive number of seconds");
      options.timeoutSeconds = n;
    } else if (a === "--no-run") options.run = false;
    else if (a === "--json") options.json = true;
    else if (a === "--loopback") options.loopback = true;
    else if (a.startsWith("-")) usage(`unknown option ${a}`);
    else if (options.dir === "") options.dir = a;
    else usage("give one folder");
  }
  if (options.dir === "") usage();
  return options;
}

const PROVIDER_ERROR = /provider|api[ _-]?key|CHAT_PROVIDERS|CHAT_DEFAULT_MODEL|no (chat|language) model/i;

function firstLine(text: string): string {
  const line = text.split("\n")[0];
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

async function checkFile(file: string, options: Options): Promise<FileReport> {
  const report: FileReport = { file: path.basename(file), valid: false, unknownTypes: [], issues: [], run: "skipped", needsProvider: false };
  let graph: Graph;
  let params: Record<string, unknown> = {};
  try {
    const doc = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
    graph = GraphSchema.parse(doc.graph ?? doc);
    if (doc.params && typeof doc.params === "object" && !Array.isArray(doc.params)) params = doc.params as Record<string, unknown>;
  } catch (err) {
    report.run = "invalid";
    report.issues.push(`not a workflow file: ${firstLine(err instanceof Error ? err.message : String(err))}`);
    return report;
  }
  const registry = createCoreRegistry();
  // Editor-only nodes (comments, groups) leave in normalisation and are not unknown.
  const normalized = normalizeGraph(graph);
  const issues = validateGraph(normalized, registry);
  report.unknownTypes = [...new Set(normalized.nodes.map((n) => n.type).filter((t) => !registry.has(t)))].sort();
  report.issues = issues.filter((i) => !/^unknown node type/.test(i.message)).map((i) => `${i.node_id ?? "-"}: ${i.message}`);
  report.valid = issues.length === 0;
  if (!report.valid || !options.run) {
    report.run = report.valid ? "skipped" : "invalid";
    return report;
  }
  const { services } = localServices(process.env);
  try {
    const result = await runWorkflow(graph, params, { registry, services, signal: AbortSignal.timeout(options.timeoutSeconds * 1000) });
    report.run = result.status;
    report.outputs = Object.keys(result.result);
    if (result.error) {
      report.error = firstLine(result.error);
      report.needsProvider = result.status === "failed" && PROVIDER_ERROR.test(result.error);
    }
  } catch (err) {
    report.run = err instanceof GraphValidationError ? "invalid" : "failed";
    report.error = firstLine(err instanceof GraphValidationError ? err.issues.map((i) => i.message).join("; ") : err instanceof Error ? err.message : String(err));
  }
  return report;
}

function printReport(reports: FileReport[]): void {
  for (const r of reports) {
    const validity = r.valid ? "valid" : r.unknownTypes.length > 0 ? `invalid (unknown: ${r.unknownTypes.join(", ")})` : "invalid";
    const run = r.run === "failed" && r.needsProvider ? "failed (needs a chat provider)" : r.run;
    console.log(`${r.file}: ${validity}; run: ${run}${r.error ? ` - ${r.error}` : ""}`);
    for (const issue of r.issues.slice(0, 5)) console.log(`    ${issue}`);
    if (r.issues.length > 5) console.log(`    ... ${r.issues.length - 5} more issues`);
  }
  const count = (f: (r: FileReport) => boolean) => reports.filter(f).length;
  const unknown = new Map<string, number>();
  for (const r of reports) for (const t of r.unknownTypes) unknown.set(t, (unknown.get(t) ?? 0) + 1);
  console.log("");
  console.log(`files: ${reports.length}`);
  console.log(`valid: ${count((r) => r.valid)}; invalid: ${count((r) => !r.valid)} (with unknown node types: ${count((r) => r.unknownTypes.length > 0)})`);
  console.log(
    `runs: completed ${count((r) => r.run === "completed")}, failed ${count((r) => r.run === "failed" && !r.needsProvider)}, ` +
      `failed for want of a chat provider ${count((r) => r.needsProvider)}, timed out ${count((r) => r.run === "timed_out")}, ` +
      `not run ${count((r) => r.run === "invalid" || r.run === "skipped")}`,
  );
  if (unknown.size > 0) {
    const sorted = [...unknown].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    console.log(`unknown node types (files): ${sorted.map(([t, n]) => `${t} (${n})`).join(", ")}`);
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  let names: string[];
  try {
    names = (await readdir(options.dir)).filter((n) => n.endsWith(".json")).sort();
  } catch (err) {
    usage(`cannot read ${options.dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const loopback = options.loopback ? await startLoopbackProviders() : null;
  if (loopback) Object.assign(process.env, loopback.env);
  const reports: FileReport[] = [];
  // One at a time: runs share the process, and their timeouts should measure their own work.
  for (const name of names) reports.push(await checkFile(path.join(options.dir, name), options));
  await loopback?.close();
  if (options.json) console.log(JSON.stringify(reports, null, 2));
  else printReport(reports);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
