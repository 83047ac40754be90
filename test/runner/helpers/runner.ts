import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../../gpu-runner/src/config";
import { BUILTIN_MODELS } from "../../../gpu-runner/src/kernels/builtin-models";
import { createLogger } from "../../../gpu-runner/src/log";
import { startServer } from "../../../gpu-runner/src/server";
import { sha256 } from "./onnx-models";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const MAIN = path.join(ROOT, "gpu-runner", "src", "main.ts");

/** A fresh, empty model cache directory; removed by the returned function. */
export function tempCacheDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "gpu-runner-test-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Puts model bytes into a cache directory as the runner stores verified downloads (`<sha256>.onnx`). */
export function seedModel(cacheDir: string, bytes: Uint8Array): void {
  writeFileSync(path.join(cacheDir, `${sha256(bytes)}.onnx`), bytes);
}

/** The runner's entry point, for tests that spawn it themselves. */
export const RUNNER_MAIN = MAIN;
export const REPO_ROOT = ROOT;

export const randomToken = () => randomBytes(24).toString("hex");

export interface InProcessRunner {
  url: string;
  token: string;
  cacheDir: string;
  close(): Promise<void>;
}

/**
 * A runner in the test process (its workers are real threads with real onnxruntime sessions), on a free
 * port, with its own cache directory unless `MODEL_CACHE_DIR` is given. Logs only warnings and errors.
 */
export async function startInProcessRunner(env: Record<string, string> = {}): Promise<InProcessRunner> {
  const cache = env.MODEL_CACHE_DIR ? undefined : tempCacheDir();
  const token = env.GPU_RUNNER_TOKEN ?? randomToken();
  const config = loadConfig({ GPU_RUNNER_WORKERS: "1", GPU_RUNNER_LOG_LEVEL: "warn", ...env, GPU_RUNNER_TOKEN: token, GPU_RUNNER_PORT: "0", MODEL_CACHE_DIR: env.MODEL_CACHE_DIR ?? cache!.dir });
  const server = await startServer(config, createLogger(config.logLevel), BUILTIN_MODELS);
  return {
    url: server.url,
    token,
    cacheDir: config.modelCacheDir,
    async close() {
      await server.close();
      cache?.remove();
    },
  };
}

export interface ChildRunner {
  url: string;
  token: string;
  pid: number;
  cacheDir: string;
  /** Everything the process wrote so far, stdout and stderr interleaved by arrival. */
  output(): string;
  /** Sends a signal (default SIGTERM) and resolves with how the process exited. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node --import tsx gpu-runner/src/main.ts` as a child process on a free port (GPU_RUNNER_PORT=0; the
 * URL is read from its `listening` log line), with a temporary cache directory unless MODEL_CACHE_DIR is
 * given. Used for process-level tests and by the edge's pool tests; `kill` it in teardown.
 */
export function startRunnerProcess(env: Record<string, string> = {}): Promise<ChildRunner> {
  const token = env.GPU_RUNNER_TOKEN ?? randomToken();
  const cache = env.MODEL_CACHE_DIR ? undefined : tempCacheDir();
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    cwd: ROOT,
    env: { ...process.env, GPU_RUNNER_WORKERS: "1", MODEL_CACHE_DIR: cache?.dir ?? "", ...env, GPU_RUNNER_TOKEN: token, GPU_RUNNER_PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      cache?.remove();
      resolve({ code, signal });
    }),
  );
  return new Promise((resolve, reject) => {
    let started = false;
    // Both pipes are always read, so the child never blocks on a full pipe, and kept for output().
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const url = started ? undefined : /INFO listening url=(\S+)/.exec(output)?.[1];
      if (!url) return;
      started = true;
      resolve({
        url,
        token,
        pid: child.pid!,
        cacheDir: env.MODEL_CACHE_DIR ?? cache!.dir,
        output: () => output,
        kill: async (signal = "SIGTERM") => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    child.once("exit", (code, signal) => {
      if (!started) reject(new Error(`the runner exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}
