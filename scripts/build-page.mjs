// Builds the runner page's script: public/src/main.ts (vanilla TS + @msgpack/msgpack) bundled and minified
// into public/app.js, which wrangler serves as a static asset next to public/index.html. Run by `npm start`
// and `npm test` (prestart/pretest) and by the browser tests; the output is git-ignored.
import { build } from "esbuild";
import { statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PAGE_ENTRY = path.join(ROOT, "public", "src", "main.ts");
export const PAGE_BUNDLE = path.join(ROOT, "public", "app.js");

/** Writes public/app.js; returns its size in bytes. */
export async function buildPage({ quiet = false } = {}) {
  await build({
    entryPoints: [PAGE_ENTRY],
    outfile: PAGE_BUNDLE,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: true,
    legalComments: "none",
    logLevel: quiet ? "error" : "warning",
  });
  const size = statSync(PAGE_BUNDLE).size;
  if (!quiet) console.log(`[build-page] public/app.js: ${(size / 1024).toFixed(1)} KiB`);
  return size;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildPage().catch((err) => {
    console.error(`[build-page] ${err.message}`);
    process.exit(1);
  });
}
