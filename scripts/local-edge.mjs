// Shared by `npm start`, the black-box tests and the benchmarks: applies the D1 migrations to a local
// state directory and starts the Worker on it, with wrangler's outside calls switched off.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");

/** Keeps wrangler from phoning home (metrics, error reports, cf fetch) and quiet. */
export const QUIET_WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};
for (const [k, v] of Object.entries(QUIET_WRANGLER_ENV)) process.env[k] ??= v;

/** Applies every migration in migrations/ to the local D1 database under `persistTo` (idempotent). */
export function applyLocalMigrations(persistTo) {
  execFileSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    cwd: ROOT,
    env: { ...process.env, CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * Starts the Worker in-process (workerd) with `vars` overriding wrangler.toml's [vars]; returns its URL
 * and a stop function.
 */
export async function startLocalEdge({ vars = {}, persistTo, port = 0, logLevel = "warn" } = {}) {
  const { unstable_startWorker } = await import("wrangler");
  const bindings = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, { type: "plain_text", value: String(v) }]));
  const worker = await unstable_startWorker({
    config: path.join(ROOT, "wrangler.toml"),
    bindings,
    dev: { persist: persistTo, server: { hostname: "127.0.0.1", port }, inspector: false, watch: false, logLevel },
  });
  const url = (await worker.url).toString().replace(/\/$/, "");
  return { url, stop: () => worker.dispose() };
}

/**
 * Starts the Worker the way Cloudflare runs it: bundled by wrangler (`deploy --dry-run`), then served by
 * workerd on a socket that leads straight to the Worker, with the bindings wrangler.toml declares.
 * `startLocalEdge` instead puts wrangler dev's proxy (a second workerd, for reloads) and miniflare's entry
 * worker in front of every request, which costs more than our own code does; the benchmarks use this one to
 * measure our code. Static assets are not served here (they never reach the Worker in production either).
 */
export async function startBundledEdge({ vars = {}, persistTo } = {}) {
  const outdir = mkdtempSync(path.join(tmpdir(), "nodetool-edge-bundle-"));
  execFileSync(WRANGLER, ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: ROOT,
    env: { ...process.env, CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
  const { Miniflare } = await import("miniflare");
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
  delete workerOptions.assets;
  const mf = new Miniflare({
    ...workerOptions,
    // Listed rather than found by following imports: the bundle holds a dynamic import() of a computed
    // specifier (pdf.js), which miniflare's import scan refuses.
    modulesRoot: outdir,
    modules: readdirSync(outdir)
      .filter((f) => f.endsWith(".js") || f.endsWith(".wasm"))
      .sort((a, b) => (a === "index.js" ? -1 : b === "index.js" ? 1 : a.localeCompare(b)))
      .map((f) => ({ type: f.endsWith(".wasm") ? "CompiledWasm" : "ESModule", path: path.join(outdir, f) })),
    bindings: { ...workerOptions.bindings, ...vars },
    // The layout `wrangler ... --persist-to` uses, so applyLocalMigrations prepares the same database.
    defaultPersistRoot: path.join(persistTo, "v3"),
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  });
  await mf.ready;
  const url = (await mf.unsafeGetDirectURL()).toString().replace(/\/$/, "");
  return {
    url,
    stop: async () => {
      await mf.dispose();
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}
