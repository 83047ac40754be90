import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { stat } from "node:fs/promises";
import type { ModelRef } from "../../../schema/runner";
import type { BatchingTable, BatchSettings } from "../config";
import type { RunnerFailure } from "../errors";
import type { Logger } from "../log";
import { isBatchable, type ModelMeta } from "../tensor/meta";
import { cachedModelPath, DOWNLOAD_PREFIX, downloadModel, type FetchSettings } from "./fetch";

/** A model the runner knows of: a builtin one a kernel uses, or an uploaded one (id = its sha256). */
export interface ModelEntry {
  id: string;
  /** For logs and /health: the uploaded name, or the builtin id. */
  name: string;
  kind: "builtin" | "uploaded";
  /** `tensor` for uploaded models, else the kernel that uses it. */
  kernel: string;
  path: string;
  bytes: number;
  /** The signature, once a worker has loaded the model. */
  meta?: ModelMeta;
  /** Batching as configured for this model (null: off). Used only when the model turns out batchable. */
  batching: BatchSettings | null;
  /** The settings name this model (not "*"): the operator vouches that its first axes are the batch. */
  batchingTrusted?: boolean;
  /** Set when a batch's outputs could not be split by rows: batching stays off for it. */
  unbatchable?: string;
  /** Set when onnxruntime could not load the file: later requests fail at once instead of retrying a worker. */
  loadFailure?: RunnerFailure;
}

/** The batch settings in force for a model once its signature is known, or null when it runs request by request. */
export function activeBatching(model: ModelEntry): BatchSettings | null {
  if (model.kind !== "uploaded" || !model.batching || model.unbatchable || !model.meta) return null;
  return isBatchable(model.meta, model.batchingTrusted) ? model.batching : null;
}

/** Most specific entry of GPU_RUNNER_BATCHING first: sha256, then key, then name, then "*". */
function batchingFor(table: BatchingTable, names: string[]): { batching: BatchSettings | null; batchingTrusted: boolean } {
  for (const name of names) if (name in table) return { batching: table[name], batchingTrusted: true };
  return { batching: table["*"] ?? null, batchingTrusted: false };
}

export interface BuiltinModel {
  path: string;
  kernel: string;
}

/**
 * Where model files come from. Builtin models are files shipped by npm packages; uploaded ones are fetched
 * from the edge once and cached content-addressed under MODEL_CACHE_DIR, so a restart, another user with the
 * same bytes or a renamed model re-uses the file. Requests for a model being downloaded share the download.
 */
export class ModelStore {
  private readonly entries = new Map<string, ModelEntry>();
  private readonly downloads = new Map<string, Promise<string>>();

  constructor(
    private readonly fetchSettings: FetchSettings,
    private readonly batching: BatchingTable,
    builtins: Record<string, BuiltinModel>,
    private readonly log: Logger,
  ) {
    mkdirSync(fetchSettings.cacheDir, { recursive: true });
    // A runner killed mid-download leaves its temp file; nothing else could be using it.
    for (const name of readdirSync(fetchSettings.cacheDir)) {
      if (name.startsWith(DOWNLOAD_PREFIX)) rmSync(`${fetchSettings.cacheDir}/${name}`, { force: true });
    }
    for (const [id, b] of Object.entries(builtins)) {
      let bytes = 0;
      try {
        bytes = statSync(b.path).size;
      } catch {
        log.warn("builtin_model_missing", { model: id, path: b.path });
      }
      this.entries.set(id, { id, name: id, kind: "builtin", kernel: b.kernel, path: b.path, bytes, batching: null });
    }
  }

  get(id: string): ModelEntry | undefined {
    return this.entries.get(id);
  }

  all(): ModelEntry[] {
    return [...this.entries.values()];
  }

  /** Uploaded models in the cache directory that no request has named since the start (id = sha256). */
  cachedIds(): string[] {
    return readdirSync(this.fetchSettings.cacheDir)
      .map((f) => /^([0-9a-f]{64})\.onnx$/.exec(f)?.[1])
      .filter((id): id is string => !!id && !this.entries.has(id));
  }

  /** Batching as configured for a cached file no request has named yet (only its sha256 is known). */
  batchingForId(id: string): BatchSettings | null {
    return batchingFor(this.batching, [id]).batching;
  }

  /** The entry of an uploaded model, its file fetched and verified first unless already cached. */
  async resolveUploaded(ref: ModelRef): Promise<ModelEntry> {
    const known = this.entries.get(ref.sha256);
    if (known) {
      known.name = ref.name;
      return known;
    }
    const path = await this.ensureFile(ref);
    // Another request may have created the entry while this one awaited the same file.
    const entry = this.entries.get(ref.sha256) ?? {
      id: ref.sha256,
      name: ref.name,
      kind: "uploaded" as const,
      kernel: "tensor",
      path,
      bytes: ref.size,
      ...batchingFor(this.batching, [ref.sha256, ref.key, ref.name]),
    };
    this.entries.set(entry.id, entry);
    return entry;
  }

  private async ensureFile(ref: ModelRef): Promise<string> {
    const file = cachedModelPath(this.fetchSettings.cacheDir, ref.sha256);
    const cached = await stat(file).catch(() => null);
    // The name is the content's hash and only verified files get it, so a file of the right size is the model.
    if (cached?.isFile() && cached.size === ref.size) return file;
    let download = this.downloads.get(ref.sha256);
    if (!download) {
      const started = performance.now();
      this.log.info("model_fetch_started", { model: ref.name, key: ref.key, sha256: ref.sha256, bytes: ref.size });
      download = downloadModel(ref, this.fetchSettings)
        .then((p) => {
          this.log.info("model_fetched", { model: ref.name, sha256: ref.sha256, bytes: ref.size, ms: Math.round(performance.now() - started) });
          return p;
        })
        .catch((err) => {
          this.log.warn("model_fetch_failed", { model: ref.name, sha256: ref.sha256, error: err });
          throw err;
        })
        .finally(() => this.downloads.delete(ref.sha256));
      this.downloads.set(ref.sha256, download);
    }
    return download;
  }
}
