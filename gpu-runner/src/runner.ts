import type { z } from "zod";
import type { InferRequest, InferResult, InferWireRequest, RunnerHealth, RunnerModelListSchema } from "../../schema/runner";
import { EdgeLink } from "./blobs/edge-link";
import { MediaTransport } from "./blobs/transport";
import type { RunnerConfig } from "./config";
import { RunnerFailure } from "./errors";
import type { Logger } from "./log";
import { activeBatching, type BuiltinModel, ModelStore } from "./models/store";
import { Scheduler, Task } from "./scheduler/scheduler";
import { validateTensorRequest } from "./tensor/meta";
import { WorkerPool } from "./worker/pool";

type RunnerModelList = z.infer<typeof RunnerModelListSchema>;

export interface InferOptions {
  /** Aborts (cancels) the request, e.g. when its HTTP connection closes. */
  signal?: AbortSignal;
  onProgress?: (progress: number, total: number) => void;
}

/**
 * The runner without HTTP: models, the worker pool, the scheduler and the job registry that cancellation
 * goes through. `infer` owns the request it is given: its tensor bytes are transferred to a worker thread.
 */
export class Runner {
  private readonly started = performance.now();
  private readonly store: ModelStore;
  private readonly pool: WorkerPool;
  private readonly scheduler: Scheduler;
  /** Cancel functions of unanswered requests, by job_id. */
  private readonly jobs = new Map<string, Set<(reason: string) => void>>();
  private inFlight = 0;
  private closing = false;
  readonly counters = { completed: 0, failed: 0, cancelled: 0 };
  /** Media by reference: blob inputs fetched from the edge, large outputs stored there (blobs/transport.ts). */
  readonly media: MediaTransport;

  constructor(
    private readonly config: RunnerConfig,
    private readonly log: Logger,
    builtins: Record<string, BuiltinModel>,
  ) {
    this.store = new ModelStore(
      { edgeUrl: config.edgeUrl, token: config.token, cacheDir: config.modelCacheDir, timeoutMs: config.modelFetchTimeoutMs },
      config.batching,
      builtins,
      log,
    );
    const builtinModels = Object.fromEntries(Object.entries(builtins).map(([id, b]) => [id, b.path]));
    const builtinSizes = Object.fromEntries(this.store.all().map((m) => [m.id, m.bytes]));
    this.pool = new WorkerPool(
      config.workers,
      { providers: config.providers, ortLogLevel: config.logLevel === "debug" ? "warning" : "fatal", intraOpThreads: config.intraOpThreads, sessionCacheBytes: config.sessionCacheBytes, builtinModels, builtinSizes, ffmpegPath: config.ffmpegPath },
      log,
      () => this.scheduler.pump(),
    );
    this.scheduler = new Scheduler(this.pool, (id) => this.store.get(id), config.maxQueue, log);
    this.media = new MediaTransport(new EdgeLink(config.edgeUrl, config.token, config.mediaByReference ?? true, log));
  }

  /** Starts the worker threads; resolves once each has chosen its execution provider. */
  start(): Promise<void> {
    // Not awaited: an edge that starts after its runners is found by the re-checks that /health triggers.
    void this.media.link.check();
    return this.pool.start();
  }

  /**
   * A request as it came over the wire: its blob inputs are downloaded first, and its large outputs uploaded
   * after, when it allows that (schema/runner.ts BlobInputSchema, OutputUploadSchema).
   */
  async inferWire(request: InferWireRequest, options: InferOptions = {}): Promise<InferResult> {
    if (this.closing) throw RunnerFailure.overloaded("the runner is shutting down");
    const signal = options.signal ?? new AbortController().signal;
    const plain = await this.media.materialize(request, signal);
    const result = await this.infer(plain, options);
    return this.media.store(plain, result, signal);
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const cancels of this.jobs.values()) for (const cancel of cancels) cancel("the runner is shutting down");
    await this.pool.close();
  }

  infer(request: InferRequest, options: InferOptions = {}): Promise<InferResult> {
    if (this.closing) return Promise.reject(RunnerFailure.overloaded("the runner is shutting down"));
    this.inFlight++;
    let task: Task | undefined;
    let settled = false;
    let cancel!: (reason: string) => void;
    const jobId = request.job_id;

    const result = new Promise<InferResult>((resolve, reject) => {
      const settle = (outcome: { result: InferResult } | { error: RunnerFailure }) => {
        if (settled) return;
        settled = true;
        this.inFlight--;
        if (jobId) this.jobs.get(jobId)?.delete(cancel);
        if (jobId && this.jobs.get(jobId)?.size === 0) this.jobs.delete(jobId);
        if ("result" in outcome) {
          this.counters.completed++;
          resolve(outcome.result);
        } else {
          if (outcome.error.code === "cancelled") this.counters.cancelled++;
          else this.counters.failed++;
          reject(outcome.error);
        }
      };
      cancel = (reason) => {
        if (task) this.scheduler.cancel(task, reason);
        else settle({ error: RunnerFailure.cancelled(reason) });
      };
      // Registered before anything can settle the request: a kernel request may be refused synchronously.
      if (jobId) {
        const set = this.jobs.get(jobId) ?? new Set();
        set.add(cancel);
        this.jobs.set(jobId, set);
      }
      if (options.signal?.aborted) return cancel("the request was aborted");
      options.signal?.addEventListener("abort", () => cancel("the client closed the connection"), { once: true });
      this.enqueue(request, options, settle, (t) => (task = t), () => settled).catch((err: unknown) =>
        settle({ error: err instanceof RunnerFailure ? err : RunnerFailure.internal(String(err)) }),
      );
    });
    return result;
  }

  /** Resolves the model (fetching it if needed), checks the inputs when the signature is known, and queues the task. */
  private async enqueue(
    request: InferRequest,
    options: InferOptions,
    settle: (outcome: { result: InferResult } | { error: RunnerFailure }) => void,
    created: (task: Task) => void,
    isSettled: () => boolean,
  ): Promise<void> {
    const onProgress = options.onProgress ?? (() => undefined);
    let task: Task;
    if (request.kernel === "tensor") {
      const model = await this.store.resolveUploaded(request.model);
      if (model.loadFailure) throw model.loadFailure;
      if (model.meta) validateTensorRequest(model.meta, request.inputs, request.outputs);
      task = new Task(model.id, request, model, [], onProgress, settle);
    } else {
      const uses = this.store.all().filter((m) => m.kind === "builtin" && m.kernel === request.kernel).map((m) => m.id);
      task = new Task(request.kernel, request, undefined, uses, onProgress, settle);
    }
    // A cancel that came while the model was being fetched has settled the request already.
    if (isSettled()) return;
    created(task);
    this.scheduler.submit(task);
  }

  /** Cancels every unanswered request carrying `jobId`; returns how many. */
  cancelJob(jobId: string): number {
    const cancels = [...(this.jobs.get(jobId) ?? [])];
    for (const cancel of cancels) cancel(`job ${jobId} was cancelled`);
    if (cancels.length) this.log.info("job_cancelled", { job_id: jobId, requests: cancels.length });
    return cancels.length;
  }

  private holders(): Map<string, number> {
    const count = new Map<string, number>();
    for (const w of this.pool.workers()) for (const id of w.loaded) count.set(id, (count.get(id) ?? 0) + 1);
    return count;
  }

  health(): RunnerHealth {
    return {
      status: "ok",
      execution_provider: this.pool.provider,
      requested_providers: this.config.providers,
      worker_threads: this.pool.workers().length,
      busy_workers: this.pool.busyCount(),
      in_flight: this.inFlight,
      queue: this.scheduler.queueDepths(),
      loaded_models: [...this.holders()].map(([id, workers]) => {
        const entry = this.store.get(id);
        return { id, name: entry?.name ?? id, bytes: entry?.bytes ?? 0, workers };
      }),
      uptime_seconds: Math.round((performance.now() - this.started) / 100) / 10,
      stats: { ...this.counters, ...this.scheduler.stats },
      media: this.media.health(),
    };
  }

  models(): RunnerModelList {
    const holders = this.holders();
    const known = this.store.all().map((m) => ({
      id: m.id,
      kind: m.kind,
      kernel: m.kernel,
      loaded: holders.has(m.id),
      ...(m.meta ? { inputs: m.meta.inputs, outputs: m.meta.outputs } : {}),
      // Before a worker has read the signature, the configured settings are what batching will use.
      batching: m.kind !== "uploaded" ? null : m.meta ? activeBatching(m) : m.batching,
    }));
    const cached = this.store.cachedIds().map((id) => ({ id, kind: "uploaded" as const, kernel: "tensor", loaded: false, batching: this.store.batchingForId(id) }));
    return { object: "list", data: [...known, ...cached] };
  }
}

