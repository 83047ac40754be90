// `npm start`: installs nothing, starts everything locally. Applies the D1 migrations to the local state,
// forwards the documented settings from the shell in an env file of its own, starts `wrangler dev` on
// http://127.0.0.1:8787 and a gpu-runner on http://127.0.0.1:8788 (unless GPU_RUNNER_URLS points the edge at
// runners of its own), and saves the sample workflow examples/hello-world.json under the id "hello-world".
// The two processes stop together: Ctrl-C stops both, and if either exits the other is stopped.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { tsImport } from "tsx/esm/api";
import { applyLocalMigrations, ROOT, WRANGLER } from "./local-edge.mjs";

/** Every setting the Worker reads (docs/configuration.md), from its settings schema: forwarded from the shell when set. */
const { WORKER_VARIABLES: FORWARDED } = await tsImport("../edge/config/schema.ts", import.meta.url);
const PORT = Number(process.env.PORT ?? 8787);
const BASE = `http://127.0.0.1:${PORT}`;
const STATE = path.join(ROOT, ".wrangler", "state");
const RUNNER_PORT = Number(process.env.GPU_RUNNER_PORT ?? 8788);
// A runner of our own unless the shell names runners for the edge to use.
const START_RUNNER = !process.env.GPU_RUNNER_URLS;
// Edge and runner share this token: the edge sends it to the runner, the runner sends it back for models.
const RUNNER_TOKEN = process.env.GPU_RUNNER_TOKEN || randomBytes(24).toString("hex");

const vars = { AUTH_PROVIDER: "local" };
for (const name of FORWARDED) if (process.env[name] !== undefined) vars[name] = process.env[name];
vars.GPU_RUNNER_TOKEN = RUNNER_TOKEN;
if (START_RUNNER) vars.GPU_RUNNER_URLS = `http://127.0.0.1:${RUNNER_PORT}`;
// Not .dev.vars: wrangler loads that file everywhere, the test suite's Workers included, so settings of one
// `npm start` (a runner URL, local auth) would leak into `npm test`. An --env-file is read by this process only.
const ENV_FILE = path.join(ROOT, ".wrangler", "start.env");
mkdirSync(path.dirname(ENV_FILE), { recursive: true });
writeFileSync(ENV_FILE, Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join("\n") + "\n", { mode: 0o600 });

console.log("[start] applying D1 migrations to the local database");
applyLocalMigrations(STATE);

const edge = spawn(WRANGLER, ["dev", "--ip", "127.0.0.1", "--port", String(PORT), "--persist-to", STATE, "--env-file", ENV_FILE, "--show-interactive-dev-session=false"], {
  cwd: ROOT,
  stdio: ["ignore", "pipe", "pipe"],
});
const prefix = (name, stream, out) => {
  let buffered = "";
  stream.on("data", (chunk) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop();
    for (const line of lines) out.write(`[${name}] ${line}\n`);
  });
};
prefix("edge", edge.stdout, process.stdout);
prefix("edge", edge.stderr, process.stderr);

// The gpu-runner (gpu-runner/src/main.ts; its settings are the GPU_RUNNER_* variables of the shell). It
// fetches uploaded models from this edge with the shared token.
const runner = START_RUNNER
  ? spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "gpu-runner", "src", "main.ts")], {
      cwd: ROOT,
      env: { ...process.env, GPU_RUNNER_TOKEN: RUNNER_TOKEN, GPU_RUNNER_PORT: String(RUNNER_PORT), EDGE_URL: process.env.EDGE_URL ?? BASE },
      stdio: ["ignore", "pipe", "pipe"],
    })
  : undefined;
if (runner) {
  prefix("runner", runner.stdout, process.stdout);
  prefix("runner", runner.stderr, process.stderr);
}
const children = [
  { name: "wrangler dev", child: edge, signal: "SIGINT" },
  ...(runner ? [{ name: "gpu-runner", child: runner, signal: "SIGTERM" }] : []),
];

let stopping = false;
let exitCode = 0;
const stop = (code) => {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  for (const { child, signal } of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  setTimeout(() => process.exit(code), 5000).unref();
};
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
// Whichever exits first takes the other with it; the script ends once both are gone.
for (const { name, child } of children) {
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`[start] ${name} exited with ${code ?? signal}; stopping the rest`);
      stop(code || 1);
    }
    if (children.every(({ child: c }) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
}

async function waitForHealth() {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${BASE}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the edge did not answer /health within 60 s");
}

async function seedSample() {
  const sample = JSON.parse(readFileSync(path.join(ROOT, "examples", "hello-world.json"), "utf8"));
  const token = vars.SERVER_AUTH_TOKEN ?? vars.WORKER_AUTH_TOKEN;
  const headers = { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) };
  const res = await fetch(`${BASE}/api/workflows/${sample.id}`, { method: "PUT", headers, body: JSON.stringify(sample) });
  if (!res.ok) {
    console.warn(`[start] could not save the sample workflow (${res.status}): ${await res.text()}`);
    return;
  }
  console.log(`[start] ready on ${BASE} (AUTH_PROVIDER=${vars.AUTH_PROVIDER})`);
  console.log(
    START_RUNNER
      ? `[start] gpu-runner on ${vars.GPU_RUNNER_URLS} (GPU_RUNNER_TOKEN ${process.env.GPU_RUNNER_TOKEN ? "from the shell" : "generated for this run"})`
      : `[start] no local gpu-runner: the edge uses GPU_RUNNER_URLS=${vars.GPU_RUNNER_URLS}`,
  );
  console.log(`[start] sample workflow saved as "${sample.id}"; try:`);
  console.log(`  curl -s -X POST ${BASE}/api/workflows/${sample.id}/run -H 'Content-Type: application/json' -d '{"params":{"name":"Ada"}}'`);
  // The other examples in examples/ are embedded in the Worker: listed and copied through the API.
  const examples = await fetch(`${BASE}/api/examples/list`, { headers }).then((r) => (r.ok ? r.json() : null)).catch(() => null);
  if (examples) {
    console.log(`[start] ${examples.examples.length} examples (${examples.examples.map((e) => e.name).join(", ")}): GET /api/examples/list, copy one with POST /api/examples/{name}/copy`);
  }
  console.log(`[start] API docs: ${BASE}/docs; CLI: node cli/bin.mjs run ${sample.id} --url ${BASE} --param name=Ada`);
}

waitForHealth().then(seedSample).catch((err) => {
  console.error(`[start] ${err.message}`);
  stop(1);
});
