import { TopN } from "./search";
import { MAX_STORED_NUMBERS } from "./store";

/**
 * FAISS's flat and IVF-flat indexes as plain JSON values that flow between vector.faiss nodes (NodeTool passes
 * the native index object along the edges). Every operation returns a new value, so a branch that adds
 * vectors never changes what another branch sees.
 *
 * Semantics follow FAISS: `L2` distances are squared Euclidean, `IP` scores are inner products (larger is
 * nearer); an IVF index must be trained (k-means over at least `nlist` vectors) before vectors are added,
 * and a search visits the `nprobe` nearest lists exactly. Missing results are label -1 with the largest
 * float32 distance (L2) or its negative (IP), as FAISS pads them. At most MAX_STORED_NUMBERS numbers in all.
 */
export interface FaissIndexData {
  kind: "flat" | "ivf_flat";
  metric: "L2" | "IP";
  dim: number;
  nlist?: number;
  /** Flat, row-major centroids once an IVF index is trained. */
  centroids?: number[];
  /** Flat, row-major stored vectors. */
  vectors: number[];
  ids: number[];
  /** IVF: the list (centroid) of each stored vector. */
  lists?: number[];
}

export interface FaissIndexValue {
  type: "faiss_index";
  index: FaissIndexData | null;
}

const FLOAT32_MAX = 3.4028234663852886e38;
const KMEANS_ITERATIONS = 20;
const MAX_K = 1024;

export function createIndex(kind: "flat" | "ivf_flat", metric: "L2" | "IP", dim: number, nlist?: number): FaissIndexValue {
  if (!Number.isInteger(dim) || dim < 1 || dim > 65_536) throw new Error(`dim must be a positive integer, got ${dim}`);
  if (kind === "ivf_flat" && (!Number.isInteger(nlist) || nlist! < 1 || nlist! > 65_536)) throw new Error(`nlist must be a positive integer, got ${nlist}`);
  return { type: "faiss_index", index: { kind, metric, dim, ...(kind === "ivf_flat" ? { nlist } : {}), vectors: [], ids: [], ...(kind === "ivf_flat" ? { lists: [] } : {}) } };
}

export function indexData(value: unknown): FaissIndexData {
  const index = value && typeof value === "object" ? (value as { index?: unknown }).index : undefined;
  if (!index || typeof index !== "object" || !Array.isArray((index as FaissIndexData).vectors)) {
    throw new Error("FAISS index is not set: connect the output of a Create Index node");
  }
  return index as FaissIndexData;
}

export function isTrained(index: FaissIndexData): boolean {
  return index.kind === "flat" || Array.isArray(index.centroids);
}

function score(metric: "L2" | "IP", a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number, dim: number): number {
  let s = 0;
  if (metric === "L2") {
    for (let j = 0; j < dim; j++) {
      const d = a[ai + j] - b[bi + j];
      s += d * d;
    }
    return s;
  }
  for (let j = 0; j < dim; j++) s += a[ai + j] * b[bi + j];
  // Ranked as a distance: smaller is nearer.
  return -s;
}

function nearestCentroids(index: FaissIndexData, v: ArrayLike<number>, vi: number, count: number): number[] {
  const top = new TopN<number>(count);
  const k = index.centroids!.length / index.dim;
  for (let c = 0; c < k; c++) top.offer(score(index.metric, v, vi, index.centroids!, c * index.dim, index.dim), c);
  return top.result().map((r) => r.v);
}

function checkRows(index: FaissIndexData, rows: number[][], what: string): void {
  for (const r of rows) if (r.length !== index.dim) throw new Error(`${what}: vector dimension ${r.length} does not match index dimension ${index.dim}`);
}

/** Deterministic pseudo-random numbers (mulberry32), so training the same data gives the same index. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** k-means over the training vectors (FAISS's IVF training); a flat index needs none and is returned as is. */
export function train(value: unknown, rows: number[][]): FaissIndexValue {
  const index = indexData(value);
  checkRows(index, rows, "Training vectors");
  if (index.kind === "flat") return { type: "faiss_index", index };
  const k = index.nlist!;
  if (rows.length < k) throw new Error(`Number of training points (${rows.length}) should be at least as large as number of clusters (${k})`);
  const dim = index.dim;
  const rand = random(1234);
  const order = rows.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  let centroids = order.slice(0, k).flatMap((i) => rows[i]);
  const flat = rows.flat();
  for (let iter = 0; iter < KMEANS_ITERATIONS; iter++) {
    const sums = new Float64Array(k * dim);
    const counts = new Array<number>(k).fill(0);
    const probe = { ...index, centroids };
    for (let i = 0; i < rows.length; i++) {
      const c = nearestCentroids(probe, flat, i * dim, 1)[0];
      counts[c]++;
      for (let j = 0; j < dim; j++) sums[c * dim + j] += flat[i * dim + j];
    }
    const next = centroids.slice();
    for (let c = 0; c < k; c++) {
      // An empty cluster keeps its centroid (FAISS splits a large one; the lists stay exact either way).
      if (counts[c] === 0) continue;
      for (let j = 0; j < dim; j++) next[c * dim + j] = sums[c * dim + j] / counts[c];
    }
    centroids = next;
  }
  return { type: "faiss_index", index: { ...index, centroids, vectors: [], ids: [], lists: [] } };
}

export function add(value: unknown, rows: number[][], ids?: number[]): FaissIndexValue {
  const index = indexData(value);
  checkRows(index, rows, "Vectors");
  if (!isTrained(index)) throw new Error("Index must be trained before adding vectors. Use a Train Index node first for IVF indices.");
  if (ids && ids.length !== rows.length) throw new Error(`Vectors and IDs must have the same length: got ${rows.length} vectors and ${ids.length} IDs`);
  if (index.vectors.length + rows.length * index.dim > MAX_STORED_NUMBERS) {
    throw new Error(`a FAISS index holds at most ${MAX_STORED_NUMBERS} numbers here; this would make ${index.vectors.length + rows.length * index.dim}`);
  }
  const start = index.ids.length;
  const newIds = ids ?? rows.map((_, i) => start + i);
  const vectors = index.vectors.concat(rows.flat());
  const lists = index.kind === "ivf_flat" ? index.lists!.concat(rows.map((r) => nearestCentroids(index, r, 0, 1)[0])) : undefined;
  return { type: "faiss_index", index: { ...index, vectors, ids: index.ids.concat(newIds), ...(lists ? { lists } : {}) } };
}

/** k nearest stored vectors of each query row: distances and labels, `k` per row, padded as FAISS pads. */
export function search(value: unknown, queries: number[][], k: number, nprobe: number): { distances: number[][]; labels: number[][] } {
  const index = indexData(value);
  checkRows(index, queries, "Query vectors");
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new Error(`k must be an integer from 1 to ${MAX_K}, got ${k}`);
  if (!isTrained(index)) throw new Error("the IVF index is not trained: use a Train Index node first");
  const dim = index.dim;
  const n = index.ids.length;
  const distances: number[][] = [];
  const labels: number[][] = [];
  for (const q of queries) {
    const probe = index.kind === "ivf_flat" ? new Set(nearestCentroids(index, q, 0, Math.max(1, Math.min(nprobe, index.nlist!)))) : undefined;
    const top = new TopN<number>(k);
    for (let i = 0; i < n; i++) {
      if (probe && !probe.has(index.lists![i])) continue;
      top.offer(score(index.metric, q, 0, index.vectors, i * dim, dim), i);
    }
    const found = top.result();
    const pad = index.metric === "L2" ? FLOAT32_MAX : -FLOAT32_MAX;
    distances.push(Array.from({ length: k }, (_, j) => (j < found.length ? (index.metric === "L2" ? found[j].d : -found[j].d) : pad)));
    labels.push(Array.from({ length: k }, (_, j) => (j < found.length ? index.ids[found[j].v] : -1)));
  }
  return { distances, labels };
}
