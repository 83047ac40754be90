import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { RunnerConfig } from "./config";
import { createApp } from "./http/app";
import type { Logger } from "./log";
import type { BuiltinModel } from "./models/store";
import { Runner } from "./runner";

export interface RunningServer {
  /** `http://host:port` with the port actually bound (GPU_RUNNER_PORT=0 picks a free one). */
  url: string;
  runner: Runner;
  /** Stops accepting connections, cancels what is in flight and stops the workers. */
  close(): Promise<void>;
}

/** Starts the workers, then the HTTP server; resolves once it listens. Used by main.ts and in-process tests. */
export async function startServer(config: RunnerConfig, log: Logger, builtins: Record<string, BuiltinModel>): Promise<RunningServer> {
  const runner = new Runner(config, log, builtins);
  await runner.start();
  const app = createApp(runner, config, log);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
    s.once("error", reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info("listening", { url, workers: config.workers, provider: runner.health().execution_provider });
  return {
    url,
    runner,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets would hold close() open; in-flight requests are cancelled just below anyway.
        (server as import("node:http").Server).closeAllConnections?.();
      });
      await runner.close();
    },
  };
}
