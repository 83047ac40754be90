import type { Space } from "./store";

/**
 * Chroma's distances (chromadb's hnswlib spaces): `l2` is the squared Euclidean distance, `cosine` is
 * 1 - cosine similarity, `ip` is 1 - inner product. Smaller is nearer in every space.
 */
export function distance(space: Space, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  if (space === "l2") {
    for (let i = 0; i < a.length; i++) {
      const d = a[i] - b[i];
      dot += d * d;
    }
    return dot;
  }
  if (space === "ip") {
    for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
    return 1 - dot;
  }
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const norm = Math.sqrt(na) * Math.sqrt(nb);
  return norm === 0 ? 1 : 1 - dot / norm;
}

/** Keeps the `n` smallest-distance entries seen, in order; ties keep the earlier entry first. */
export class TopN<T> {
  private readonly items: { d: number; v: T }[] = [];
  constructor(private readonly n: number) {}

  offer(d: number, v: T): void {
    const items = this.items;
    if (this.n <= 0 || (items.length === this.n && d >= items[items.length - 1].d)) return;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (items[mid].d <= d) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, { d, v });
    if (items.length > this.n) items.pop();
  }

  result(): { d: number; v: T }[] {
    return this.items;
  }
}
