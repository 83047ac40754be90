import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GraphSchema, type Graph } from "../schema/workflow";
import { UsageError } from "./args";

/** The package root: bundled examples live in `examples/` under it. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** What a run executes: a workflow saved on the server, or a graph the CLI holds (file, stdin, example). */
export type RunSource = { kind: "saved"; workflowId: string } | { kind: "graph"; graph: Graph; name: string; origin: string };

export interface RunRequest {
  source: RunSource;
  /** `params` read from stdin (with --stdin). */
  params?: Record<string, unknown>;
}

function parseGraph(value: unknown, origin: string): Graph {
  const parsed = GraphSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "graph"}: ${i.message}`);
  throw new UsageError(`${origin} does not hold a valid workflow graph`, details);
}

/** A workflow document (`{graph, name, ...}`, NodeTool's file format) or a bare `{nodes, edges}` graph. */
export function graphFromDocument(doc: unknown, origin: string): { graph: Graph; name: string } {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new UsageError(`${origin} must hold a JSON object`);
  const record = doc as Record<string, unknown>;
  const name = typeof record.name === "string" && record.name !== "" ? record.name : path.basename(origin);
  if ("graph" in record) return { graph: parseGraph(record.graph, origin), name };
  if ("nodes" in record) return { graph: parseGraph(record, origin), name };
  throw new UsageError(`${origin} has neither a "graph" nor "nodes": not a NodeTool workflow`);
}

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function looksLikeFile(target: string): boolean {
  if (target.endsWith(".json") || target.includes("/") || target.includes(path.sep)) return true;
  return existsSync(target) && statSync(target).isFile();
}

/** The example shipped with the package under this name (examples/<name>.json), if any. */
export function exampleFile(name: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) return undefined;
  const file = path.join(PACKAGE_ROOT, "examples", `${name}.json`);
  return existsSync(file) ? file : undefined;
}

/**
 * What `run <target>` means: a file path (anything ending in .json, containing a slash, or an existing
 * file); with --local, else the name of a bundled example; otherwise a saved workflow's id.
 */
export function resolveTarget(target: string, local: boolean): RunSource {
  if (looksLikeFile(target)) {
    const { graph, name } = graphFromDocument(readJsonFile(target), target);
    return { kind: "graph", graph, name, origin: target };
  }
  if (local) {
    const file = exampleFile(target);
    if (!file) throw new UsageError(`--local runs a workflow file or a bundled example; '${target}' is neither (no such file, no examples/${target}.json)`);
    const { graph, name } = graphFromDocument(readJsonFile(file), file);
    return { kind: "graph", graph, name, origin: `example ${target}` };
  }
  return { kind: "saved", workflowId: target };
}

/** `--stdin`: `{workflow_id}` or `{graph}` (a whole workflow document works too), with optional `params`. */
export function parseStdinRequest(text: string): RunRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`standard input is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new UsageError("standard input must be a JSON object {workflow_id | graph, params}");
  const record = doc as Record<string, unknown>;
  const params = record.params;
  if (params !== undefined && (typeof params !== "object" || params === null || Array.isArray(params))) {
    throw new UsageError("params on standard input must be an object of input values by name");
  }
  const withParams = (source: RunSource): RunRequest => ({ source, params: params as Record<string, unknown> | undefined });
  if ("graph" in record || "nodes" in record) {
    const { graph, name } = graphFromDocument(record, "standard input");
    return withParams({ kind: "graph", graph, name: typeof record.name === "string" ? name : "stdin", origin: "standard input" });
  }
  if (typeof record.workflow_id === "string" && record.workflow_id !== "") return withParams({ kind: "saved", workflowId: record.workflow_id });
  throw new UsageError('standard input needs "workflow_id" (a saved workflow) or "graph" (a workflow graph)');
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
