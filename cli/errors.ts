import { APIError } from "../client/index";
import { EXIT, UsageError } from "./args";
import type { Streams } from "./render/renderer";
import { describeDetails } from "./server";

/** Prints an error (and its details) on stderr; returns the exit code it stands for. */
export function reportError(err: unknown, streams: Streams): number {
  const write = (line: string) => streams.err.write(`${line}\n`);
  if (err instanceof UsageError) {
    write(`error: ${err.message}`);
    for (const d of err.details) write(`  - ${d}`);
    return EXIT.usage;
  }
  if (err instanceof APIError) {
    write(`error: ${err.message} (${err.status} ${err.type})`);
    for (const d of describeDetails(err.details)) write(`  - ${d}`);
    return err.status >= 500 || err.status === 0 ? EXIT.failed : EXIT.usage;
  }
  write(`error: ${err instanceof Error ? err.message : String(err)}`);
  return EXIT.failed;
}
