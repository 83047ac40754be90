import { jsonReplacer } from "../media";
import type { Message, Outcome } from "../runner";
import type { Renderer, Streams } from "./renderer";

/**
 * `--jsonl`: every message of the job as one JSON line on stdout, exactly as the server sends it (bytes as
 * `data:` URIs), and nothing else there. Problems go to stderr; the exit code tells how the job ended.
 */
export class JsonlRenderer implements Renderer {
  constructor(private readonly streams: Streams) {}

  started(): void {}

  message(m: Message): void {
    this.streams.out.write(`${JSON.stringify(m, jsonReplacer)}\n`);
  }

  interrupted(): void {
    this.streams.err.write("Interrupted: cancelling the job...\n");
  }

  async finish(outcome: Outcome): Promise<void> {
    if (outcome.status !== "completed") {
      this.streams.err.write(`Job ${outcome.jobId} ${outcome.status}${outcome.error ? `: ${outcome.error}` : ""}\n`);
    }
  }
}
