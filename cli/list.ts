import type { CliOptions } from "./args";
import { EXIT } from "./args";
import { reportError } from "./errors";
import type { Streams } from "./render/renderer";
import { EdgeClient } from "./server";

interface WorkflowSummary {
  id: string;
  name: string;
  description?: string;
  updated_at?: string;
  input_schema?: { properties?: Record<string, unknown> };
  [k: string]: unknown;
}

/** `list`: the caller's workflows on the server, every page. */
export async function listCommand(opts: CliOptions, streams: Streams): Promise<number> {
  const client = new EdgeClient(opts.url, opts.token);
  const all: WorkflowSummary[] = [];
  try {
    let cursor: string | null = null;
    do {
      const page: { workflows: WorkflowSummary[]; next: string | null } = await client.request("GET", `/api/workflows?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      all.push(...page.workflows);
      cursor = page.next;
    } while (cursor);
  } catch (err) {
    return reportError(err, streams);
  }
  if (opts.jsonl) {
    for (const wf of all) streams.out.write(`${JSON.stringify(wf)}\n`);
    return EXIT.ok;
  }
  if (all.length === 0) {
    streams.out.write("No workflows yet.\n");
    return EXIT.ok;
  }
  const idWidth = Math.max(2, ...all.map((w) => w.id.length));
  const nameWidth = Math.min(40, Math.max(4, ...all.map((w) => w.name.length)));
  streams.out.write(`${"ID".padEnd(idWidth)}  ${"NAME".padEnd(nameWidth)}  INPUTS\n`);
  for (const wf of all) {
    const inputs = Object.keys(wf.input_schema?.properties ?? {}).join(", ") || "-";
    streams.out.write(`${wf.id.padEnd(idWidth)}  ${wf.name.slice(0, nameWidth).padEnd(nameWidth)}  ${inputs}\n`);
  }
  return EXIT.ok;
}
