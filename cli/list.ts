import type { CliOptions } from "./args";
import { EXIT } from "./args";
import { reportError } from "./errors";
import type { Streams } from "./render/renderer";
import { EdgeClient, type Workflow } from "./server";

/** `list`: the caller's workflows on the server, every page. */
export async function listCommand(opts: CliOptions, streams: Streams): Promise<number> {
  const client = new EdgeClient(opts.url, opts.token);
  let all: Workflow[];
  try {
    all = await client.workflows();
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
    const inputs = Object.keys((wf.input_schema?.properties as Record<string, unknown> | undefined) ?? {}).join(", ") || "-";
    streams.out.write(`${wf.id.padEnd(idWidth)}  ${wf.name.slice(0, nameWidth).padEnd(nameWidth)}  ${inputs}\n`);
  }
  return EXIT.ok;
}
