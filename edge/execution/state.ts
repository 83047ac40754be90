import type { CaptureIndex, StateEntry, StateResetRequest } from "../../schema/execution";
import { getConfig } from "../config/config";
import type { Env } from "../config/env";
import { presetStore } from "../presets/service";
import { describeFetchError } from "../../host/runners/health";
import { capturePrefix, deletePrefix, itemKey, listCaptureRuns, readIndex, writeIndex } from "./capture-store";

/** The most captures one list or reset looks at. */
export const MAX_STATE_RUNS = 200;

const RUNNER_REASON =
  "Model sessions on the gpu-runners are shared by every user of the runner and kept by the runner's own cache; the runner offers no unload call, so they cannot be reset from here";
const PRESET_REASON = "A preset is a definition, not run state; delete it with DELETE /api/presets/{name}";
const USER_DATA_REASON =
  "SQLite databases and vector collections that nodes write are the user's data, not per-run state; they are neither listed nor reset here (a node's own statements manage them)";

/** Loaded model sessions of every configured runner, from its /health (`loaded_models`). */
async function runnerSessions(env: Env): Promise<{ entries: StateEntry[]; notes: string[] }> {
  const config = getConfig(env);
  const entries: StateEntry[] = [];
  const notes: string[] = [];
  if (config.gpuRunnerUrls.length === 0) notes.push("No gpu-runners are configured (GPU_RUNNER_URLS), so no model sessions are loaded");
  await Promise.all(
    config.gpuRunnerUrls.map(async (url) => {
      try {
        const res = await fetch(`${url}/health`, { headers: { Authorization: `Bearer ${config.gpuRunnerToken ?? ""}` }, signal: AbortSignal.timeout(2000) });
        if (!res.ok) {
          await res.body?.cancel();
          notes.push(`Runner ${url} answered HTTP ${res.status} to /health`);
          return;
        }
        const health = (await res.json()) as { loaded_models?: { id: string; name: string; bytes: number; workers: number }[] };
        for (const m of health.loaded_models ?? []) {
          entries.push({ kind: "runner_session", scope: "runner", id: m.id, detail: { runner: url, name: m.name, bytes: m.bytes, workers: m.workers }, resettable: false, reason: RUNNER_REASON });
        }
      } catch (err) {
        notes.push(`Runner ${url} did not answer /health: ${describeFetchError(err)}`);
      }
    }),
  );
  return { entries, notes };
}

async function captures(env: Env, userId: string): Promise<CaptureIndex[]> {
  const runs = await listCaptureRuns(env, userId, MAX_STATE_RUNS);
  const indexes = await Promise.all(runs.map((r) => readIndex(env, userId, r).catch(() => null)));
  return indexes.filter((i): i is CaptureIndex => i !== null);
}

export async function listState(env: Env, userId: string): Promise<{ entries: StateEntry[]; notes: string[] }> {
  const [runners, presets, caps] = await Promise.all([runnerSessions(env), presetStore(env, userId).all(), captures(env, userId)]);
  const entries: StateEntry[] = [
    ...runners.entries,
    ...presets.map((p) => ({ kind: "preset" as const, scope: "node" as const, id: p.node_type, detail: { name: p.name }, resettable: false, reason: PRESET_REASON })),
    ...caps.map((c) => ({
      kind: "capture" as const,
      scope: "graph" as const,
      id: c.run_id,
      workflow_id: c.workflow_id,
      node_ids: [...new Set(c.ports.map((p) => p.node_id))],
      detail: { status: c.status, items: c.items, bytes: c.bytes, finished_at: c.finished_at, expires_at: c.expires_at },
      resettable: true,
    })),
  ];
  return { entries, notes: [...runners.notes, USER_DATA_REASON] };
}

/**
 * Resets what can be reset: the captured outputs of the chosen runs (a run, a saved workflow's runs, or all
 * runs), whole or only one node's ports. What cannot be reset is listed with the reason.
 */
export async function resetState(env: Env, userId: string, req: StateResetRequest) {
  const reset: { kind: string; id: string; node_id?: string }[] = [];
  let targets: CaptureIndex[];
  if (req.run_id !== undefined) {
    const one = await readIndex(env, userId, req.run_id);
    targets = one ? [one] : [];
  } else {
    targets = await captures(env, userId);
  }
  if (req.workflow_id !== undefined) targets = targets.filter((t) => t.workflow_id === req.workflow_id);
  for (const index of targets) {
    if (req.node_id === undefined) {
      await deletePrefix(env.STORAGE, capturePrefix(userId, index.run_id));
      reset.push({ kind: "capture", id: index.run_id });
      continue;
    }
    const gone = index.ports.filter((p) => p.node_id === req.node_id);
    if (gone.length === 0) continue;
    const keys = gone.flatMap((p) => p.items.filter((i) => i.stored).map((i) => itemKey(userId, index.run_id, i.id)));
    for (let i = 0; i < keys.length; i += 1000) await env.STORAGE.delete(keys.slice(i, i + 1000));
    const kept = index.ports.filter((p) => p.node_id !== req.node_id);
    const removedBytes = gone.reduce((n, p) => n + p.items.filter((i) => i.stored).reduce((m, i) => m + i.bytes, 0), 0);
    await writeIndex(env, userId, { ...index, ports: kept, bytes: index.bytes - removedBytes, items: index.items - gone.reduce((n, p) => n + p.count, 0) });
    reset.push({ kind: "capture", id: index.run_id, node_id: req.node_id });
  }
  return {
    reset,
    not_reset: [
      { kind: "runner_session", reason: RUNNER_REASON },
      { kind: "preset", reason: PRESET_REASON },
      { kind: "user_data", reason: USER_DATA_REASON },
    ],
  };
}
