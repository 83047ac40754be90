import type { Graph } from "../../schema/workflow";
import type { Env } from "../config/env";
import { expandUserCustomNodes } from "../custom-nodes/service";
import { ApiError } from "../errors/api-error";
import { expandPresets, hasPresetNodes } from "./expand";
import { PresetStore } from "./store";

/** The caller's presets: read from R2 once per request. */
export function presetStore(env: Pick<Env, "STORAGE">, userId: string): PresetStore {
  return new PresetStore(env.STORAGE, userId);
}

/**
 * The graph with the user's preset nodes expanded, for a save or a run: a graph without presets comes back as
 * it is (no storage read); a problem of the expansion (an unknown port, a preset cycle) is a 422.
 */
export async function expandUserPresets(env: Pick<Env, "STORAGE">, userId: string, graph: Graph): Promise<Graph> {
  // Custom nodes (edge/custom-nodes) are rewritten after presets, which may hold them.
  if (!hasPresetNodes(graph)) return expandUserCustomNodes(env, userId, graph);
  const expanded = await expandPresets(graph, presetStore(env, userId));
  if (expanded.issues.length > 0) throw ApiError.invalidGraph(expanded.issues);
  return expandUserCustomNodes(env, userId, expanded.graph);
}
