import { OpenAIEmbeddingService } from "../engine/embeddings/client";
import type { ChatSettings } from "../engine/providers/types";
import type { EngineServices } from "../engine/registry/types";
import { MemoryVectorStore } from "../engine/vectors/memory-store";
import { nodeCodeSandbox } from "./code-sandbox";

/**
 * The code sandbox, vector collections and embeddings of a local run: QuickJS from node_modules, collections
 * in memory for the run (the Worker keeps them in Durable Objects), and embeddings through the same provider
 * settings as the LLM nodes, with EMBEDDING_MODEL as the default model.
 */
export function localCodeAndVectors(settings: ChatSettings, model: string | undefined): Pick<EngineServices, "code" | "vectors" | "embeddings"> {
  return {
    code: nodeCodeSandbox(),
    vectors: new MemoryVectorStore(),
    embeddings: new OpenAIEmbeddingService(settings, model ? { defaultModel: model } : {}),
  };
}
