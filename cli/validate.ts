import { listInputs, resolveParams } from "../engine/graph/inputs";
import { deriveInputSchema, deriveOutputSchema } from "../engine/graph/io-schema";
import { normalizeGraph } from "../engine/graph/normalize";
import { validateGraph } from "../engine/graph/validate";
import { createCoreRegistry } from "../engine/nodes/index";
import { EXIT, UsageError, type CliOptions } from "./args";
import { reportError } from "./errors";
import { buildParams } from "./params";
import type { Streams } from "./render/renderer";
import { describeDetails } from "./server";
import { exampleFile, graphFromDocument, readJsonFile } from "./source";

/**
 * `validate <file>`: checks a workflow file in this process, as a run would (plus `--params` when given).
 * Every problem is printed at once (stderr, or JSON lines on stdout with --jsonl); exit 1 when there are any.
 */
export function validateCommand(opts: CliOptions, streams: Streams): number {
  try {
    if (opts.positionals.length !== 1) throw new UsageError("validate takes one workflow file");
    const target = opts.positionals[0];
    const file = target.endsWith(".json") || target.includes("/") ? target : (exampleFile(target) ?? target);
    const { graph } = graphFromDocument(readJsonFile(file), target);
    const registry = createCoreRegistry();
    const normalized = normalizeGraph(graph);
    const issues = validateGraph(normalized, registry);
    if (opts.params !== undefined || opts.param.length > 0) {
      const schema = issues.length === 0 ? deriveInputSchema(normalized, registry) : undefined;
      issues.push(...resolveParams(listInputs(normalized, registry), buildParams(opts, undefined, schema)).issues);
    }
    if (opts.jsonl) {
      for (const issue of issues) streams.out.write(`${JSON.stringify(issue)}\n`);
      return issues.length === 0 ? EXIT.ok : EXIT.failed;
    }
    if (issues.length > 0) {
      streams.err.write(`${target}: ${issues.length} problem${issues.length === 1 ? "" : "s"}\n`);
      for (const line of describeDetails(issues)) streams.err.write(`  - ${line}\n`);
      return EXIT.failed;
    }
    const inputs = Object.entries((deriveInputSchema(normalized, registry).properties ?? {}) as Record<string, { type?: unknown; default?: unknown }>);
    const outputs = Object.keys((deriveOutputSchema(normalized, registry).properties ?? {}) as Record<string, unknown>);
    streams.out.write(`${target}: valid (${normalized.nodes.length} nodes, ${normalized.edges.length} edges)\n`);
    streams.out.write(`  inputs:  ${inputs.map(([n, s]) => `${n} (${[s.type].flat().join("|") || "any"}, default ${JSON.stringify(s.default)})`).join(", ") || "none"}\n`);
    streams.out.write(`  outputs: ${outputs.join(", ") || "none"}\n`);
    return EXIT.ok;
  } catch (err) {
    return reportError(err, streams);
  }
}
