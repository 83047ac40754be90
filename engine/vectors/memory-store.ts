import { CollectionCore, type CollectionStorage, type StoredMeta } from "./collection-core";
import { checkCollectionName, type Metadata, type StoredRecord, type VectorCollection, type VectorStore } from "./store";

interface Entry {
  id: string;
  vector: Float32Array;
  document: string | null;
  metadata: Metadata | null;
}

/** One collection in memory; a Map keeps insertion order, and a replaced entry keeps its place. */
class MemoryStorage implements CollectionStorage {
  private meta: StoredMeta | null = null;
  private readonly entries = new Map<string, Entry>();

  readMeta(): StoredMeta | null {
    return this.meta;
  }
  writeMeta(meta: StoredMeta): void {
    this.meta = meta;
  }
  count(): number {
    return this.entries.size;
  }
  has(id: string): boolean {
    return this.entries.has(id);
  }
  put(id: string, vector: Float32Array, document: string | null, metadata: Metadata | null): void {
    this.entries.set(id, { id, vector, document, metadata });
  }
  page(offset: number, limit: number): StoredRecord[] {
    return [...this.entries.values()].slice(offset, offset + limit).map(record);
  }
  byIds(ids: string[]): StoredRecord[] {
    const wanted = new Set(ids);
    return [...this.entries.values()].filter((e) => wanted.has(e.id)).map(record);
  }
  *vectors(): Iterable<{ id: string; vector: Float32Array }> {
    for (const e of this.entries.values()) yield { id: e.id, vector: e.vector };
  }
  idsContaining(tokens: string[]): Set<string> {
    const out = new Set<string>();
    for (const e of this.entries.values()) if (e.document !== null && tokens.some((t) => e.document!.includes(t))) out.add(e.id);
    return out;
  }
}

function record(e: Entry): StoredRecord {
  return { id: e.id, document: e.document, metadata: e.metadata ? { ...e.metadata } : null };
}

/** Collections in memory, for tests and local (CLI) runs: they last as long as the store object. */
export class MemoryVectorStore implements VectorStore {
  private readonly storages = new Map<string, MemoryStorage>();

  collection(name: string): VectorCollection {
    const key = checkCollectionName(name);
    let storage = this.storages.get(key);
    if (!storage) this.storages.set(key, (storage = new MemoryStorage()));
    const core = new CollectionCore(storage, key);
    return {
      getOrCreate: async (metadata) => core.getOrCreate(metadata),
      info: async () => core.info(),
      add: async (records, upsert) => core.add(records, upsert),
      get: async (options) => core.get(options),
      query: async (request) => core.query(request),
    };
  }
}
