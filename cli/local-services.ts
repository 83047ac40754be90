// Settings and clients come from host/, the services the Worker uses too, so that the CLI reads
// OPENAI_API_KEY, CHAT_PROVIDERS, GPU_RUNNER_URLS ... exactly as a deployment does.
import { runnerPool } from "../host/runners/pool";
import { type CliConfig, parseCliConfig } from "./config";
import { localCodeAndVectors } from "./code-vector-services";
import { SerpApiSearchService } from "../host/search/search-service";
import { GuardedHttpService } from "../host/web/http-service";
import { InferenceError, NO_RUNNER, type InferenceService } from "../engine/inference/types";
import { MemoryBlobStore } from "../engine/media/memory-blob-store";
import { MemoryWorkspace } from "../engine/workspace/memory-workspace";
import { MemorySqlService } from "./sql/memory-sql";
import { ChatService } from "../engine/providers/service";
import { OpenAIMediaService } from "../engine/providers/media/service";
import type { EngineServices } from "../engine/registry/types";

export interface LocalServices {
  services: Partial<EngineServices>;
  /** Reads an `asset://` URI a local run produced (they live in memory until the process ends). */
  readAsset(uri: string): Promise<Uint8Array>;
}

/**
 * GPU nodes in a local run: the same pool the Worker uses, over the runners GPU_RUNNER_URLS names (with
 * GPU_RUNNER_TOKEN). Uploaded models live on a server, so RunONNXModel needs one; OCR and VAD need only a runner.
 */
function localInference(runners: CliConfig["runners"]): InferenceService | undefined {
  if (runners.urls.length === 0) return undefined;
  const pool = runnerPool(runners);
  return {
    async infer(request, options = {}) {
      if (request.kernel === "tensor") {
        throw new InferenceError(`${NO_RUNNER} for uploaded models in a local run: model '${request.model}' lives on a server; run without --local`, "unavailable");
      }
      return pool.infer({ ...request, ...(options.jobId ? { job_id: options.jobId } : {}) }, options);
    },
  };
}

/**
 * What an in-process run gets instead of the Worker's bindings: chat providers from the environment, media in
 * memory, and gpu-runners when GPU_RUNNER_URLS names some.
 */
export function localServices(env: NodeJS.ProcessEnv): LocalServices {
  const config = parseCliConfig(env);
  // Said once, on stderr; invalid chat settings also travel inside the service, so an LLM node fails naming them.
  for (const problem of config.problems) console.error(`[config] ${problem}`);
  const settings = config.chat;
  const blobs = new MemoryBlobStore();
  const inference = localInference(config.runners);
  // Workspace files and SQLite databases live in memory for the run: nothing touches the host's file system.
  const workspace = new MemoryWorkspace();
  const sql = new MemorySqlService();
  // The web nodes use the Worker's own guard and search client (plain fetch), with the same settings.
  const http = new GuardedHttpService(config.fetch);
  const search = new SerpApiSearchService(config.search);
  return {
    services: { ...localCodeAndVectors(settings, config.embeddingModel), llm: new ChatService(settings, { log: () => {} }), media: new OpenAIMediaService(settings), blobs, http, search, workspace, sql, ...(inference ? { inference } : {}) },
    readAsset: async (uri) => (await blobs.read(uri)).bytes,
  };
}
