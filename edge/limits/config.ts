import { getConfig } from "../config/config";
import type { Env } from "../config/env";

/** The request bounds (README "Configuration"): what a client controls, each with a limit. */
export interface Limits {
  /** MAX_BODY_BYTES: largest request body outside the streamed uploads. */
  maxBodyBytes: number;
  /** MAX_JSON_DEPTH: deepest nesting of arrays and objects in a JSON body. */
  maxJsonDepth: number;
  /** MAX_GRAPH_NODES / MAX_GRAPH_EDGES: largest workflow graph a body may carry. */
  maxGraphNodes: number;
  maxGraphEdges: number;
}

export const DEFAULT_LIMITS: Omit<Limits, "maxBodyBytes"> = {
  // NodeTool documents nest a handful of levels; 64 leaves room and keeps every recursive walk shallow.
  maxJsonDepth: 64,
  maxGraphNodes: 5_000,
  maxGraphEdges: 20_000,
};

function bound(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n > 0) return n;
  console.warn(`[config] ${name} must be a positive integer, got '${raw}'; using ${fallback}`);
  return fallback;
}

const cache = new WeakMap<object, Limits>();

/** The limits of this env; parsed once per isolate (the env object lives as long as the isolate). */
export function getLimits(env: Env): Limits {
  let limits = cache.get(env);
  if (!limits) {
    limits = {
      maxBodyBytes: Math.floor(getConfig(env).maxBodyBytes),
      maxJsonDepth: bound(env.MAX_JSON_DEPTH, DEFAULT_LIMITS.maxJsonDepth, "MAX_JSON_DEPTH"),
      maxGraphNodes: bound(env.MAX_GRAPH_NODES, DEFAULT_LIMITS.maxGraphNodes, "MAX_GRAPH_NODES"),
      maxGraphEdges: bound(env.MAX_GRAPH_EDGES, DEFAULT_LIMITS.maxGraphEdges, "MAX_GRAPH_EDGES"),
    };
    cache.set(env, limits);
  }
  return limits;
}
