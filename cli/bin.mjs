#!/usr/bin/env node
// The `nodetool-edge` command. Plain Node 20, no build step: tsx's loader is registered first, so the
// TypeScript modules (cli/main.ts and the engine it imports) load as they are.
import { register } from "tsx/esm/api";

register();
// A closed pipe (`nodetool-edge run ... | head`) ends the command quietly instead of crashing it.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}
const { main } = await import("./main.ts");
const code = await main(process.argv.slice(2));
// Let piped output drain before exiting (process.exit would cut off a slow reader).
await new Promise((resolve) => process.stdout.write("", resolve));
await new Promise((resolve) => process.stderr.write("", resolve));
process.exit(code);
