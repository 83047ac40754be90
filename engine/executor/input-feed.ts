/**
 * Items a host pushes into a running job's streaming input nodes (NodeTool's `stream_input` and
 * `end_input_stream` commands). NodeTool keeps the outgoing edges of an input node whose type streams its
 * output (`is_streaming_output`, e.g. `nodetool.input.RealtimeAudioInput`) open after the run's param, and
 * `pushInputValue` / `finishInputStream` hand items to them and end them
 * (NodeTool: packages/kernel/src/runner.ts `_dispatchInputs`, `pushInputValue`, `finishInputStream`).
 *
 * The host creates a feed, passes it in `RunOptions.feed`, and calls `push`/`end` while the run is going;
 * the run binds it when it starts. An input is named by its `name` (the workflow param name) or its node id.
 */

/** Most items a streaming input may hold before its node has handed them on (a bound on what callers queue). */
export const MAX_QUEUED_ITEMS = 10_000;

/** What a run offers its feed. */
export interface FeedTarget {
  push(input: string, value: unknown, handle: string | undefined): void;
  end(input: string, handle: string | undefined): void;
}

export class InputFeed {
  private target: FeedTarget | null = null;
  private finished = false;

  /** Called by the run when it starts and when it ends. */
  bind(target: FeedTarget | null): void {
    this.target = target;
    if (target === null) this.finished = true;
  }

  /** Queues one item on a streaming input; throws with a clear message when that is not possible. */
  push(input: string, value: unknown, handle?: string): void {
    this.live().push(input, value, handle);
  }

  /** Ends a streaming input: nodes reading it see the end of its stream. */
  end(input: string, handle?: string): void {
    this.live().end(input, handle);
  }

  private live(): FeedTarget {
    if (this.target) return this.target;
    throw new Error(this.finished ? "The job has finished; it takes no more input" : "The job has not started running yet; try again shortly");
  }
}

/** The queue of one streaming input node: items in order, then its end. */
export class FeedQueue {
  private readonly items: { handle: string | undefined; value: unknown }[] = [];
  private ended = false;
  private waiter: (() => void) | null = null;

  get isEnded(): boolean {
    return this.ended;
  }

  put(handle: string | undefined, value: unknown): void {
    if (this.ended) throw new Error("this input's stream has ended (end_input_stream was sent)");
    if (this.items.length >= MAX_QUEUED_ITEMS) throw new Error(`this input already holds ${MAX_QUEUED_ITEMS} items not yet handed on`);
    this.items.push({ handle, value });
    this.wake();
  }

  close(): void {
    this.ended = true;
    this.wake();
  }

  /** The next item, or null once the stream ended and is empty. Rejects never: an abort closes the queue. */
  async next(): Promise<{ handle: string | undefined; value: unknown } | null> {
    for (;;) {
      const item = this.items.shift();
      if (item) return item;
      if (this.ended) return null;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

/** No value, or a media reference that points at nothing (a streaming input's unset default). */
export function isEmptyRef(v: unknown): boolean {
  if (v === undefined || v === null || v === "") return true;
  if (typeof v !== "object" || Array.isArray(v)) return false;
  const ref = v as { uri?: unknown; data?: unknown; asset_id?: unknown };
  return "uri" in ref && !ref.uri && !ref.data && !ref.asset_id;
}

/** The planned nodes this module needs to see. */
interface FeedNode {
  index: number;
  node: { id: string };
  decl: { kind: string; isStreamingOutput: boolean };
  base: Record<string, unknown>;
}

/**
 * Opens a queue for every input node whose type streams its output and binds the feed to them, by input name
 * or node id. Returns the queues by node index; aborting the run closes them all.
 */
export function bindFeed(feed: InputFeed, nodes: readonly FeedNode[], signal: AbortSignal): (FeedQueue | undefined)[] {
  const queues: (FeedQueue | undefined)[] = [];
  const byName = new Map<string, FeedQueue[]>();
  for (const p of nodes) {
    if (p.decl.kind !== "input" || !p.decl.isStreamingOutput) continue;
    const queue = (queues[p.index] = new FeedQueue());
    const name = typeof p.base.name === "string" && p.base.name.trim() ? p.base.name.trim() : p.node.id;
    for (const key of new Set([name, p.node.id])) byName.set(key, [...(byName.get(key) ?? []), queue]);
  }
  signal.addEventListener("abort", () => queues.forEach((q) => q?.close()), { once: true });
  const resolve = (input: string): FeedQueue[] => {
    const found = byName.get(input);
    if (found) return found;
    const names = [...byName.keys()].map((k) => `'${k}'`).join(", ") || "none";
    throw new Error(`No streaming input '${input}' in this job's workflow (streaming inputs: ${names})`);
  };
  feed.bind({
    push: (input, value, handle) => resolve(input).forEach((q) => q.put(handle, value)),
    end: (input) => resolve(input).forEach((q) => q.close()),
  });
  return queues;
}
