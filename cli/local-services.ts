// Settings and clients come from host/, the services the Worker uses too, so that the CLI reads
// OPENAI_API_KEY, CHAT_PROVIDERS, GPU_RUNNER_URLS ... exactly as a deployment does.
import { parseChatSettings } from "../host/chat/settings";
import { runnerPool } from "../host/runners/pool";
import { localCodeAndVectors } from "./code-vector-services";
import { parseSearchSettings, SerpApiSearchService } from "../host/search/search-service";
import { parseFetchSettings } from "../host/web/config";
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
function localInference(env: NodeJS.ProcessEnv): InferenceService | undefined {
  const urls = (env.GPU_RUNNER_URLS ?? "").split(",").map((u) => u.trim().replace(/\/+$/, "")).filter(Boolean);
  if (urls.length === 0) return undefined;
  const timeoutSeconds = Number(env.GPU_RUNNER_TIMEOUT_SECONDS ?? 30);
  const pool = runnerPool({ urls, token: env.GPU_RUNNER_TOKEN ?? "", idleTimeoutMs: (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds : 30) * 1000 });
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
  // Invalid settings travel inside the service: an LLM node then fails saying which setting to fix.
  const { warnings: _warnings, ...settings } = parseChatSettings(env);
  const blobs = new MemoryBlobStore();
  const inference = localInference(env);
  // Workspace files and SQLite databases live in memory for the run: nothing touches the host's file system.
  const workspace = new MemoryWorkspace();
  const sql = new MemorySqlService();
  // The web nodes use the Worker's own guard and search client (plain fetch), with the same settings.
  const http = new GuardedHttpService(parseFetchSettings(env));
  const search = new SerpApiSearchService(parseSearchSettings(env));
  return {
    services: { ...localCodeAndVectors(env, settings), llm: new ChatService(settings, { log: () => {} }), media: new OpenAIMediaService(settings), blobs, http, search, workspace, sql, ...(inference ? { inference } : {}) },
    readAsset: async (uri) => (await blobs.read(uri)).bytes,
  };
}
