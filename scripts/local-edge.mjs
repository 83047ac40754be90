// Shared by `npm start`, the black-box tests and the benchmarks: applies the D1 migrations to a local
// state directory and starts the Worker on it, with wrangler's outside calls switched off.
import { execFileSync } from "node:child_process";
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
