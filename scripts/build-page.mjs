// Builds the runner page's script: public/src/main.ts (vanilla TS + @msgpack/msgpack) bundled and minified
// into public/app.js, which wrangler serves as a static asset next to public/index.html. Run by `npm start`
// and `npm test` (their scripts run it first) and by the browser tests; the output is git-ignored.
import { build } from "esbuild";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PAGE_ENTRY = path.join(ROOT, "public", "src", "main.ts");
export const PAGE_BUNDLE = path.join(ROOT, "public", "app.js");

export const DEMO_ENTRY = path.join(ROOT, "public", "demo", "demo.ts");
export const DEMO_TEMPLATE = path.join(ROOT, "public", "demo", "demo.html");
/** The API demo page: one self-contained HTML file (script and @msgpack/msgpack inlined), served at /demo. */
export const DEMO_PAGE = path.join(ROOT, "public", "demo.html");

/** Writes public/demo.html: the demo script bundled as a classic script (so it runs from file:// too) inside the template. */
export async function buildDemo({ quiet = false } = {}) {
  const result = await build({
    entryPoints: [DEMO_ENTRY],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: ["es2020"],
    minify: true,
    legalComments: "none",
    logLevel: quiet ? "error" : "warning",
  });
  // A "</script" inside the code would end the inline script early.
  const script = result.outputFiles[0].text.replace(/<\/script/gi, "<\\/script");
  const html = readFileSync(DEMO_TEMPLATE, "utf8").replace("/*DEMO_SCRIPT*/", () => script);
  writeFileSync(DEMO_PAGE, html);
  if (!quiet) console.log(`[build-page] public/demo.html: ${(html.length / 1024).toFixed(1)} KiB`);
  return html.length;
}

/** Swagger UI's files for /docs (edge/docs/routes.ts), copied from the swagger-ui-dist package: no CDN at run time. */
export const DOCS_ASSETS_DIR = path.join(ROOT, "public", "docs-ui");
const DOCS_ASSET_FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"];

/** Copies the /docs assets into public/docs-ui/ (only files that changed). */
export function buildDocsAssets({ quiet = false } = {}) {
  const from = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  mkdirSync(DOCS_ASSETS_DIR, { recursive: true });
  for (const name of DOCS_ASSET_FILES) {
    const source = readFileSync(path.join(from, name));
    const target = path.join(DOCS_ASSETS_DIR, name);
    if (existsSync(target) && readFileSync(target).equals(source)) continue;
    writeFileSync(target, source);
  }
  if (!quiet) console.log("[build-page] public/docs-ui/: Swagger UI from swagger-ui-dist");
}

/** Writes public/app.js (and public/demo.html, public/docs-ui/); returns app.js's size in bytes. */
export async function buildPage({ quiet = false } = {}) {
  buildDocsAssets({ quiet });
  await buildDemo({ quiet });
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
