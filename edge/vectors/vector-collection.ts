import { DurableObject } from "cloudflare:workers";
import { CollectionCore, type CollectionStorage, type StoredMeta } from "../../engine/vectors/collection-core";
import type { CollectionInfo, Metadata, QueryHit, QueryRequest, StoredRecord, VectorRecord } from "../../engine/vectors/store";
import type { Env } from "../config/env";

/** SQLite bind parameters per statement stay well under the limit. */
const IDS_PER_STATEMENT = 50;

type Row = { id: string; document: string | null; metadata: string | null; seq: number };

/**
 * One collection's records in the Durable Object's SQLite storage. Embeddings are float32 BLOBs; the scan
 * for a search reads them once into memory and keeps them until the next write (at most 32 MiB, the
 * store's limit of numbers per collection: engine/vectors/store.ts).
 */
class SqlCollectionStorage implements CollectionStorage {
  private cache: { id: string; vector: Float32Array }[] | undefined;

  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    sql.exec(
      "CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, embedding BLOB NOT NULL, document TEXT, metadata TEXT)",
    );
  }

  readMeta(): StoredMeta | null {
    const row = this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'collection'").toArray()[0];
    return row ? (JSON.parse(row.v) as StoredMeta) : null;
  }

  writeMeta(meta: StoredMeta): void {
    this.sql.exec("INSERT INTO meta (k, v) VALUES ('collection', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", JSON.stringify(meta));
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM records").one().n;
  }

  has(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM records WHERE id = ?", id).toArray().length > 0;
  }

  put(id: string, embedding: Float32Array, document: string | null, metadata: Metadata | null): void {
    const blob = embedding.buffer.slice(embedding.byteOffset, embedding.byteOffset + embedding.byteLength);
    const meta = metadata ? JSON.stringify(metadata) : null;
    // A replaced record keeps its seq, so it keeps its place in insertion order (as Chroma's upsert does).
    this.sql.exec(
      "INSERT INTO records (id, embedding, document, metadata) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET embedding = excluded.embedding, document = excluded.document, metadata = excluded.metadata",
      id,
      blob,
      document,
      meta,
    );
    this.cache = undefined;
  }

  page(offset: number, limit: number): StoredRecord[] {
    return this.sql.exec<Row>("SELECT seq, id, document, metadata FROM records ORDER BY seq LIMIT ? OFFSET ?", limit, offset).toArray().map(toRecord);
  }

  byIds(ids: string[]): StoredRecord[] {
    const rows: Row[] = [];
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += IDS_PER_STATEMENT) {
      const part = unique.slice(i, i + IDS_PER_STATEMENT);
      rows.push(...this.sql.exec<Row>(`SELECT seq, id, document, metadata FROM records WHERE id IN (${part.map(() => "?").join(",")})`, ...part).toArray());
    }
    return rows.sort((a, b) => a.seq - b.seq).map(toRecord);
  }

  vectors(): Iterable<{ id: string; vector: Float32Array }> {
    this.cache ??= this.sql
      .exec<{ id: string; embedding: ArrayBuffer }>("SELECT id, embedding FROM records ORDER BY seq")
      .toArray()
      .map((r) => ({ id: r.id, vector: new Float32Array(r.embedding) }));
    return this.cache;
  }

  idsContaining(tokens: string[]): Set<string> {
    // instr() is case-sensitive, like Chroma's $contains.
    const where = tokens.map(() => "instr(document, ?) > 0").join(" OR ");
    const rows = this.sql.exec<{ id: string }>(`SELECT id FROM records WHERE document IS NOT NULL AND (${where})`, ...tokens).toArray();
    return new Set(rows.map((r) => r.id));
  }
}

function toRecord(row: Row): StoredRecord {
  return { id: row.id, document: row.document, metadata: row.metadata ? (JSON.parse(row.metadata) as Metadata) : null };
}

/**
 * A vector collection: one Durable Object with SQLite storage per (user, collection), addressed by
 * `idFromName(user + "\n" + collection)` (edge/vectors/store.ts). Its methods are called over Workers RPC;
 * a Durable Object runs them one at a time, so writes never interleave.
 */
export class VectorCollection extends DurableObject<Env> {
  private readonly storage: SqlCollectionStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.storage = new SqlCollectionStorage(ctx.storage.sql);
  }

  private core(name: string): CollectionCore {
    return new CollectionCore(this.storage, name);
  }

  async getOrCreate(name: string, metadata: Record<string, unknown>): Promise<CollectionInfo> {
    return this.core(name).getOrCreate(metadata);
  }

  async info(name: string): Promise<CollectionInfo | null> {
    return this.core(name).info();
  }

  async add(name: string, records: VectorRecord[], upsert: boolean): Promise<number> {
    return this.core(name).add(records, upsert);
  }

  async get(name: string, options: { ids?: string[]; limit: number; offset: number }): Promise<StoredRecord[]> {
    return this.core(name).get(options);
  }

  async query(name: string, request: QueryRequest): Promise<QueryHit[]> {
    return this.core(name).query(request);
  }
}
