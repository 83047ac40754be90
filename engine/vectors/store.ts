/**
 * Vector collections for the vector.chroma nodes (EngineServices.vectors): named collections of records
 * (id, embedding, document, metadata) with exact nearest-neighbour search, Chroma's semantics where the
 * nodes rely on them. The engine sees only this interface; the Worker keeps one Durable Object with SQLite
 * storage per (user, collection) (edge/vectors/vector-collection.ts), tests and the CLI keep them in memory
 * (engine/vectors/memory-store.ts). Both run the same logic (engine/vectors/collection-core.ts).
 *
 * Limits (per collection), chosen so that a search can scan every vector in one Durable Object's memory:
 * - at most MAX_RECORDS (10,000) records and MAX_DIMENSION (4,096) dimensions,
 * - at most MAX_STORED_NUMBERS (8,388,608, i.e. 32 MiB of float32) numbers in all (e.g. 5,461 x 1,536),
 * - documents up to MAX_DOCUMENT_CHARS (1,000,000) characters, ids up to MAX_ID_CHARS (512), metadata up to
 *   MAX_METADATA_CHARS (65,536) characters as JSON, at most MAX_BATCH (1,000) records per write and
 *   MAX_RESULTS (1,000) results per query.
 * Search is exact (a full scan), which at this scale answers in milliseconds.
 */

export const MAX_RECORDS = 10_000;
export const MAX_DIMENSION = 4_096;
export const MAX_STORED_NUMBERS = 8_388_608;
export const MAX_DOCUMENT_CHARS = 1_000_000;
export const MAX_ID_CHARS = 512;
export const MAX_METADATA_CHARS = 65_536;
export const MAX_BATCH = 1_000;
export const MAX_RESULTS = 1_000;
export const MAX_NAME_CHARS = 256;

/** Chroma's distance functions (collection metadata `hnsw:space`): squared L2 (the default), cosine, inner product. */
export type Space = "l2" | "cosine" | "ip";

export type MetadataValue = string | number | boolean;
export type Metadata = Record<string, MetadataValue>;

export interface CollectionInfo {
  name: string;
  /** What the collection was created with, e.g. `{embedding_model: "nomic-embed-text"}`. */
  metadata: Record<string, unknown>;
  count: number;
  /** Fixed by the first embedding added; null while the collection has none. */
  dimension: number | null;
  space: Space;
}

export interface VectorRecord {
  id: string;
  embedding?: number[] | null;
  document?: string | null;
  metadata?: Metadata | null;
}

export interface StoredRecord {
  id: string;
  document: string | null;
  metadata: Metadata | null;
}

export interface QueryHit extends StoredRecord {
  distance: number;
}

export interface QueryRequest {
  embedding: number[];
  n: number;
  /**
   * Chroma's `where_document` `$contains` (one token) or `$or` of `$contains` (several): only records whose
   * document contains one of these substrings, case-sensitively, are candidates.
   */
  contains?: string[];
}

export interface VectorCollection {
  /** Creates the collection with this metadata, or returns it unchanged when it exists (get_or_create). */
  getOrCreate(metadata: Record<string, unknown>): Promise<CollectionInfo>;
  /** The collection, or null when it does not exist. */
  info(): Promise<CollectionInfo | null>;
  /**
   * Adds records, creating the collection when needed. As in Chroma, `add` skips ids that exist and `upsert`
   * replaces them. Returns how many records were written.
   */
  add(records: VectorRecord[], upsert: boolean): Promise<number>;
  /** Records in insertion order, or those with the given ids (in insertion order). */
  get(options: { ids?: string[]; limit: number; offset: number }): Promise<StoredRecord[]>;
  /** The `n` nearest records, nearest first. Throws when the collection does not exist. */
  query(request: QueryRequest): Promise<QueryHit[]>;
}

export interface VectorStore {
  /** The collection of this name (of the job's user); nothing is created until it is written. */
  collection(name: string): VectorCollection;
}

/** A problem with a request (bad input, a limit, a missing collection): the message says what to fix. */
export class VectorStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VectorStoreError";
  }
}

export function checkCollectionName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === "") throw new VectorStoreError("Collection name cannot be empty");
  if (trimmed.length > MAX_NAME_CHARS) throw new VectorStoreError(`collection names are at most ${MAX_NAME_CHARS} characters`);
  return trimmed;
}
