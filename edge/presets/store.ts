import { PresetSchema, type Preset } from "../../schema/presets";
import { ownerSegment } from "../storage/keys";

/**
 * Presets live in R2 as one JSON object each, below the owner's own segment:
 *
 *     presets/<owner>/<name>.json
 *
 * The `presets/` area is not one of the storage areas /storage serves, so only these routes reach it, and
 * every key is built from the caller's user id: another user's preset is simply not there.
 */
const AREA = "presets";

/** A user keeps at most this many presets: every catalog read lists them all. */
export const MAX_PRESETS = 200;
/** The largest preset document (its subgraph is bounded by the graph limits too). */
export const MAX_PRESET_BYTES = 1024 * 1024;

const prefixOf = (userId: string) => `${AREA}/${ownerSegment(userId)}/`;
const keyOf = (userId: string, name: string) => `${prefixOf(userId)}${name}.json`;

export class PresetStore {
  /** Documents read during this request, so that one graph with a preset used twice reads it once. */
  private readonly cache = new Map<string, Promise<Preset | null>>();

  constructor(
    private readonly bucket: R2Bucket,
    readonly userId: string,
  ) {}

  /** The names of the user's presets, sorted. */
  async names(): Promise<string[]> {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list({ prefix: prefixOf(this.userId), cursor, limit: 1000 });
      for (const o of page.objects) {
        const name = o.key.slice(prefixOf(this.userId).length);
        if (name.endsWith(".json")) names.push(name.slice(0, -5));
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor && names.length <= MAX_PRESETS);
    return names.sort();
  }

  get(name: string): Promise<Preset | null> {
    let pending = this.cache.get(name);
    if (!pending) {
      pending = this.read(name);
      this.cache.set(name, pending);
    }
    return pending;
  }

  /** Every preset of the user, sorted by name. */
  async all(): Promise<Preset[]> {
    const docs = await Promise.all((await this.names()).map((n) => this.get(n)));
    return docs.filter((d): d is Preset => d !== null);
  }

  async put(preset: Preset): Promise<void> {
    await this.bucket.put(keyOf(this.userId, preset.name), JSON.stringify(preset), { httpMetadata: { contentType: "application/json" } });
    this.cache.set(preset.name, Promise.resolve(preset));
  }

  /** Deletes the preset; false when there was none. */
  async delete(name: string): Promise<boolean> {
    const key = keyOf(this.userId, name);
    if (!(await this.bucket.head(key))) return false;
    await this.bucket.delete(key);
    this.cache.set(name, Promise.resolve(null));
    return true;
  }

  /** Forgets what this request read, so the next reads see the bucket again. */
  reload(): void {
    this.cache.clear();
  }

  private async read(name: string): Promise<Preset | null> {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/.test(name)) return null;
    const object = await this.bucket.get(keyOf(this.userId, name));
    if (!object) return null;
    const parsed = PresetSchema.safeParse(await object.json());
    // Only this module writes these objects; one that no longer parses is treated as missing, not as a 500.
    return parsed.success ? parsed.data : null;
  }
}
