import { runWorkflow } from "../../engine/executor/run-workflow";
import { ChatService } from "../../engine/providers/service";
import type { ChatSettings } from "../../engine/providers/types";
import type { EngineServices } from "../../engine/registry/types";
import type { EngineMessage } from "../../schema/messages";
import type { Graph } from "../../schema/workflow";
import { ANTHROPIC_KEY, OPENAI_KEY, startAnthropicUpstream, startOpenAIUpstream, type Received, type Upstream } from "../e2e/chat-upstreams";
import { registry } from "./helpers";

/** The loopback upstreams and the provider layer over them, as the Worker builds it. */
export interface Upstreams {
  openai: Awaited<ReturnType<typeof startOpenAIUpstream>>;
  anthropic: Upstream;
  llm: ChatService;
  close(): Promise<void>;
}

export async function startUpstreams(): Promise<Upstreams> {
  const openai = await startOpenAIUpstream();
  const anthropic = await startAnthropicUpstream();
  const settings: ChatSettings = {
    providers: [
      { name: "openai", kind: "openai", baseUrl: `${openai.url}/v1`, apiKey: OPENAI_KEY },
      { name: "anthropic", kind: "anthropic", baseUrl: anthropic.url, apiKey: ANTHROPIC_KEY },
    ],
    aliases: {},
    problems: [],
  };
  return {
    openai,
    anthropic,
    llm: new ChatService(settings, { log: () => {} }),
    close: async () => {
      await openai.close();
      await anthropic.close();
    },
  };
}

export const model = (provider: string, id: string) => ({ type: "language_model", provider, id, name: id });

export async function runGraph(g: Graph, services: Partial<EngineServices>, params: Record<string, unknown> = {}) {
  const messages: EngineMessage[] = [];
  const result = await runWorkflow(g, params, { registry, services, emit: (m) => messages.push(m) });
  return { ...result, messages };
}

export const outputsOf = (messages: EngineMessage[], output: string) =>
  messages.filter((m): m is Extract<EngineMessage, { type: "output_update" }> => m.type === "output_update" && m.output_name === output).map((m) => m.value);

export const logsOf = (messages: EngineMessage[]) =>
  messages.filter((m): m is Extract<EngineMessage, { type: "log_update" }> => m.type === "log_update").map((m) => m.content);

/** The requests a scripted model received. */
export function requestsFor(upstream: Upstream, model: string): Received[] {
  return upstream.completions().filter((r) => r.body?.model === model);
}
