import type { ExportLanguage } from "../../schema/graph-tools";
import type { Graph } from "../../schema/workflow";

export interface ExportOptions {
  graph: Graph;
  /** The workflow's name, shown in the script and saved with it. */
  name: string;
  description?: string;
  /** Params baked in as defaults; `--params` on the command line overrides them by name. */
  params: Record<string, unknown>;
  /** The server the script calls unless told otherwise (the origin the export was requested from). */
  defaultUrl: string;
  language: ExportLanguage;
}

export interface ExportedScript {
  filename: string;
  contentType: string;
  source: string;
  workflowId: string;
}

/**
 * The id the script saves the graph under: derived from the graph, so running the script again (or
 * exporting the same graph again) replaces that one workflow instead of piling up copies.
 */
export async function exportWorkflowId(graph: Graph): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(graph)));
  const hex = [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `export-${hex}`;
}

export function fileStem(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return `run-${slug || "workflow"}`;
}

/** A comment line can hold any text except a line break (which would end the comment). */
const oneLine = (s: string) => s.replace(/[\r\n\u2028\u2029]+/g, " ");

/** JSON as a JS/TS literal: safe inside a script (no `</script>`-style or line-separator surprises). */
const literal = (v: unknown, indent = 2) =>
  JSON.stringify(v, null, indent).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

/**
 * A self-contained script (plain `fetch`, no dependencies, Node 18+) that saves the graph as a workflow
 * under a stable id (PUT /api/workflows/{id}), runs it (POST /workflows/{id}/run) and prints the result
 * map as JSON. TypeScript runs with `npx tsx`, JavaScript (an ES module) with `node`.
 */
export async function exportScript(opts: ExportOptions): Promise<ExportedScript> {
  const ts = opts.language === "typescript";
  const t = (annotation: string) => (ts ? annotation : "");
  const workflowId = await exportWorkflowId(opts.graph);
  const filename = `${fileStem(opts.name)}.${ts ? "ts" : "mjs"}`;
  const runWith = ts ? `npx tsx ${filename}` : `node ${filename}`;
  const workflow = { name: opts.name, description: opts.description || "Saved by a script exported with POST /api/graph/export.", graph: opts.graph };

  const source = `// Runs the workflow "${oneLine(opts.name)}" on a nodetool-edge server and prints its outputs as JSON.
// Exported by POST /api/graph/export. Needs Node 18 or newer (global fetch) and nothing else.
//
//   ${runWith} [--url URL] [--token TOKEN] [--params '{"input name": value}']
//
// --url    or NODETOOL_EDGE_URL:   the server (default ${oneLine(opts.defaultUrl)})
// --token  or NODETOOL_EDGE_TOKEN: the bearer token, when the server wants one
// --params: JSON object of input values by input name, over the defaults below
//
// The graph is saved as your workflow "${workflowId}" (PUT /api/workflows/${workflowId}; the id is derived
// from the graph, so running this again replaces that workflow instead of adding copies), then run with
// POST /workflows/${workflowId}/run. Exit code 0 when the job completed, 1 otherwise (the error on stderr).

const WORKFLOW_ID = ${JSON.stringify(workflowId)};
const DEFAULT_URL = ${JSON.stringify(opts.defaultUrl)};
const DEFAULT_PARAMS${t(": Record<string, unknown>")} = ${literal(opts.params)};
const WORKFLOW = ${literal(workflow)};

function option(name${t(": string")})${t(": string | undefined")} {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === \`--\${name}\`) return args[i + 1];
    if (args[i].startsWith(\`--\${name}=\`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}

async function call(base${t(": string")}, token${t(": string | undefined")}, method${t(": string")}, path${t(": string")}, body${t(": unknown")})${t(": Promise<any>")} {
  const headers${t(": Record<string, string>")} = { "Content-Type": "application/json" };
  if (token) headers.Authorization = \`Bearer \${token}\`;
  const res = await fetch(base + path, { method, headers, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed${t(": any")} = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: reported below
  }
  if (!res.ok) {
    const message = parsed && parsed.error ? parsed.error.message : text.slice(0, 500);
    const details = parsed && parsed.error && parsed.error.details ? "\\n" + JSON.stringify(parsed.error.details, null, 2) : "";
    throw new Error(\`\${method} \${path} failed with \${res.status}: \${message}\${details}\`);
  }
  return parsed;
}

async function main()${t(": Promise<number>")} {
  const base = (option("url") || process.env.NODETOOL_EDGE_URL || DEFAULT_URL).replace(/\\/+$/, "");
  const token = option("token") || process.env.NODETOOL_EDGE_TOKEN || undefined;
  const extra = option("params");
  const params = { ...DEFAULT_PARAMS, ...(extra ? JSON.parse(extra) : {}) };
  await call(base, token, "PUT", \`/api/workflows/\${WORKFLOW_ID}\`, WORKFLOW);
  const run = await call(base, token, "POST", \`/workflows/\${WORKFLOW_ID}/run\`, { params });
  if (run.status !== "completed") {
    console.error(\`job \${run.job_id} \${run.status}: \${run.error ?? "no error message"}\`);
    return 1;
  }
  console.log(JSON.stringify(run.results, null, 2));
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
`;
  return { filename, contentType: ts ? "text/typescript; charset=utf-8" : "text/javascript; charset=utf-8", source, workflowId };
}
