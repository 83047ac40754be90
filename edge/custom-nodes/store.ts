import { CustomNodeSchema, type CustomNode } from "../../schema/custom-nodes";
import { ownerSegment } from "../storage/keys";

/**
 * Custom nodes live in R2 as one JSON document each, below the owner's own segment:
 *
 *     custom-nodes/<owner>/<name>.json
 *
 * The area is not one /storage serves, and every key is built from the caller's user id: another user's
 * custom node is simply not there. The model it runs stays among the user's models (edge/models).
 */
const AREA = "custom-nodes";

/** A user keeps at most this many custom nodes: every catalog read lists them all. */
export const MAX_CUSTOM_NODES = 100;

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
const prefixOf = (userId: string) => `${AREA}/${ownerSegment(userId)}/`;
const keyOf = (userId: string, name: string) => `${prefixOf(userId)}${name}.json`;

/** A name from a route: the node's name, its filename (`<name>.onnx` / `<name>.json`) or its type (`custom.<name>`). */
export function customNameOf(raw: string): string | null {
  const name = raw.replace(/^custom\./, "").replace(/\.(onnx|json)$/, "");
  return NAME.test(name) ? name : null;
}

export class CustomNodeStore {
  /** Documents read during this request: a graph using one custom node twice reads it once. */
  private readonly cache = new Map<string, Promise<CustomNode | null>>();

  constructor(
    private readonly bucket: R2Bucket,
    readonly userId: string,
  ) {}

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
    } while (cursor && names.length <= MAX_CUSTOM_NODES);
    return names.sort();
  }

  get(name: string): Promise<CustomNode | null> {
    let pending = this.cache.get(name);
    if (!pending) {
      pending = this.read(name);
      this.cache.set(name, pending);
    }
    return pending;
  }

  /** Every custom node of the user, sorted by name. */
  async all(): Promise<CustomNode[]> {
    const docs = await Promise.all((await this.names()).map((n) => this.get(n)));
    return docs.filter((d): d is CustomNode => d !== null);
  }

  async put(node: CustomNode): Promise<void> {
    await this.bucket.put(keyOf(this.userId, node.name), JSON.stringify(node), { httpMetadata: { contentType: "application/json" } });
    this.cache.set(node.name, Promise.resolve(node));
  }

  /** Deletes the custom node's document; false when there was none. */
  async delete(name: string): Promise<boolean> {
    const key = keyOf(this.userId, name);
    if (!(await this.bucket.head(key))) return false;
    await this.bucket.delete(key);
    this.cache.set(name, Promise.resolve(null));
    return true;
  }

  /** Forgets what this request read. */
  reload(): void {
    this.cache.clear();
  }

  private async read(name: string): Promise<CustomNode | null> {
    if (!NAME.test(name)) return null;
    const object = await this.bucket.get(keyOf(this.userId, name));
    if (!object) return null;
    const parsed = CustomNodeSchema.safeParse(await object.json());
    // Only this module writes these objects; one that no longer parses is treated as missing, not as a 500.
    return parsed.success ? parsed.data : null;
  }
}
