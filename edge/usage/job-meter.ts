import type { EngineServices } from "../../engine/registry/types";
import type { ChatCompletionChunk, ChatResult, LanguageModelService } from "../../engine/providers/types";
import type { EngineMessage } from "../../schema/messages";
import { tokensOf, type UsageFigures } from "./record";

/**
 * What one job uses, measured while it runs: node seconds (each node's time from its `running` update to its
 * `completed`/`error` one, summed: parallel nodes count in full), gpu-runner seconds (the wall time of
 * inference calls, waiting for a runner included), and the tokens its LLM calls report.
 */
export class JobMeter {
  private readonly running = new Map<string, number>();
  private nodeMs = 0;
  private runnerMs = 0;
  private tokensIn = 0;
  private tokensOut = 0;

  observe(message: EngineMessage): void {
    if (message.type !== "node_update") return;
    const now = Date.now();
    if (message.status === "running") {
      if (!this.running.has(message.node_id)) this.running.set(message.node_id, now);
      return;
    }
    const started = this.running.get(message.node_id);
    if (started !== undefined) {
      this.nodeMs += now - started;
      this.running.delete(message.node_id);
    }
  }

  private addTokens(usage: unknown): void {
    const t = tokensOf(usage);
    if (!t) return;
    this.tokensIn += t.tokens_in;
    this.tokensOut += t.tokens_out;
  }

  /** The job's services, with LLM and inference calls counted. */
  wrap(services: Partial<EngineServices>): Partial<EngineServices> {
    const out = { ...services };
    const llm = services.llm;
    if (llm) out.llm = this.meterLlm(llm);
    const inference = services.inference;
    if (inference) {
      out.inference = {
        // What the host takes (stored media by URI) is the wrapped service's to say.
        storedMedia: inference.storedMedia,
        infer: async (request, options) => {
          const started = Date.now();
          try {
            return await inference.infer(request, options);
          } finally {
            this.runnerMs += Date.now() - started;
          }
        },
      };
    }
    return out;
  }

  private meterLlm(llm: LanguageModelService): LanguageModelService {
    const meter = this;
    return {
      listModels: (signal) => llm.listModels(signal),
      async chat(request, signal): Promise<ChatResult> {
        const result = await llm.chat(request, signal);
        if (!result.stream && /json/i.test(result.response.headers.get("content-type") ?? "")) {
          // Read from a copy once the caller has the answer; the caller's own read is untouched.
          void result.response
            .clone()
            .json()
            .then((body) => meter.addTokens((body as { usage?: unknown }).usage))
            .catch(() => {});
        }
        return result;
      },
      async *streamChat(request, signal): AsyncGenerator<ChatCompletionChunk> {
        for await (const chunk of llm.streamChat(request, signal)) {
          if (chunk.usage) meter.addTokens(chunk.usage);
          yield chunk;
        }
      },
    };
  }

  figures(): UsageFigures {
    const now = Date.now();
    let nodeMs = this.nodeMs;
    for (const started of this.running.values()) nodeMs += now - started;
    return {
      jobs: 1,
      node_seconds: nodeMs / 1000,
      runner_seconds: this.runnerMs / 1000,
      tokens_in: this.tokensIn,
      tokens_out: this.tokensOut,
    };
  }
}
