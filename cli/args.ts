import { parseArgs } from "node:util";
import { readSettings } from "../host/config/env-settings";
import { CLI_SETTINGS } from "./config";

/** Exit codes of every command. */
export const EXIT = {
  ok: 0,
  /** The job failed, timed out or was cancelled by someone else; `validate` found problems. */
  failed: 1,
  /** Bad arguments, an unreadable file, an invalid graph or params, an unknown workflow, no connection, refused auth. */
  usage: 2,
  /** Interrupted with Ctrl-C (the job was cancelled). */
  interrupted: 130,
} as const;

export const DEFAULT_URL = "http://127.0.0.1:8787";

export const USAGE = `nodetool-edge: run NodeTool workflows on a nodetool-edge server or in-process

Usage:
  nodetool-edge run <workflow-id | ./file.json> [options]   run a saved workflow or a workflow file
  nodetool-edge run --stdin [options]                       read {workflow_id | graph, params} from stdin
  nodetool-edge run --local <./file.json | example> [...]   run in this process, no server
  nodetool-edge list [--url URL] [--token TOKEN] [--jsonl]  list your workflows on the server
  nodetool-edge validate <./file.json> [--params JSON]      check a workflow file locally

Options:
  --url URL             server (env NODETOOL_EDGE_URL, default ${DEFAULT_URL})
  --token TOKEN         bearer token (env NODETOOL_EDGE_TOKEN)
  --local               run in-process with the engine's core nodes instead of on a server
  --params JSON         input values by input name, e.g. --params '{"name": "Ada"}'
  --param NAME=VALUE    one input value (repeatable); VALUE is read by the input's type
  --jsonl               print every message as one JSON line (for scripts), then nothing else
  --stdin               read {"workflow_id" | "graph", "params"} as JSON from standard input
  --out-dir DIR         where media outputs are saved (default: the current directory)
  -h, --help            this text
  --version             the version

Exit codes: 0 completed, 1 failed / timed out / cancelled, 2 bad input or no server, 130 interrupted (Ctrl-C
cancels the job on the server first).`;

export interface CliOptions {
  command: string | undefined;
  positionals: string[];
  url: string;
  token: string | undefined;
  local: boolean;
  params: string | undefined;
  param: string[];
  jsonl: boolean;
  stdin: boolean;
  outDir: string;
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {
  constructor(
    message: string,
    /** Problems to list under the message (validation issues). */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parses the command line; the environment supplies the server and token when the flags do not. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: "string" },
        token: { type: "string" },
        local: { type: "boolean", default: false },
        params: { type: "string" },
        param: { type: "string", multiple: true, default: [] },
        jsonl: { type: "boolean", default: false },
        stdin: { type: "boolean", default: false },
        "out-dir": { type: "string", default: "." },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const server = readSettings(CLI_SETTINGS.server, env);
  const url = (values.url ?? server.NODETOOL_EDGE_URL ?? DEFAULT_URL).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url must be an http(s) URL, got '${url}'`);
  return {
    command: positionals[0],
    positionals: positionals.slice(1),
    url,
    token: values.token ?? server.NODETOOL_EDGE_TOKEN,
    local: values.local ?? false,
    params: values.params,
    param: values.param ?? [],
    jsonl: values.jsonl ?? false,
    stdin: values.stdin ?? false,
    outDir: values["out-dir"] ?? ".",
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
