import { readFileSync } from "node:fs";
import path from "node:path";
import { EXIT, parseCli, USAGE } from "./args";
import { reportError } from "./errors";
import { listCommand } from "./list";
import type { Streams } from "./render/renderer";
import { runCommand } from "./run";
import { PACKAGE_ROOT, readStdin } from "./source";
import { validateCommand } from "./validate";

function version(): string {
  return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/** The CLI: parses argv, runs one command, returns the exit code. */
export async function main(argv: string[], streams: Streams = { out: process.stdout, err: process.stderr }): Promise<number> {
  let opts;
  try {
    opts = parseCli(argv);
  } catch (err) {
    const code = reportError(err, streams);
    streams.err.write("Run `nodetool-edge --help` for usage.\n");
    return code;
  }
  if (opts.version) {
    streams.out.write(`${version()}\n`);
    return EXIT.ok;
  }
  if (opts.help || opts.command === undefined || opts.command === "help") {
    (opts.help || opts.command === "help" ? streams.out : streams.err).write(`${USAGE}\n`);
    return opts.help || opts.command === "help" ? EXIT.ok : EXIT.usage;
  }
  switch (opts.command) {
    case "run":
      return runCommand(opts, {
        streams,
        readStdin,
        onInterrupt(handler) {
          process.on("SIGINT", handler);
          return () => process.off("SIGINT", handler);
        },
      });
    case "list":
      return listCommand(opts, streams);
    case "validate":
      return validateCommand(opts, streams);
    default:
      streams.err.write(`error: unknown command '${opts.command}'\n${USAGE}\n`);
      return EXIT.usage;
  }
}
