/**
 * Structural bounds of a JSON body, checked before anything walks it: every parser, validator and serializer
 * after this point recurses, and a body nested ten thousand deep would overflow its stack.
 */

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of arrays and objects in JSON text, found by a flat scan (no parse, no recursion). */
export function jsonDepth(bytes: Uint8Array, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (++depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      depth--;
    }
  }
  return max;
}

export interface GraphSize {
  nodes: number;
  edges: number;
}

const length = (v: unknown): number => (Array.isArray(v) ? v.length : 0);

/**
 * The size of the workflow graph a body carries: `graph` (workflows, graph tools) or a bare `{nodes, edges}`
 * graph (graph tools).
 */
export function graphSize(body: unknown): GraphSize | null {
  if (!body || typeof body !== "object" || Array.isArray(body)) return null;
  const record = body as Record<string, unknown>;
  const graph = record.graph && typeof record.graph === "object" ? (record.graph as Record<string, unknown>) : record;
  if (!Array.isArray(graph.nodes) && !Array.isArray(graph.edges)) return null;
  return { nodes: length(graph.nodes), edges: length(graph.edges) };
}

/**
 * The deepest nesting of arrays and objects in a value already decoded (a MessagePack WebSocket frame), counted as
 * jsonDepth counts text: the value itself is level 1. Walked with a stack of its own, never by recursion.
 */
export function valueDepth(value: unknown, stopAbove = Infinity): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== "object" || ArrayBuffer.isView(item)) continue;
    if (depth > max) {
      max = depth;
      if (max > stopAbove) return max;
    }
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return max;
}
