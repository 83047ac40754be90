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
 * images, audio, video, search) at stand-in servers on loopback (scripts/loopback-providers.ts).
 *
 * Media and ML nodes run on a gpu-runner started in this process (as `run --local` does) unless
 * GPU_RUNNER_URLS names runners or `--no-runner` is given. `--sample-media` gives workflow inputs of type
 * image, audio or video that were saved empty (the user would pick a file), or that point into NodeTool
 * desktop's local storage (127.0.0.1:8000, only on the author's machine), a generated sample
 * (scripts/sample-media.ts).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { startLocalRunner, type LocalRunner } from "../cli/local-runner";
import { localServices } from "../cli/local-services";
import { GraphValidationError } from "../engine/executor/plan";
import { runWorkflow } from "../engine/executor/run-workflow";
import { normalizeGraph } from "../engine/graph/normalize";
import { listInputs } from "../engine/graph/inputs";
import { validateGraph } from "../engine/graph/validate";
import { createCoreRegistry } from "../engine/nodes/index";
import { GraphSchema, type Graph } from "../schema/workflow";
import { startLoopbackProviders } from "./loopback-providers";
import { dataRef, makeSampleMedia, type SampleMedia } from "./sample-media";

interface Options {
  dir: string;
  timeoutSeconds: number;
  run: boolean;
  json: boolean;
  loopback: boolean;
  runner: boolean;
  sampleMedia: boolean;
}

interface FileReport {
  file: string;
  valid: boolean;
  unknownTypes: string[];
  issues: string[];
  run: "completed" | "failed" | "cancelled" | "timed_out" | "invalid" | "skipped";
  /** The run failed for want of a chat provider (none configured in the environment). */
  needsProvider: boolean;
  /** Inputs that were empty and got generated sample media. */
  sampled?: string[];
  error?: string;
  outputs?: string[];
}

function usage(message?: string): never {
  if (message) console.error(message);
  console.error("usage: npx tsx scripts/check-examples.ts <dir> [--timeout <seconds>] [--no-run] [--json] [--loopback] [--no-runner] [--sample-media]");
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const options: Options = { dir: "", timeoutSeconds: 60, run: true, json: false, loopback: false, runner: true, sampleMedia: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--timeout") {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n <= 0) usage("--timeout takes a positive number of seconds");
      options.timeoutSeconds = n;
    } else if (a === "--no-run") options.run = false;
    else if (a === "--json") options.json = true;
    else if (a === "--loopback") options.loopback = true;
    else if (a === "--no-runner") options.runner = false;
    else if (a === "--sample-media") options.sampleMedia = true;
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

const MEDIA_CONSTANTS: Record<string, "image" | "audio" | "video"> = {
  "nodetool.constant.Image": "image",
  "nodetool.constant.Audio": "audio",
  "nodetool.constant.Video": "video",
};

/** NodeTool desktop's own asset storage: files saved there exist only on the author's machine. */
const NODETOOL_DESKTOP_STORAGE = /^https?:\/\/(127\.0\.0\.1|localhost):8000\//;

/** Media inputs saved without a file (neither a uri nor data), or with one in NodeTool desktop's storage. */
function needsSample(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== "object" || Array.isArray(value)) return false;
  const ref = value as { uri?: unknown; data?: unknown };
  return (!ref.uri && !ref.data) || (typeof ref.uri === "string" && NODETOOL_DESKTOP_STORAGE.test(ref.uri));
}

async function checkFile(file: string, options: Options, samples: SampleMedia | null): Promise<FileReport> {
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
  if (samples) {
    for (const input of listInputs(normalized, registry)) {
      const type = input.valueType;
      if ((type !== "image" && type !== "audio" && type !== "video") || params[input.name] !== undefined || !needsSample(input.defaultValue)) continue;
      params[input.name] = dataRef(type, samples[type]);
      (report.sampled ??= []).push(input.name);
    }
    // Media constants that point into NodeTool desktop's storage get the sample too (the file is unchanged).
    for (const node of graph.nodes) {
      const type = MEDIA_CONSTANTS[node.type];
      if (!type || !node.data || typeof node.data.value !== "object" || !needsSample(node.data.value) || !node.data.value) continue;
      node.data = { ...node.data, value: dataRef(type, samples[type]) };
      (report.sampled ??= []).push(`constant ${node.id}`);
    }
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
    const sampled = r.sampled ? ` (sample media for ${r.sampled.join(", ")})` : "";
    console.log(`${r.file}: ${validity}; run: ${run}${sampled}${r.error ? ` - ${r.error}` : ""}`);
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
  let runner: LocalRunner | null = null;
  if (options.run && options.runner && !process.env.GPU_RUNNER_URLS) {
    runner = await startLocalRunner(process.env);
    Object.assign(process.env, { GPU_RUNNER_URLS: runner.url, GPU_RUNNER_TOKEN: runner.token });
  }
  const samples = options.sampleMedia ? await makeSampleMedia() : null;
  const reports: FileReport[] = [];
  try {
    // One at a time: runs share the process, and their timeouts should measure their own work.
    for (const name of names) reports.push(await checkFile(path.join(options.dir, name), options, samples));
  } finally {
    await runner?.close();
    await loopback?.close();
  }
  if (options.json) console.log(JSON.stringify(reports, null, 2));
  else printReport(reports);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
