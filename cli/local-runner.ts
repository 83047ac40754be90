import { randomBytes } from "node:crypto";
import type { Graph } from "../schema/workflow";
import { createCoreRegistry } from "../engine/nodes/index";
import { normalizeGraph } from "../engine/graph/normalize";

export interface LocalRunner {
  url: string;
  token: string;
  close(): Promise<void>;
}

/**
 * Speech recognition goes to a provider when one is configured, else to the runner's built-in model
 * (engine/inference/local-asr.ts), and ChunkToAudio joins encoded chunks on the runner (raw PCM it joins
 * itself): a local run may need a runner for them, so it gets one.
 */
const MAY_NEED_RUNNER = new Set(["nodetool.text.AutomaticSpeechRecognition", "nodetool.audio.ChunkToAudio"]);

/** Whether a graph has nodes that run (or may run) on a gpu-runner: OCR, speech, media, ONNX models. */
export function needsRunner(graph: Graph): boolean {
  const registry = createCoreRegistry();
  return normalizeGraph(graph).nodes.some((node) => registry.get(node.type)?.gpu === true || MAY_NEED_RUNNER.has(node.type));
}

/**
 * `run --local` of a graph with GPU nodes when no runner is configured (GPU_RUNNER_URLS unset): a gpu-runner in
 * this process (gpu-runner/src: real onnxruntime sessions in worker threads) on a free loopback port, with
 * its usual model cache (MODEL_CACHE_DIR, default .gpu-runner-cache), stopped when the run ends. Its own
 * settings are the GPU_RUNNER_* variables, as for `npm start`'s runner. Loaded only when needed: onnxruntime is
 * of no use to other runs.
 */
export async function startLocalRunner(env: NodeJS.ProcessEnv): Promise<LocalRunner> {
  const [{ loadConfig }, { BUILTIN_MODELS }, { createLogger }, { startServer }] = await Promise.all([
    import("../gpu-runner/src/config"),
    import("../gpu-runner/src/kernels/builtin-models"),
    import("../gpu-runner/src/log"),
    import("../gpu-runner/src/server"),
  ]);
  const token = randomBytes(24).toString("hex");
  const config = loadConfig({
    GPU_RUNNER_WORKERS: "1",
    GPU_RUNNER_LOG_LEVEL: "warn",
    ...env,
    GPU_RUNNER_TOKEN: token,
    GPU_RUNNER_HOST: "127.0.0.1",
    GPU_RUNNER_PORT: "0",
  });
  const server = await startServer(config, createLogger(config.logLevel), BUILTIN_MODELS);
  return { url: server.url, token, close: () => server.close() };
}
