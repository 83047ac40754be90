import type { InferRequest, InferResult } from "../../../schema/runner";
import { RunnerFailure } from "../errors";
import type { Logger } from "../log";
import { activeBatching, type ModelEntry } from "../models/store";
import { batchKey, batchRows, validateTensorRequest } from "../tensor/meta";
import { buffersOf } from "../tensor/convert";
import type { PoolWorker, WorkerPool } from "../worker/pool";
import type { FromWorker, ItemOutcome, TensorItem, ToWorker } from "../worker/protocol";

type DoneMessage = Extract<FromWorker, { type: "done" }>;
type TensorRequest = Extract<InferRequest, { kernel: "tensor" }>;
type KernelRequest = Exclude<InferRequest, { kernel: "tensor" }>;

/** A request the scheduler holds from `submit` until it settles (result, failure or cancellation). */
export class Task {
  state: "queued" | "running" | "settled" = "queued";
  /** When it was queued: the queue whose head waited longest goes first, and the batching wait counts from here. */
  readonly enqueuedAt = performance.now();
  /** Int32Array(1) the worker reads: 1 = cancelled. */
  readonly cancelFlag = new SharedArrayBuffer(4);
  /** Tensor requests: rows along the batch axis and the key of requests it can share a run with. */
  rows: number | null = null;
  batchKey: string | null = null;

  constructor(
    /** The queue it waits in: the model id of a tensor request, the kernel name of a kernel request. */
    readonly queueKey: string,
    readonly request: InferRequest,
    /** The uploaded model of a tensor request; builtin models of kernels are resolved in the worker. */
    readonly model: ModelEntry | undefined,
    /** Builtin models a kernel request uses: a worker holding them is preferred. */
    readonly wantsModels: readonly string[],
    readonly onProgress: (progress: number, total: number) => void,
    private readonly onSettle: (outcome: { result: InferResult } | { error: RunnerFailure }) => void,
  ) {}

  settle(outcome: { result: InferResult } | { error: RunnerFailure }) {
    if (this.state === "settled") return;
    this.state = "settled";
    this.onSettle(outcome);
  }
}

export interface SchedulerStats {
  /** Runs on a worker (a batch counts once). */
  runs: number;
  /** Runs that carried more than one request, and the requests they carried. */
  batches: number;
  batched_requests: number;
  largest_batch: number;
}

/**
 * Per-queue FIFO dispatch onto the worker pool, with dynamic batching. Whenever a worker is free, the queue
 * whose head waited longest goes first, onto a free worker that already holds its model if there is one.
 * For a batchable model the head takes the queued requests with its batch key (up to max_batch_size rows).
 * It waits (at most max_wait_ms after the head arrived) for more only while another run of the same model is
 * going on another worker: a lone request never waits, and with one worker batches form from what queued
 * while the worker was busy.
 */
export class Scheduler {
  private readonly queues = new Map<string, Task[]>();
  /** Running tasks per queue key (a batch counts once per request). */
  private readonly running = new Map<string, number>();

  private waitTimer: NodeJS.Timeout | undefined;
  private waitUntil = Infinity;
  readonly stats: SchedulerStats = { runs: 0, batches: 0, batched_requests: 0, largest_batch: 0 };

  constructor(
    private readonly pool: WorkerPool,
    /** The entry of a model id, to record signatures workers report. */
    private readonly modelById: (id: string) => ModelEntry | undefined,
    private readonly maxQueue: number,
    private readonly log: Logger,
  ) {}

  /** Queue depth per queue key, only queues with requests waiting. */
  queueDepths(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, queue] of this.queues) if (queue.length) out[key] = queue.length;
    return out;
  }

  submit(task: Task): void {
    const queue = this.queues.get(task.queueKey) ?? [];
    if (queue.length >= this.maxQueue) {
      task.settle({ error: RunnerFailure.overloaded(`${queue.length} requests are waiting for '${task.queueKey}'; try again later or on another runner`) });
      return;
    }
    if (task.model) this.keyForBatching(task, task.model);
    queue.push(task);
    this.queues.set(task.queueKey, queue);
    this.pump();
  }

  /** Cancels a task: out of its queue at once if waiting; if running, flagged for its worker and answered now. */
  cancel(task: Task, reason: string): void {
    if (task.state === "settled") return;
    if (task.state === "queued") {
      const queue = this.queues.get(task.queueKey);
      const at = queue?.indexOf(task) ?? -1;
      if (queue && at >= 0) queue.splice(at, 1);
    } else {
      // A kernel stops at its next checkCancelled; a session.run finishes and its result is dropped.
      Atomics.store(new Int32Array(task.cancelFlag), 0, 1);
    }
    task.settle({ error: RunnerFailure.cancelled(reason) });
  }

  /** A worker loaded a model and reported its signature: requests queued before it was known are checked now. */
  signatureKnown(model: ModelEntry): void {
    const queue = this.queues.get(model.id);
    if (!queue || !model.meta) return;
    for (const task of [...queue]) {
      try {
        validateTensorRequest(model.meta, (task.request as TensorRequest).inputs, (task.request as TensorRequest).outputs);
        this.keyForBatching(task, model);
      } catch (err) {
        queue.splice(queue.indexOf(task), 1);
        task.settle({ error: err as RunnerFailure });
      }
    }
  }

  private keyForBatching(task: Task, model: ModelEntry) {
    const request = task.request as TensorRequest;
    task.rows = batchRows(request.inputs);
    task.batchKey = activeBatching(model) && task.rows !== null ? batchKey(request.inputs, request.outputs) : null;
  }

  /** Starts as much queued work as there are free workers. Called on every submit and whenever a worker frees. */
  pump = (): void => {
    const now = performance.now();
    let nextWake = Infinity;
    for (;;) {
      const idle = this.pool.idle();
      if (idle.length === 0) break;
      const heads = [...this.queues.entries()].filter(([, q]) => q.length > 0).sort(([, a], [, b]) => a[0].enqueuedAt - b[0].enqueuedAt);
      let started = false;
      for (const [key, queue] of heads) {
        const plan = this.planRun(key, queue, now);
        if ("waitUntil" in plan) {
          nextWake = Math.min(nextWake, plan.waitUntil);
          continue;
        }
        this.start(this.pickWorker(idle, plan.tasks[0]), key, plan.tasks);
        started = true;
        break;
      }
      if (!started) break;
    }
    this.wakeAt(nextWake);
  };

  private planRun(key: string, queue: Task[], now: number): { tasks: Task[] } | { waitUntil: number } {
    const head = queue[0];
    const batching = head.model ? activeBatching(head.model) : null;
    if (!batching || head.batchKey === null || head.rows === null) return { tasks: [queue.shift()!] };
    const tasks = [head];
    let rows = head.rows;
    for (let i = 1; i < queue.length && rows < batching.max_batch_size; i++) {
      const t = queue[i];
      if (t.batchKey !== head.batchKey) continue;
      if (rows + t.rows! > batching.max_batch_size) break;
      tasks.push(t);
      rows += t.rows!;
    }
    const deadline = head.enqueuedAt + batching.max_wait_ms;
    if (rows < batching.max_batch_size && (this.running.get(key) ?? 0) > 0 && now < deadline) return { waitUntil: deadline };
    for (const t of tasks) queue.splice(queue.indexOf(t), 1);
    return { tasks };
  }

  /** A free worker that already holds what the task needs, else the first free one. */
  private pickWorker(idle: PoolWorker[], task: Task): PoolWorker {
    const needs = task.model ? [task.model.id] : task.wantsModels;
    return idle.find((w) => needs.length > 0 && needs.every((id) => w.loaded.has(id))) ?? idle[0];
  }

  private wakeAt(when: number) {
    if (when === Infinity || when >= this.waitUntil) return;
    clearTimeout(this.waitTimer);
    this.waitUntil = when;
    this.waitTimer = setTimeout(
      () => {
        this.waitUntil = Infinity;
        this.pump();
      },
      Math.max(0, when - performance.now()),
    );
  }

  private start(worker: PoolWorker, key: string, tasks: Task[]) {
    for (const t of tasks) t.state = "running";
    this.running.set(key, (this.running.get(key) ?? 0) + tasks.length);
    this.stats.runs++;
    if (tasks.length > 1) {
      this.stats.batches++;
      this.stats.batched_requests += tasks.length;
      this.stats.largest_batch = Math.max(this.stats.largest_batch, tasks.length);
    }
    const finish = () => this.running.set(key, (this.running.get(key) ?? 0) - tasks.length);
    const callbacks = {
      onProgress: (progress: number, total: number) => {
        if (tasks[0].state === "running") tasks[0].onProgress(progress, total);
      },
      onDone: (message: DoneMessage) => {
        finish();
        this.absorbWorkerReport(tasks, message);
        message.outcomes.forEach((outcome: ItemOutcome, i) => {
          tasks[i].settle(outcome.ok ? { result: outcome.result } : { error: RunnerFailure.fromWire(outcome.error) });
        });
      },
      onCrash: (reason: string) => {
        finish();
        for (const t of tasks) t.settle({ error: RunnerFailure.internal(`inference failed: ${reason}`) });
      },
    };
    const first = tasks[0];
    if (first.model) {
      const request = first.request as TensorRequest;
      const items: TensorItem[] = tasks.map((t) => ({ inputs: (t.request as TensorRequest).inputs, rows: t.rows ?? 0, cancelFlag: t.cancelFlag }));
      const model = { id: first.model.id, path: first.model.path, bytes: first.model.bytes };
      const transfer = buffersOf(items.flatMap((item) => Object.values(item.inputs)));
      this.pool.run(worker, (taskId): ToWorker => ({ type: "tensor", taskId, model, items, outputs: request.outputs }), transfer, callbacks);
    } else {
      const request = first.request as KernelRequest;
      const payloads = request.kernel === "ocr" ? [request.image] : request.kernel === "vad" || request.kernel === "asr" ? [request.audio] : request.kernel === "image" ? request.images : request.media;
      // Several payloads may be views into one decoded body: each buffer is listed once.
      const transfer = [...new Set(payloads.map((b) => b.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))];
      this.pool.run(worker, (taskId): ToWorker => ({ type: "kernel", taskId, kernel: request.kernel, request, cancelFlag: first.cancelFlag }), transfer, callbacks);
    }
  }

  /**
   * What a worker learnt updates what the scheduler knows: signatures of models it loaded (queued requests
   * are checked against them), a batch that would not split (batching off for that model), and a model
   * onnxruntime cannot load (its queued requests fail now, later ones before reaching a worker).
   */
  private absorbWorkerReport(tasks: Task[], message: DoneMessage) {
    for (const { id, meta } of message.metas) {
      const entry = this.modelById(id);
      if (entry && !entry.meta) {
        entry.meta = meta;
        this.signatureKnown(entry);
      }
    }
    const model = tasks[0].model;
    if (!model) return;
    if (message.unbatchable && !model.unbatchable) {
      model.unbatchable = message.unbatchable;
      this.log.warn("batching_disabled", { model: model.name, id: model.id, reason: message.unbatchable });
      for (const t of this.queues.get(model.id) ?? []) t.batchKey = null;
    }
    const failed = message.outcomes.find((o) => !o.ok && o.error.code === "model_unavailable");
    if (failed && !failed.ok && !model.loadFailure) {
      model.loadFailure = RunnerFailure.fromWire(failed.error);
      this.log.warn("model_load_failed", { model: model.name, id: model.id, error: failed.error.message });
      const queue = this.queues.get(model.id) ?? [];
      for (const t of queue.splice(0)) t.settle({ error: model.loadFailure });
    }
  }
}
