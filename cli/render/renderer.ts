import type { Message, Outcome } from "../runner";

/** How a run is shown: the human display or JSON lines. */
export interface Renderer {
  /** The job exists; `label` names what runs (a workflow id, a file, an example). */
  started(jobId: string, label: string): void;
  message(m: Message): void;
  /** Ctrl-C was pressed: the job is being cancelled. */
  interrupted(): void;
  /** The run ended; prints the outputs (human) and the error, if any. */
  finish(outcome: Outcome): Promise<void>;
}

export interface Streams {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  err: NodeJS.WritableStream;
}
