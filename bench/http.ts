import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
// @ts-expect-error: plain ESM helper shared with npm start, without type declarations
import { applyLocalMigrations, startLocalEdge } from "../scripts/local-edge.mjs";
import { fmt, percentile } from "./stats";
import { THREE_NODES } from "./workflows";

/** Fires `total` requests with `concurrency` in flight; returns latencies (ms) and requests per second. */
async function load(request: () => Promise<Response>, total: number, concurrency: number): Promise<{ latencies: number[]; rps: number }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      const start = performance.now();
      const res = await request();
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`request failed with ${res.status}`);
      latencies.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return { latencies: latencies.sort((a, b) => a - b), rps: total / seconds };
}

/**
 * Local D1 and Durable Object storage are SQLite files that the emulator syncs to disk on every commit; a
 * run commits several times, /health never. On a RAM disk the comparison shows our server's own cost,
 * on disk it includes the emulator's fsyncs. Both are measured and printed.
 */
export async function benchHttp(): Promise<string[]> {
  const lines: string[] = [];
  if (existsSync("/dev/shm")) lines.push(...(await benchHttpWithState("/dev/shm", "state in RAM (/dev/shm)")));
  lines.push(...(await benchHttpWithState(tmpdir(), "state on disk")));
  return lines;
}

async function benchHttpWithState(parent: string, label: string): Promise<string[]> {
  const state = mkdtempSync(path.join(parent, "nodetool-edge-bench-"));
  applyLocalMigrations(state);
  const edge = await startLocalEdge({ persistTo: state, vars: { AUTH_PROVIDER: "local" } });
  try {
    const created = await fetch(`${edge.url}/api/workflows`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(THREE_NODES) });
    const { id } = (await created.json()) as { id: string };
    const run = () => fetch(`${edge.url}/api/workflows/${id}/run`, { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"params":{"text":"bench"}}' });
    const health = () => fetch(`${edge.url}/health`);
    const check = await (await run()).json();
    if ((check as { text?: string }).text !== "BENCH") throw new Error(`unexpected run result ${JSON.stringify(check)}`);

    const CONCURRENCY = 16;
    await load(health, 200, CONCURRENCY);
    await load(run, 100, CONCURRENCY);
    // Interleave the two measurements so drift on a noisy machine hits both alike.
    const h1 = await load(health, 1000, CONCURRENCY);
    const r1 = await load(run, 500, CONCURRENCY);
    const h2 = await load(health, 1000, CONCURRENCY);
    const r2 = await load(run, 500, CONCURRENCY);
    const hl = [...h1.latencies, ...h2.latencies].sort((a, b) => a - b);
    const rl = [...r1.latencies, ...r2.latencies].sort((a, b) => a - b);
    const hp50 = percentile(hl, 50);
    const rp50 = percentile(rl, 50);
    return [
      `http [${label}]: GET /health   c=${CONCURRENCY}  p50 ${fmt(hp50)} ms  p99 ${fmt(percentile(hl, 99))} ms  ${fmt((h1.rps + h2.rps) / 2, 0)} req/s`,
      `http [${label}]: sync run (3 nodes) c=${CONCURRENCY}  p50 ${fmt(rp50)} ms  p99 ${fmt(percentile(rl, 99))} ms  ${fmt((r1.rps + r2.rps) / 2, 0)} runs/s`,
      `http [${label}]: sync run p50 / health p50 = ${fmt(rp50 / hp50, 2)}x (target < 5x)`,
    ];
  } finally {
    await edge.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
