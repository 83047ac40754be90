// The chat settings are parsed by the Worker's own parser, so that the CLI reads OPENAI_API_KEY,
// CHAT_PROVIDERS, CHAT_DEFAULT_MODEL ... exactly as a deployment does. It is a pure function of an env-like
// object (no Workers API); it lives in edge/chat today.
import { parseChatSettings } from "../edge/chat/config";
import type { Env } from "../edge/config/env";
import { MemoryBlobStore } from "../engine/media/memory-blob-store";
import { ChatService } from "../engine/providers/service";
import type { EngineServices } from "../engine/registry/types";

export interface LocalServices {
  services: Partial<EngineServices>;
  /** Reads an `asset://` URI a local run produced (they live in memory until the process ends). */
  readAsset(uri: string): Promise<Uint8Array>;
}

/** What an in-process run gets instead of the Worker's bindings: chat providers from the environment, media in memory. */
export function localServices(env: NodeJS.ProcessEnv): LocalServices {
  // Invalid settings travel inside the service: an LLM node then fails saying which setting to fix.
  const { warnings: _warnings, ...settings } = parseChatSettings(env as unknown as Env);
  const blobs = new MemoryBlobStore();
  return {
    services: { llm: new ChatService(settings, { log: () => {} }), blobs },
    readAsset: async (uri) => (await blobs.read(uri)).bytes,
  };
}
