import { distance, TopN } from "./search";
import {
  MAX_BATCH,
  MAX_DIMENSION,
  MAX_DOCUMENT_CHARS,
  MAX_ID_CHARS,
  MAX_METADATA_CHARS,
  MAX_RECORDS,
  MAX_RESULTS,
  MAX_STORED_NUMBERS,
  VectorStoreError,
  type CollectionInfo,
  type Metadata,
  type QueryHit,
  type QueryRequest,
  type Space,
  type StoredRecord,
  type VectorRecord,
} from "./store";

export interface StoredMeta {
  name: string;
  metadata: Record<string, unknown>;
  dimension: number | null;
  space: Space;
}

/** Where one collection's records live: a Map in memory, SQLite in a Durable Object. Synchronous, like both. */
export interface CollectionStorage {
  readMeta(): StoredMeta | null;
  writeMeta(meta: StoredMeta): void;
  count(): number;
  has(id: string): boolean;
  /** Inserts a record, or replaces one in place (it keeps its position). */
  put(id: string, embedding: Float32Array, document: string | null, metadata: Metadata | null): void;
  /** Records in insertion order. */
  page(offset: number, limit: number): StoredRecord[];
  /** The records with these ids that exist, in insertion order. */
  byIds(ids: string[]): StoredRecord[];
  /** Every record's embedding, for a full scan. */
  vectors(): Iterable<{ id: string; vector: Float32Array }>;
  /** Ids of the records whose document contains any of these substrings (case-sensitive). */
  idsContaining(tokens: string[]): Set<string>;
}

function spaceOf(metadata: Record<string, unknown>): Space {
  const raw = metadata["hnsw:space"];
  if (raw === undefined || raw === null) return "l2";
  if (raw === "l2" || raw === "cosine" || raw === "ip") return raw;
  throw new VectorStoreError(`hnsw:space must be "l2", "cosine" or "ip", got ${JSON.stringify(raw)}`);
}

function vectorOf(values: unknown, what: string): Float32Array {
  if (!Array.isArray(values) || values.length === 0) throw new VectorStoreError(`${what}: the embedding cannot be empty`);
  if (values.length > MAX_DIMENSION) throw new VectorStoreError(`${what}: embeddings have at most ${MAX_DIMENSION} dimensions, got ${values.length}`);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new VectorStoreError(`${what}: embedding element ${i} is not a finite number`);
    out[i] = v;
  }
  return out;
}

/** The operations of one collection over its storage, with Chroma's rules and this store's limits. */
export class CollectionCore {
  constructor(
    private readonly storage: CollectionStorage,
    private readonly name: string,
  ) {}

  info(): CollectionInfo | null {
    const meta = this.storage.readMeta();
    return meta ? { ...meta, count: this.storage.count() } : null;
  }

  getOrCreate(metadata: Record<string, unknown>): CollectionInfo {
    const existing = this.info();
    if (existing) return existing;
    if (JSON.stringify(metadata).length > MAX_METADATA_CHARS) throw new VectorStoreError(`collection metadata is at most ${MAX_METADATA_CHARS} characters as JSON`);
    this.storage.writeMeta({ name: this.name, metadata, dimension: null, space: spaceOf(metadata) });
    return this.info()!;
  }

  add(records: VectorRecord[], upsert: boolean): number {
    if (records.length === 0) return 0;
    if (records.length > MAX_BATCH) throw new VectorStoreError(`at most ${MAX_BATCH} records can be written at once, got ${records.length}`);
    const meta = this.storage.readMeta() ?? (this.getOrCreate({}), this.storage.readMeta()!);
    const seen = new Set<string>();
    const prepared: { id: string; vector: Float32Array; document: string | null; metadata: Metadata | null }[] = [];
    let dimension = meta.dimension;
    for (const r of records) {
      const id = typeof r.id === "string" ? r.id : String(r.id);
      if (id.trim() === "") throw new VectorStoreError("The ID cannot be empty");
      if (id.length > MAX_ID_CHARS) throw new VectorStoreError(`ids are at most ${MAX_ID_CHARS} characters`);
      // Chroma: "Expected IDs to be unique" within one write.
      if (seen.has(id)) throw new VectorStoreError(`Expected IDs to be unique, found duplicate ID '${id}'`);
      seen.add(id);
      const vector = vectorOf(r.embedding, `record '${id}'`);
      dimension ??= vector.length;
      if (vector.length !== dimension) {
        throw new VectorStoreError(`Embedding dimension ${vector.length} does not match collection dimensionality ${dimension}`);
      }
      const document = r.document ?? null;
      if (document !== null && document.length > MAX_DOCUMENT_CHARS) throw new VectorStoreError(`record '${id}': documents are at most ${MAX_DOCUMENT_CHARS} characters`);
      const metadata = r.metadata && Object.keys(r.metadata).length > 0 ? r.metadata : null;
      if (metadata && JSON.stringify(metadata).length > MAX_METADATA_CHARS) throw new VectorStoreError(`record '${id}': metadata is at most ${MAX_METADATA_CHARS} characters as JSON`);
      prepared.push({ id, vector, document, metadata });
    }
    // Chroma's add skips ids that exist (with a warning); upsert replaces them.
    const writes = upsert ? prepared : prepared.filter((p) => !this.storage.has(p.id));
    const fresh = upsert ? writes.filter((p) => !this.storage.has(p.id)).length : writes.length;
    const total = this.storage.count() + fresh;
    if (total > MAX_RECORDS) throw new VectorStoreError(`a collection holds at most ${MAX_RECORDS} records; '${this.name}' would hold ${total}`);
    if (total * (dimension ?? 0) > MAX_STORED_NUMBERS) {
      throw new VectorStoreError(`a collection holds at most ${MAX_STORED_NUMBERS} numbers in all; '${this.name}' would hold ${total} x ${dimension}`);
    }
    if (dimension !== meta.dimension) this.storage.writeMeta({ ...meta, dimension });
    for (const p of writes) this.storage.put(p.id, p.vector, p.document, p.metadata);
    return writes.length;
  }

  get(options: { ids?: string[]; limit: number; offset: number }): StoredRecord[] {
    if (!this.storage.readMeta()) throw this.missing();
    const limit = Math.max(0, Math.min(Math.floor(options.limit), MAX_RECORDS));
    const offset = Math.max(0, Math.floor(options.offset));
    if (options.ids && options.ids.length > 0) return this.storage.byIds(options.ids.map(String)).slice(offset, offset + limit);
    return this.storage.page(offset, limit);
  }

  query(request: QueryRequest): QueryHit[] {
    const meta = this.storage.readMeta();
    if (!meta) throw this.missing();
    const n = Math.floor(request.n);
    if (!(n >= 1)) throw new VectorStoreError(`n_results must be at least 1, got ${request.n}`);
    if (n > MAX_RESULTS) throw new VectorStoreError(`n_results is at most ${MAX_RESULTS}, got ${request.n}`);
    const query = vectorOf(request.embedding, "query");
    if (meta.dimension === null) return [];
    if (query.length !== meta.dimension) {
      throw new VectorStoreError(`Embedding dimension ${query.length} does not match collection dimensionality ${meta.dimension}`);
    }
    const allowed = request.contains && request.contains.length > 0 ? this.storage.idsContaining(request.contains) : undefined;
    const top = new TopN<string>(n);
    for (const { id, vector } of this.storage.vectors()) {
      if (allowed && !allowed.has(id)) continue;
      top.offer(distance(meta.space, query, vector), id);
    }
    const hits = top.result();
    const records = new Map(this.storage.byIds(hits.map((h) => h.v)).map((r) => [r.id, r]));
    return hits.map((h) => ({ ...records.get(h.v)!, distance: h.d }));
  }

  private missing(): VectorStoreError {
    return new VectorStoreError(`Collection '${this.name}' does not exist: index something into it or create it with vector.chroma.Collection first`);
  }
}
