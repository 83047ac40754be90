import { parentPort, workerData } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import type { InferResult, WireTensor } from "../../../schema/runner";
import { RunnerFailure, shortMessage } from "../errors";
import { useFfmpeg } from "../kernels/audio/ffmpeg";
import { CancelledError, KernelInputError, type KernelContext } from "../kernels/types";
import type { ModelMeta } from "../tensor/meta";
import { buffersOf } from "../tensor/convert";
import type { FromWorker, ItemOutcome, ToWorker, WorkerSettings } from "./protocol";
import { chooseProviders } from "./providers";
import { SessionCache } from "./session-cache";
import { isCancelled, runTensorTask, toFailure } from "./tensor-task";

/**
 * A worker thread: holds its own onnxruntime sessions and runs one task at a time, so a blocking
 * `session.run` never stalls the HTTP thread. Started through bootstrap.mjs (tsx), see worker-pool.ts.
 */

const port = parentPort!;
const settings = workerData as WorkerSettings;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const log = (level: "debug" | "info" | "warn" | "error") => (event: string, fields: Record<string, unknown>) =>
  post({ type: "log", level, event, fields: { worker: settings.workerId, ...fields } });

ort.env.logLevel = settings.ortLogLevel;
useFfmpeg(settings.ffmpegPath);
const choice = await chooseProviders(settings.providers);
const cache = new SessionCache({
  providers: choice.providers,
  intraOpThreads: settings.intraOpThreads,
  budgetBytes: settings.sessionCacheBytes,
  log: log("info"),
});

// Loaded on first use, then held: a runner serving only uploaded models never loads the kernels' code, and a
// second `import()` would still go through the module loader's hooks (tsx's, on a thread of their own),
// which cost a small image job milliseconds per task under load.
let kernels: Promise<typeof import("../kernels/registry")> | undefined;
const loadKernels = () => {
  kernels ??= import("../kernels/registry");
  return kernels;
};

function kernelFailure(err: unknown): RunnerFailure {
  if (err instanceof RunnerFailure) return err;
  if (err instanceof CancelledError) return RunnerFailure.cancelled(err.message);
  if (err instanceof KernelInputError) return RunnerFailure.invalidInput(err.message);
  log("error")("kernel_failed", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return RunnerFailure.internal(shortMessage(err));
}

/** Tensor outputs and encoded images go back as transferred buffers; other kernel results are small and are cloned. */
function transfersOf(outcomes: ItemOutcome[]): ArrayBuffer[] {
  const tensors: WireTensor[] = [];
  const images: ArrayBuffer[] = [];
  for (const o of outcomes) if (o.ok && o.result.kernel === "tensor") tensors.push(...Object.values(o.result.outputs));
  // The image kernel returns each encoded image in an ArrayBuffer of its own, so it can move without a copy.
  for (const o of outcomes) if (o.ok && o.result.kernel === "image") for (const i of o.result.images) if (i.data.buffer instanceof ArrayBuffer) images.push(i.data.buffer);
  // So do the audio and video kernels' outputs (gpu-runner/src/kernels/audio/ffmpeg.ts readOutput).
  for (const o of outcomes) if (o.ok && (o.result.kernel === "audio" || o.result.kernel === "video")) for (const m of o.result.outputs) if (m.data.buffer instanceof ArrayBuffer) images.push(m.data.buffer);
  return [...buffersOf(tensors), ...images];
}

async function handle(message: Exclude<ToWorker, { type: "stop" }>) {
  const metas: { id: string; meta: ModelMeta }[] = [];
  const pinned = new Set<string>();
  let outcomes: ItemOutcome[];
  let unbatchable: string | undefined;

  if (message.type === "tensor") {
    pinned.add(message.model.id);
    try {
      const cached = await cache.get(message.model, pinned, true);
      if (cached.loadedNow) metas.push({ id: message.model.id, meta: cached.meta });
      ({ outcomes, unbatchable } = await runTensorTask(cached, message.items, message.outputs));
    } catch (err) {
      const failure = toFailure(err).toWire();
      outcomes = message.items.map(() => ({ ok: false, error: failure }));
    }
  } else {
    const flag = message.cancelFlag;
    const ctx: KernelContext = {
      session: async (builtinId) => {
        const file = settings.builtinModels[builtinId];
        if (!file) throw RunnerFailure.internal(`unknown builtin model '${builtinId}'`);
        pinned.add(builtinId);
        const cached = await cache.get({ id: builtinId, path: file, bytes: settings.builtinSizes[builtinId] ?? 0 }, pinned, false);
        if (cached.loadedNow) metas.push({ id: builtinId, meta: cached.meta });
        return cached.session;
      },
      progress: (progress, total) => post({ type: "progress", taskId: message.taskId, progress, total }),
      checkCancelled: () => {
        if (isCancelled(flag)) throw new CancelledError();
      },
    };
    try {
      const { KERNELS } = await loadKernels();
      const kernel = KERNELS[message.kernel];
      if (!kernel) throw RunnerFailure.invalidRequest(`unknown kernel '${message.kernel}'`);
      ctx.checkCancelled();
      const result = (await kernel.run(message.request, ctx)) as InferResult;
      outcomes = [{ ok: true, result }];
    } catch (err) {
      outcomes = [{ ok: false, error: kernelFailure(err).toWire() }];
    }
  }
  post({ type: "done", taskId: message.taskId, outcomes, loaded: cache.loaded(), metas, unbatchable }, transfersOf(outcomes));
}

// The pool sends one task at a time; the chain only guards against a second arriving before `done`.
let chain = Promise.resolve();
port.on("message", (message: ToWorker) => {
  if (message.type === "stop") {
    chain = chain.then(async () => {
      await cache.releaseAll();
      port.close();
    });
    return;
  }
  chain = chain.then(() => handle(message)).catch((err) => log("error")("worker_task_crashed", { error: shortMessage(err) }));
});
post({ type: "ready", providers: choice.providers, fallbackReason: choice.fallbackReason });
