/**
 * Per-node inbox with one FIFO per input handle (DESIGN.md section 7). Items keep their arrival order across
 * handles for `on_any`; a handle ends when every edge feeding it has ended. Reads that find data return it
 * synchronously: the executor only awaits when a node really has to wait, which keeps an activation cheap.
 */
class Fifo {
  private items: unknown[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(v: unknown): void {
    this.items.push(v);
  }
  shift(): unknown {
    const v = this.items[this.head];
    this.items[this.head++] = undefined;
    // Compact now and then so a long stream does not keep every consumed slot alive.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }
}

interface HandleState {
  queue: Fifo;
  open: number;
  /** For list-collecting handles (several edges into one list property): values gathered until all end. */
  collected?: unknown[];
}

export const EMPTY = Symbol("empty");

export class Inbox {
  private readonly handles = new Map<string, HandleState>();
  /** Arrival order: a handle name, or a list of handle names that arrived together (one producer step). */
  private readonly arrivals = new Fifo();
  private detached = false;
  private openHandles = 0;
  private waiters: (() => void)[] = [];
  private aborted = false;

  /** Declares a connected handle with the number of edges feeding it. */
  addHandle(handle: string, sources: number, collect: boolean): void {
    this.handles.set(handle, { queue: new Fifo(), open: sources, collected: collect ? [] : undefined });
    this.openHandles++;
  }

  handleNames(): string[] {
    return [...this.handles.keys()];
  }

  get hasHandles(): boolean {
    return this.handles.size > 0;
  }

  push(handle: string, value: unknown): void {
    if (this.enqueue(handle, value)) {
      this.arrivals.push(handle);
      this.notify();
    }
  }

  /** Several handles filled by one producer step (ForEach's `output` and `index`): one arrival for on_any. */
  pushTogether(items: [string, unknown][]): void {
    const handles: string[] = [];
    for (const [handle, value] of items) if (this.enqueue(handle, value)) handles.push(handle);
    if (handles.length === 0) return;
    this.arrivals.push(handles.length === 1 ? handles[0] : handles);
    this.notify();
  }

  /** The consumer finished: whatever still arrives is dropped instead of buffered for nobody. */
  detach(): void {
    this.detached = true;
    this.handles.clear();
  }

  private enqueue(handle: string, value: unknown): boolean {
    if (this.detached) return false;
    const h = this.handles.get(handle);
    if (!h) return false;
    if (h.collected) {
      if (Array.isArray(value)) h.collected.push(...value);
      else h.collected.push(value);
      return false;
    }
    h.queue.push(value);
    return true;
  }

  /** One feeding edge ended. */
  close(handle: string): void {
    if (this.detached) return;
    const h = this.handles.get(handle);
    if (!h || h.open === 0) return;
    h.open--;
    if (h.open === 0) {
      if (h.collected) {
        h.queue.push(h.collected);
        this.arrivals.push(handle);
        h.collected = undefined;
      }
      this.openHandles--;
    }
    this.notify();
  }

  abort(): void {
    this.aborted = true;
    this.notify();
  }

  isOpen(handle: string): boolean {
    return (this.handles.get(handle)?.open ?? 0) > 0;
  }

  buffered(handle: string): number {
    return this.handles.get(handle)?.queue.size ?? 0;
  }

  get allClosed(): boolean {
    return this.openHandles === 0;
  }

  private notify(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private wait(): Promise<void> {
    if (this.aborted) return Promise.reject(abortError());
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
    });
  }

  private checkAborted(): void {
    if (this.aborted) throw abortError();
  }

  /** The next arrival if one is buffered (no await), null when all ended and drained, undefined when none yet. */
  takeAny(): [string, unknown][] | null | undefined {
    this.checkAborted();
    while (this.arrivals.size > 0) {
      const entry = this.arrivals.shift() as string | string[];
      if (typeof entry === "string") {
        const h = this.handles.get(entry);
        if (h && h.queue.size > 0) return [[entry, h.queue.shift()]];
        continue;
      }
      const out: [string, unknown][] = [];
      for (const handle of entry) {
        const h = this.handles.get(handle);
        if (h && h.queue.size > 0) out.push([handle, h.queue.shift()]);
      }
      if (out.length > 0) return out;
    }
    return this.openHandles === 0 ? null : undefined;
  }

  /** Resolves when something arrives or a handle ends (rejects when the run is aborted). */
  waitForArrival(): Promise<void> {
    return this.wait();
  }

  /**
   * The next arrival as `[handle, item]` pairs (several when one producer step filled several handles), or
   * null when every handle ended and nothing is left.
   */
  async nextAny(): Promise<[string, unknown][] | null> {
    for (;;) {
      this.checkAborted();
      while (this.arrivals.size > 0) {
        const entry = this.arrivals.shift() as string | string[];
        const out: [string, unknown][] = [];
        for (const handle of typeof entry === "string" ? [entry] : entry) {
          const h = this.handles.get(handle);
          // Items already taken through nextOf() leave stale arrival entries behind; skip them.
          if (h && h.queue.size > 0) out.push([handle, h.queue.shift()]);
        }
        if (out.length > 0) return out;
      }
      if (this.openHandles === 0) return null;
      await this.wait();
    }
  }

  /** The next item on one handle, or EMPTY when that handle ended and is drained. */
  async nextOf(handle: string): Promise<unknown> {
    const h = this.handles.get(handle);
    if (!h) return EMPTY;
    for (;;) {
      this.checkAborted();
      if (h.queue.size > 0) return h.queue.shift();
      if (h.open === 0) return EMPTY;
      await this.wait();
    }
  }
}

export function abortError(): Error {
  const err = new Error("The job was cancelled");
  err.name = "AbortError";
  return err;
}
