export * from "./types";
export { ChatError, redact, sseErrorEvent, type ChatErrorType } from "./errors";
export { resolveModel, listedModelId, NAME_PREFIXES, BUILTIN_PROVIDERS, type Route } from "./routing";
export { ChatService, type ChatServiceOptions } from "./service";
export { openAIChunks, sseEvents } from "./sse";
export { toAnthropicRequest, fromAnthropicMessage, translateAnthropicStream, ANTHROPIC_VERSION, DEFAULT_MAX_TOKENS } from "./anthropic";
export type { FetchFn } from "./openai";
export * from "./tool-calls";
