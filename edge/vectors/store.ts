import { OpenAIEmbeddingService, type EmbeddingService } from "../../engine/embeddings/client";
import { checkCollectionName, type VectorStore } from "../../engine/vectors/store";
import { getConfig } from "../config/config";
import type { Env } from "../config/env";

/**
 * The job user's collections: each (user, collection) pair is its own VectorCollection Durable Object, so
 * users never see each other's collections and one collection's writes are serialised.
 */
export function workerVectorStore(env: Env, userId: string): VectorStore {
  const ns = env.VECTORS;
  return {
    collection(name) {
      const key = checkCollectionName(name);
      const stub = () => ns.get(ns.idFromName(`${userId}\n${key}`));
      return {
        getOrCreate: (metadata) => stub().getOrCreate(key, metadata),
        info: () => stub().info(key),
        add: (records, upsert) => stub().add(key, records, upsert),
        get: (options) => stub().get(key, options),
        query: (request) => stub().query(key, request),
      };
    },
  };
}

// One embeddings client per env object (stable for an isolate's lifetime), like the chat service.
const clients = new WeakMap<object, EmbeddingService>();

/** Embeddings through the chat providers' settings (OPENAI_API_KEY, CHAT_PROVIDERS ...). */
export function workerEmbeddings(env: Env): EmbeddingService {
  let client = clients.get(env);
  if (!client) {
    const { chat, embeddingModel } = getConfig(env);
    client = new OpenAIEmbeddingService(chat, embeddingModel ? { defaultModel: embeddingModel } : {});
    clients.set(env, client);
  }
  return client;
}
