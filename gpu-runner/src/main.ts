// The gpu-runner process: `node --import tsx gpu-runner/src/main.ts` (README "gpu-runner" lists its settings).
import { ConfigError, describeConfig, loadConfig } from "./config";
import { BUILTIN_MODELS } from "./kernels/builtin-models";
import { createLogger } from "./log";
import { startServer } from "./server";

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}

const log = createLogger(config.logLevel);
log.info("config", describeConfig(config));
const server = await startServer(config, log, BUILTIN_MODELS).catch((err: unknown) => {
  // A port in use, a worker that cannot load onnxruntime: say so on one line and exit non-zero.
  log.error("start_failed", { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info("stopping", { signal });
  // A second signal or a stuck close still ends the process.
  setTimeout(() => process.exit(0), 5000).unref();
  server.close().then(() => process.exit(0));
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
