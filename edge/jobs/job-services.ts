import type { EngineServices } from "../../engine/registry/types";
import { WorkerWorkflowTools } from "../agents/workflow-tools";
import { chatService } from "../../host/chat/settings";
import { workerCodeSandbox } from "../code/sandbox";
import { workerEmbeddings, workerVectorStore } from "../vectors/store";
import { OpenAIMediaService } from "../../engine/providers/media/service";
import { getConfig } from "../config/config";
import type { Env } from "../config/env";
import { createInferenceService } from "../runners/service";
import { SerpApiSearchService } from "../../host/search/search-service";
import { R2BlobStore } from "../storage/blob-store";
import { DurableSqlService } from "../sqlite/sql-service";
import { R2Workspace } from "../workspace/r2-workspace";
import { GuardedHttpService } from "../../host/web/http-service";

/** Who a job runs for: what host services may scope their work to (a user's storage, a job's logs). */
export interface JobIdentity {
  jobId: string;
  userId: string;
  /** The base of the media URLs it hands out (the job spec's `public_base_url`; edge/storage/public-base.ts). */
  publicBase?: string | null;
}

/**
 * The host services a job's nodes get through their context (model providers, blob storage, ...): the one
 * place where the Worker's bindings are handed to the runtime-agnostic engine.
 */
export function createJobServices(env: Env, job: JobIdentity): Partial<EngineServices> {
  const config = getConfig(env);
  return {
    blobs: new R2BlobStore(env, job),
    llm: chatService(env, config.chat),
    // Agents' workflow_<name> tools: the user's tool workflows, run in-process within this job.
    workflows: new WorkerWorkflowTools(env, job, () => createJobServices(env, job)),
    // GPU nodes: the isolate's gpu-runner pool, with model names resolved to the job user's uploaded models.
    inference: createInferenceService(env, job),
    // The user's persistent state: workspace files in R2 under their prefix, SQLite databases as Durable Objects.
    workspace: new R2Workspace(env, job.userId),
    sql: new DurableSqlService(env, job.userId),
    // Web nodes: outbound HTTP behind the fetch guard, and the operator's SerpAPI-compatible search provider.
    http: new GuardedHttpService(config.fetch),
    search: new SerpApiSearchService(config.search),
    // Code nodes: JavaScript in QuickJS (WebAssembly), with time and memory limits and no host access.
    code: workerCodeSandbox(),
    // vector.chroma nodes: the user's collections (one Durable Object each) and embeddings via the chat providers.
    vectors: workerVectorStore(env, job.userId),
    embeddings: workerEmbeddings(env),
    // Generation nodes (images, speech, transcription, video): OpenAI's media APIs on the chat providers.
    media: new OpenAIMediaService(config.chat, { log: (m, err) => console.warn(m, err ?? "") }),
  };
}
