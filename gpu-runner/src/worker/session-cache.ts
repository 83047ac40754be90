import * as ort from "onnxruntime-node";
import { TENSOR_DTYPES, type TensorDtype } from "../../../schema/runner";
import type { ExecutionProvider } from "../config";
import { RunnerFailure, shortMessage } from "../errors";
import type { ModelMeta, TensorInfo } from "../tensor/meta";
import { toOrtTensor, zeroTensor } from "../tensor/convert";
import type { LoadedModel, ModelFile } from "./protocol";

export interface CachedSession {
  session: ort.InferenceSession;
  meta: ModelMeta;
  bytes: number;
}

export interface SessionCacheOptions {
  providers: ExecutionProvider[];
  intraOpThreads: number;
  /** Upper bound on the summed model file sizes of the sessions held (file size as the memory estimate). */
  budgetBytes: number;
  log: (event: string, fields: Record<string, unknown>) => void;
}

function infoOf(m: ort.InferenceSession.ValueMetadata): TensorInfo {
  return m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: "non-tensor", shape: [] };
}

/**
 * One worker's sessions: one per model, least recently used evicted first once the byte budget is exceeded.
 * Sessions in use by the current task are pinned (a kernel may hold several) and never evicted under it.
 */
export class SessionCache {
  /** Map order is recency: a hit moves the entry to the end. */
  private readonly entries = new Map<string, CachedSession>();
  private heldBytes = 0;

  constructor(private readonly options: SessionCacheOptions) {}

  loaded(): LoadedModel[] {
    return [...this.entries].map(([id, e]) => ({ id, bytes: e.bytes }));
  }

  /** The session of `model`, loaded (and warmed up when `warmUp`) on first use. `loadedNow` says it was just created. */
  async get(model: ModelFile, pinned: ReadonlySet<string>, warmUp: boolean): Promise<CachedSession & { loadedNow: boolean }> {
    const hit = this.entries.get(model.id);
    if (hit) {
      this.entries.delete(model.id);
      this.entries.set(model.id, hit);
      return { ...hit, loadedNow: false };
    }
    this.evictFor(model.bytes, pinned);
    const started = performance.now();
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(model.path, {
        executionProviders: this.options.providers,
        intraOpNumThreads: this.options.intraOpThreads,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
      });
    } catch (err) {
      throw RunnerFailure.modelInvalid(`the model cannot be loaded by onnxruntime: ${shortMessage(err)}`);
    }
    const entry: CachedSession = {
      session,
      meta: { inputs: session.inputMetadata.map(infoOf), outputs: session.outputMetadata.map(infoOf) },
      bytes: model.bytes,
    };
    if (warmUp) await this.warmUp(model.id, entry);
    this.entries.set(model.id, entry);
    this.heldBytes += entry.bytes;
    this.options.log("model_loaded", { model: model.id, bytes: model.bytes, ms: Math.round(performance.now() - started), held_bytes: this.heldBytes });
    return { ...entry, loadedNow: true };
  }

  async releaseAll(): Promise<void> {
    const sessions = [...this.entries.values()].map((e) => e.session);
    this.entries.clear();
    this.heldBytes = 0;
    await Promise.all(sessions.map((s) => s.release().catch(() => undefined)));
  }

  private evictFor(incoming: number, pinned: ReadonlySet<string>) {
    for (const [id, entry] of this.entries) {
      if (this.heldBytes + incoming <= this.options.budgetBytes) return;
      if (pinned.has(id)) continue;
      this.entries.delete(id);
      this.heldBytes -= entry.bytes;
      void entry.session.release().catch(() => undefined);
      this.options.log("model_evicted", { model: id, bytes: entry.bytes, held_bytes: this.heldBytes });
    }
  }

  /**
   * One run on zeros of the smallest shape the signature allows, so the first real request does not pay for
   * onnxruntime's lazy allocations. Models whose inputs cannot be made that way (non-tensor, float16, shape
   * constraints the zeros break) just skip it: warm-up is an optimisation, never a reason to fail a load.
   */
  private async warmUp(id: string, entry: CachedSession) {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of entry.meta.inputs) {
      if (!(TENSOR_DTYPES as readonly string[]).includes(input.type)) return;
      feeds[input.name] = toOrtTensor(ort.Tensor, zeroTensor(input.type as TensorDtype, input.shape));
    }
    try {
      await entry.session.run(feeds);
    } catch (err) {
      this.options.log("warm_up_skipped", { model: id, reason: shortMessage(err, 200) });
    }
  }
}
