import type { z } from "zod";
import { ownerSegment } from "./keys";

/** Names of user documents: what routes and node types (`preset.<name>`, `custom.<name>`) can carry. */
export const DOCUMENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

export interface UserDocumentArea<T> {
  /** The R2 area, outside those /storage serves: only the routes that own the area reach it. */
  area: string;
  schema: z.ZodType<T>;
  /** How many documents a user keeps at most: every catalog read lists them all. */
  max: number;
}

/**
 * A user's named JSON documents in R2 (presets, custom nodes), one object each below the owner's own segment:
 *
 *     <area>/<owner>/<name>.json
 *
 * Every key is built from the caller's user id, so another user's document is simply not there. Reads are
 * cached for the store's lifetime (one request), so a graph that uses one document twice reads it once.
 */
export class UserDocumentStore<T extends { name: string }> {
  private readonly cache = new Map<string, Promise<T | null>>();
  private readonly prefix: string;

  constructor(
    private readonly bucket: R2Bucket,
    readonly userId: string,
    private readonly spec: UserDocumentArea<T>,
  ) {
    this.prefix = `${spec.area}/${ownerSegment(userId)}/`;
  }

  private keyOf(name: string): string {
    return `${this.prefix}${name}.json`;
  }

  /** The names of the user's documents, sorted. */
  async names(): Promise<string[]> {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list({ prefix: this.prefix, cursor, limit: 1000 });
      for (const o of page.objects) {
        const name = o.key.slice(this.prefix.length);
        if (name.endsWith(".json")) names.push(name.slice(0, -5));
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor && names.length <= this.spec.max);
    return names.sort();
  }

  get(name: string): Promise<T | null> {
    let pending = this.cache.get(name);
    if (!pending) {
      pending = this.read(name);
      this.cache.set(name, pending);
    }
    return pending;
  }

  /** Every document of the user, sorted by name. */
  async all(): Promise<T[]> {
    const docs: (T | null)[] = await Promise.all((await this.names()).map((n) => this.get(n)));
    return docs.filter((d): d is T => d !== null);
  }

  async put(doc: T): Promise<void> {
    await this.bucket.put(this.keyOf(doc.name), JSON.stringify(doc), { httpMetadata: { contentType: "application/json" } });
    this.cache.set(doc.name, Promise.resolve(doc));
  }

  /** Deletes the document; false when there was none. */
  async delete(name: string): Promise<boolean> {
    const key = this.keyOf(name);
    if (!(await this.bucket.head(key))) return false;
    await this.bucket.delete(key);
    this.cache.set(name, Promise.resolve(null));
    return true;
  }

  /** Forgets what this request read, so the next reads see the bucket again. */
  reload(): void {
    this.cache.clear();
  }

  private async read(name: string): Promise<T | null> {
    if (!DOCUMENT_NAME.test(name)) return null;
    const object = await this.bucket.get(this.keyOf(name));
    if (!object) return null;
    const parsed = this.spec.schema.safeParse(await object.json());
    // Only the owning module writes these objects; one that no longer parses is treated as missing, not as a 500.
    return parsed.success ? parsed.data : null;
  }
}
