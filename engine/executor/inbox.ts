/**
 * Per-node inbox with one FIFO per input handle (docs/architecture.md#7-execution-model). Items keep their arrival order across
 * handles for `on_any`; a handle ends when every edge feeding it has ended. Reads that find data return it
 * synchronously: the executor only awaits when a node really has to wait, which keeps an activation cheap.
 *
 * Handles are numbered by their position in PlannedNode.handles (a "slot"): a run creates one inbox per node,
 * so the inbox keeps plain arrays rather than maps keyed by handle name.
 */
import type { IncomingHandle } from "./plan";

class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(v: T): void {
    this.items.push(v);
  }
  shift(): T {
    const v = this.items[this.head] as T;
    this.items[this.head++] = undefined;
    // Compact now and then so a long stream does not keep every consumed slot alive.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }
}

/** The queue of one handle, with what is known about its feeding edges. */
class HandleQueue extends Fifo<unknown> {
  constructor(
    /** Edges feeding the handle that have not ended yet. */
    public open: number,
    /** For list-collecting handles (several edges into one list property): values gathered until all end. */
    public collected: unknown[] | undefined,
  ) {
    super();
  }
}

/** What a detached inbox keeps: no handles. */
const NO_HANDLES: readonly HandleQueue[] = [];

/** One arrival: a slot, or the slots one producer step filled together. */
export type Arrival = number | number[];

export const EMPTY = Symbol("empty");

export class Inbox {
  private handles: readonly HandleQueue[];
  /** Arrival order, for on_any. */
  private readonly arrivals = new Fifo<Arrival>();
  private detached = false;
  private openHandles: number;
  /** Resolves every pending wait() at once: what arrived may concern any of them. */
  private wake: (() => void) | undefined;
  private wakeup: Promise<void> | undefined;
  private aborted = false;

  /** One queue per connected handle of the node, in slot order. */
  constructor(handles: readonly IncomingHandle[]) {
    this.handles = handles.map((h) => new HandleQueue(h.sources.length, h.collect ? [] : undefined));
    this.openHandles = handles.length;
  }

  get hasHandles(): boolean {
    return this.handles.length > 0;
  }

  push(slot: number, value: unknown): void {
    if (this.enqueue(slot, value)) {
      this.arrivals.push(slot);
      this.notify();
    }
  }

  /** Several handles filled by one producer step (ForEach's `output` and `index`): one arrival for on_any. */
  pushTogether(items: [number, unknown][]): void {
    const slots: number[] = [];
    for (const [slot, value] of items) if (this.enqueue(slot, value)) slots.push(slot);
    if (slots.length === 0) return;
    this.arrivals.push(slots.length === 1 ? slots[0] : slots);
    this.notify();
  }

  /** The consumer finished: whatever still arrives is dropped instead of buffered for nobody. */
  detach(): void {
    this.detached = true;
    this.handles = NO_HANDLES;
  }

  private enqueue(slot: number, value: unknown): boolean {
    if (this.detached) return false;
    const h = this.handles[slot];
    if (!h) return false;
    if (h.collected) {
      if (Array.isArray(value)) h.collected.push(...value);
      else h.collected.push(value);
      return false;
    }
    h.push(value);
    return true;
  }

  /** One feeding edge ended. */
  close(slot: number): void {
    if (this.detached) return;
    const h = this.handles[slot];
    if (!h || h.open === 0) return;
    h.open--;
    if (h.open === 0) {
      if (h.collected) {
        h.push(h.collected);
        this.arrivals.push(slot);
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

  isOpen(slot: number): boolean {
    return (this.handles[slot]?.open ?? 0) > 0;
  }

  buffered(slot: number): number {
    return this.handles[slot]?.size ?? 0;
  }

  /** Removes and returns the oldest buffered item of a slot; only call when `buffered(slot) > 0`. */
  take(slot: number): unknown {
    return this.handles[slot].shift();
  }

  get allClosed(): boolean {
    return this.openHandles === 0;
  }

  private notify(): void {
    const wake = this.wake;
    if (wake === undefined) return;
    this.wake = this.wakeup = undefined;
    wake();
  }

  private wait(): Promise<void> {
    if (this.aborted) return Promise.reject(abortError());
    this.wakeup ??= new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    return this.wakeup;
  }

  private checkAborted(): void {
    if (this.aborted) throw abortError();
  }

  /**
   * The next arrival that still has an item buffered (no await), null when all ended and drained, undefined
   * when none yet. The caller takes the items with take() for each slot that has `buffered(slot) > 0`.
   */
  takeArrival(): Arrival | null | undefined {
    this.checkAborted();
    while (this.arrivals.size > 0) {
      const entry = this.arrivals.shift();
      // Items already taken through nextOf() leave stale arrival entries behind; skip them.
      if (typeof entry === "number") {
        if (this.buffered(entry) > 0) return entry;
      } else if (entry.some((slot) => this.buffered(slot) > 0)) {
        return entry;
      }
    }
    return this.openHandles === 0 ? null : undefined;
  }

  /** Resolves when something arrives or a handle ends (rejects when the run is aborted). */
  waitForArrival(): Promise<void> {
    return this.wait();
  }

  /**
   * The next arrival as `[slot, item]` pairs (several when one producer step filled several handles), or
   * null when every handle ended and nothing is left.
   */
  async nextAny(): Promise<[number, unknown][] | null> {
    for (;;) {
      const arrival = this.takeArrival();
      if (arrival === null) return null;
      if (arrival !== undefined) return this.takeAll(arrival);
      await this.wait();
    }
  }

  /** Takes the buffered item of every slot of an arrival. */
  takeAll(arrival: Arrival): [number, unknown][] {
    if (typeof arrival === "number") return [[arrival, this.take(arrival)]];
    const out: [number, unknown][] = [];
    for (const slot of arrival) if (this.buffered(slot) > 0) out.push([slot, this.take(slot)]);
    return out;
  }

  /** The next item on one slot, or EMPTY when that handle ended and is drained. */
  async nextOf(slot: number): Promise<unknown> {
    const h = this.handles[slot];
    if (!h) return EMPTY;
    for (;;) {
      this.checkAborted();
      if (h.size > 0) return h.shift();
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
