import { Worker } from "node:worker_threads";
import type { ExecutionProvider } from "../config";
import type { Logger } from "../log";
import type { FromWorker, ToWorker, WorkerSettings } from "./protocol";

type DoneMessage = Extract<FromWorker, { type: "done" }>;

/** What the pool calls back with for a task it runs. */
export interface TaskCallbacks {
  onProgress(progress: number, total: number): void;
  onDone(message: DoneMessage): void;
  /** The worker died under the task (it is replaced); every request of the task failed. */
  onCrash(reason: string): void;
}

export interface PoolWorker {
  readonly id: number;
  busy: boolean;
  /** Model ids this worker holds sessions for, as its last `done` reported them. */
  loaded: Set<string>;
}

interface WorkerSlot extends PoolWorker {
  thread: Worker;
  task?: { taskId: number; callbacks: TaskCallbacks };
}

const BOOTSTRAP = new URL("./bootstrap.mjs", import.meta.url);

/**
 * Worker threads that run inference, one task at a time each. The pool knows which worker is busy and what
 * each holds; the scheduler decides what runs where. A worker that dies is replaced and its task failed.
 */
export class WorkerPool {
  private readonly slots: WorkerSlot[] = [];
  private nextTaskId = 1;
  private closing = false;
  /** The provider sessions are created with, from the first worker that started. */
  provider: ExecutionProvider = "cpu";
  private warnedFallback = false;
  /** What the first worker's probe settled on; later and replacement workers start with it. */
  private chosenProviders: ExecutionProvider[] | undefined;

  constructor(
    private readonly size: number,
    private readonly settings: Omit<WorkerSettings, "workerId">,
    private readonly log: Logger,
    /** Called whenever a worker becomes free (after a task, or once started), so queued work can go. */
    private readonly onFree: () => void,
  ) {}

  /**
   * The first worker probes the requested providers; the others start with what it chose, so a missing
   * CUDA is tried (and warned about) once, not once per worker.
   */
  async start(): Promise<void> {
    await this.spawn(0);
    await Promise.all(Array.from({ length: this.size - 1 }, (_, i) => this.spawn(i + 1)));
  }

  workers(): readonly PoolWorker[] {
    return this.slots;
  }

  idle(): PoolWorker[] {
    return this.slots.filter((s) => !s.busy);
  }

  busyCount(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  /** Sends a task to an idle worker; `transfer` moves the listed buffers to it. Returns the task id. */
  run(worker: PoolWorker, build: (taskId: number) => ToWorker, transfer: ArrayBuffer[], callbacks: TaskCallbacks): number {
    const slot = this.slots[worker.id];
    if (slot.busy) throw new Error(`worker ${worker.id} is busy`);
    const taskId = this.nextTaskId++;
    slot.busy = true;
    slot.task = { taskId, callbacks };
    slot.thread.postMessage(build(taskId), transfer);
    return taskId;
  }

  /**
   * Asks each worker to finish its task and exit. Terminating a thread while onnxruntime is inside a run
   * aborts the whole process, so workers are never terminated from here: a stuck one is left to the
   * process exit (main.ts gives up after a few seconds).
   */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.thread.once("exit", () => resolve());
            s.thread.postMessage({ type: "stop" } satisfies ToWorker);
          }),
      ),
    );
  }

  private spawn(id: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const thread = new Worker(BOOTSTRAP, {
        // The bootstrap registers tsx itself; inheriting `--import tsx` or vitest's flags would only add a second loader.
        execArgv: [],
        workerData: { ...this.settings, providers: this.chosenProviders ?? this.settings.providers, workerId: id } satisfies WorkerSettings,
      });
      const slot: WorkerSlot = { id, busy: true, loaded: new Set(), thread };
      this.slots[id] = slot;
      let started = false;
      thread.on("message", (message: FromWorker) => {
        if (message.type === "ready") {
          started = true;
          this.onReady(id, message.providers, message.fallbackReason);
          slot.busy = false;
          resolve();
          this.onFree();
        } else this.onMessage(slot, message);
      });
      thread.on("error", (err) => this.log.error("worker_error", { worker: id, error: err.stack ?? err.message }));
      thread.on("exit", (code) => {
        if (this.closing) return;
        if (!started) return reject(new Error(`worker ${id} exited with code ${code} before it was ready`));
        this.log.error("worker_exited", { worker: id, code });
        const task = slot.task;
        slot.task = undefined;
        task?.callbacks.onCrash(`the worker running it exited with code ${code}`);
        // Replace it so the pool keeps its size; queued work continues once the new one is ready.
        this.spawn(id).catch((err) => this.log.error("worker_respawn_failed", { worker: id, error: err }));
      });
    });
  }

  private onReady(id: number, providers: ExecutionProvider[], fallbackReason?: string) {
    this.provider = providers[0];
    if (fallbackReason && !this.warnedFallback) {
      this.warnedFallback = true;
      this.log.warn("execution_provider_fallback", { requested: this.settings.providers.join(","), using: providers.join(","), reason: fallbackReason });
    }
    this.chosenProviders = providers;
    this.log.debug("worker_ready", { worker: id, providers: providers.join(",") });
  }

  private onMessage(slot: WorkerSlot, message: Exclude<FromWorker, { type: "ready" }>) {
    if (message.type === "log") {
      this.log[message.level](message.event, message.fields);
      return;
    }
    const task = slot.task;
    if (!task || task.taskId !== message.taskId) return;
    if (message.type === "progress") {
      task.callbacks.onProgress(message.progress, message.total);
      return;
    }
    if (message.type === "done") {
      slot.task = undefined;
      slot.busy = false;
      slot.loaded = new Set(message.loaded.map((m) => m.id));
      task.callbacks.onDone(message);
      this.onFree();
    }
  }
}
