import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunnerPool } from "../../host/runners/pool";
import { runWorkflow } from "../../engine/executor/run-workflow";
import type { InferenceService } from "../../engine/inference/types";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import type { RunnerHealth } from "../../schema/runner";
import { randomToken, startRunnerProcess, type ChildRunner } from "../runner/helpers/runner";
import { graph, registry } from "../engine/helpers";

/**
 * A gpu-runner process killed with SIGKILL while its worker runs an image kernel, with a second runner in the
 * pool: the node either completes on the survivor (the pool retries only what the dead runner had not yet
 * answered) with the right pixels, or fails naming the runner that died; either way the next image job runs.
 * The job is long by its work, not by luck: a 9 x 9 RankFilter (a median, histogram per pixel and channel) over
 * a 1024 x 1024 RGB image takes the kernel seconds, and the kill waits until a runner reports the request in
 * flight on a busy worker.
 */

const TOKEN = randomToken();
const SIDE = 1024;
const SIZE = 9;
const RANK = (SIZE * SIZE) >> 1;
let runners: ChildRunner[] = [];
let pool: RunnerPool;

beforeAll(async () => {
  runners = await Promise.all([0, 1].map(() => startRunnerProcess({ GPU_RUNNER_TOKEN: TOKEN, GPU_RUNNER_WORKERS: "1" })));
  pool = new RunnerPool({ urls: runners.map((r) => r.url), token: TOKEN, idleTimeoutMs: 10_000 });
});
afterAll(async () => {
  for (const runner of runners) await runner.kill("SIGKILL");
});

const inference = (jobId: string): InferenceService => ({ infer: (request, options) => pool.infer({ ...request, job_id: jobId }, options) });

async function health(runner: ChildRunner): Promise<RunnerHealth | undefined> {
  try {
    const res = await fetch(`${runner.url}/health`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    return res.status === 200 ? ((await res.json()) as RunnerHealth) : undefined;
  } catch {
    return undefined;
  }
}

/** The runner whose worker holds the request: accepted (in_flight) and handed to a worker (busy_workers). */
async function runnerWithJobInFlight(timeoutMs = 60_000): Promise<ChildRunner> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const runner of runners) {
      const h = await health(runner);
      if (h && h.in_flight > 0 && h.busy_workers > 0) return runner;
    }
    if (Date.now() > deadline) throw new Error("no runner reported the image job in flight");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Deterministic noise (an LCG): every 9 x 9 window holds many different values, so the median is not trivial. */
function noise(): { png: Uint8Array; rgb: Uint8Array } {
  const img = new PNG({ width: SIDE, height: SIDE });
  const rgb = new Uint8Array(SIDE * SIDE * 3);
  let s = 12345;
  for (let p = 0; p < SIDE * SIDE; p++) {
    for (let c = 0; c < 3; c++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      rgb[p * 3 + c] = img.data[p * 4 + c] = s >>> 24;
    }
    img.data[p * 4 + 3] = 255;
  }
  return { png: new Uint8Array(PNG.sync.write(img)), rgb };
}

/** Pillow's RankFilter at one pixel, by sorting its window (edges repeat the border pixels). */
function rankAt(rgb: Uint8Array, x: number, y: number, c: number): number {
  const m = SIZE >> 1;
  const clamp = (v: number) => Math.min(SIDE - 1, Math.max(0, v));
  const values: number[] = [];
  for (let dy = -m; dy <= m; dy++) for (let dx = -m; dx <= m; dx++) values.push(rgb[(clamp(y + dy) * SIDE + clamp(x + dx)) * 3 + c]);
  return values.sort((a, b) => a - b)[RANK];
}

describe("a gpu-runner killed in the middle of an image job", () => {
  it("SIGKILL while the kernel runs: the node completes on the other runner or fails naming the dead one; the next job runs", async () => {
    const { png, rgb } = noise();
    const blobs = new MemoryBlobStore();
    const uri = blobs.add(png, "image/png");
    const g = graph(
      [
        { id: "median", type: "lib.pillow.enhance.RankFilter", data: { image: { type: "image", uri }, size: SIZE, rank: RANK } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [["median", "output", "out", "value"]],
    );
    const running = runWorkflow(g, {}, { registry, emit: () => undefined, services: { blobs, inference: inference("job-killed-media") } });
    const victim = await runnerWithJobInFlight();
    const survivor = runners.find((r) => r !== victim)!;
    const completedBefore = (await health(survivor))?.stats?.completed ?? 0;
    const exit = await victim.kill("SIGKILL");
    expect(exit.signal).toBe("SIGKILL");
    const result = await running;

    // Before the runner answered, the pool retries on the other runner (an image job is idempotent); once it
    // had answered (the streamed answer starts at once), the work may have run, so the node fails instead.
    if (result.status === "completed") {
      expect((await health(survivor))?.stats?.completed).toBeGreaterThan(completedBefore);
      const ref = result.outputs.out.at(-1) as { uri: string };
      const out = PNG.sync.read(Buffer.from((await blobs.read(ref.uri)).bytes));
      expect([out.width, out.height]).toEqual([SIDE, SIDE]);
      for (const [x, y] of [[0, 0], [500, 300], [SIDE - 1, SIDE - 2]]) {
        for (let c = 0; c < 3; c++) expect(out.data[(y * SIDE + x) * 4 + c]).toBe(rankAt(rgb, x, y, c));
      }
    } else {
      expect(result.status).toBe("failed");
      expect(result.error).toContain(`gpu-runner ${victim.url} failed mid-inference`);
    }

    // The pool has seen the dead runner fail: the next job goes to the survivor and completes.
    const small = new PNG({ width: 4, height: 4 });
    small.data.fill(200);
    const next = graph(
      [
        { id: "inv", type: "lib.pillow.filter.Invert", data: { image: { type: "image", uri: blobs.add(new Uint8Array(PNG.sync.write(small)), "image/png") } } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [["inv", "output", "out", "value"]],
    );
    const after = await runWorkflow(next, {}, { registry, emit: () => undefined, services: { blobs, inference: inference("job-after-kill") } });
    expect(after.status, after.error).toBe("completed");
    const inverted = PNG.sync.read(Buffer.from((await blobs.read((after.outputs.out.at(-1) as { uri: string }).uri)).bytes));
    expect([...inverted.data.subarray(0, 3)]).toEqual([55, 55, 55]);
  }, 120_000);
});
