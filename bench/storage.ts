import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
// @ts-expect-error: plain ESM helper shared with npm start, without type declarations
import { ROOT } from "../scripts/local-edge.mjs";
import { fmt, median } from "./stats";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MB = 1_000_000;
const BIG = 10 * MB;
const SMALL = 1000;
const SMALL_OBJECTS = 100;

interface Edge {
  url: string;
  stop(): Promise<void>;
}

/**
 * The Worker of wrangler.toml with the bench-only entry bench/fixtures/storage-direct.worker.ts: the app as
 * deployed, plus a path that reads R2 directly inside the same Worker (the baseline).
 */
async function startBenchWorker(persist: string): Promise<Edge> {
  const { unstable_startWorker } = await import("wrangler");
  const worker = await unstable_startWorker({
    config: path.join(ROOT, "wrangler.toml"),
    entrypoint: path.join(HERE, "fixtures", "storage-direct.worker.ts"),
    bindings: { AUTH_PROVIDER: { type: "plain_text", value: "local" }, MAX_UPLOAD_BYTES: { type: "plain_text", value: String(64 * MB) } },
    dev: { persist, server: { hostname: "127.0.0.1", port: 0 }, inspector: false, watch: false, logLevel: "warn" },
  });
  const url = (await worker.url).toString().replace(/\/$/, "");
  return { url, stop: () => worker.dispose() };
}

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) % 251;
  return out;
}

/** GETs `paths` (round robin) `total` times with `concurrency` in flight; returns bytes/s and requests/s. */
async function load(base: string, paths: string[], total: number, concurrency: number, expectedSize: number): Promise<{ bytesPerSecond: number; rps: number }> {
  let next = 0;
  let received = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < total) {
      const p = paths[next++ % paths.length];
      const res = await fetch(`${base}${p}`);
      const body = await res.arrayBuffer();
      if (res.status !== 200 || body.byteLength !== expectedSize) throw new Error(`GET ${p} answered ${res.status} with ${body.byteLength} bytes`);
      received += body.byteLength;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return { bytesPerSecond: received / seconds, rps: total / seconds };
}

/** Alternates route and direct rounds (drift on a noisy machine hits both alike); the median of each. */
async function compare(
  edge: Edge,
  routePaths: string[],
  directPaths: string[],
  opts: { total: number; concurrency: number; size: number; rounds: number },
): Promise<{ route: { bytesPerSecond: number; rps: number }; direct: { bytesPerSecond: number; rps: number } }> {
  await load(edge.url, routePaths, Math.ceil(opts.total / 4), opts.concurrency, opts.size);
  await load(edge.url, directPaths, Math.ceil(opts.total / 4), opts.concurrency, opts.size);
  const route: { bytesPerSecond: number; rps: number }[] = [];
  const direct: { bytesPerSecond: number; rps: number }[] = [];
  for (let i = 0; i < opts.rounds; i++) {
    // Which goes first alternates too, so neither always follows the other's warm caches.
    const first = i % 2 === 0 ? "route" : "direct";
    for (const which of first === "route" ? ["route", "direct"] : ["direct", "route"]) {
      const r = await load(edge.url, which === "route" ? routePaths : directPaths, opts.total, opts.concurrency, opts.size);
      (which === "route" ? route : direct).push(r);
    }
  }
  const pick = (rs: { bytesPerSecond: number; rps: number }[]) => ({ bytesPerSecond: median(rs.map((r) => r.bytesPerSecond)), rps: median(rs.map((r) => r.rps)) });
  return { route: pick(route), direct: pick(direct) };
}

/**
 * `npm run bench -- storage`: GET throughput through the public storage route (`/storage/assets/<key>`:
 * routing, key checks, headers) against reading R2 directly inside the same Worker, for one 10 MB object
 * and for many 1 KB objects. Target: the route at 80% of direct or better.
 */
export async function benchStorage(): Promise<string[]> {
  const state = mkdtempSync(path.join(tmpdir(), "nodetool-edge-bench-storage-"));
  const edge = await startBenchWorker(state);
  try {
    const put = async (key: string, body: Uint8Array) => {
      const res = await fetch(`${edge.url}/admin/storage/assets/${key}`, { method: "PUT", body });
      if (res.status !== 201) throw new Error(`PUT ${key} answered ${res.status}: ${await res.text()}`);
    };
    await put("1/bench/big.bin", bytes(BIG, 1));
    const smallKeys = Array.from({ length: SMALL_OBJECTS }, (_, i) => `1/bench/small-${i}.bin`);
    for (const [i, key] of smallKeys.entries()) await put(key, bytes(SMALL, i));

    const big = await compare(edge, ["/storage/assets/1/bench/big.bin"], ["/__bench/r2/assets/1/bench/big.bin"], { total: 24, concurrency: 4, size: BIG, rounds: 8 });
    const small = await compare(
      edge,
      smallKeys.map((k) => `/storage/assets/${k}`),
      smallKeys.map((k) => `/__bench/r2/assets/${k}`),
      { total: 400, concurrency: 16, size: SMALL, rounds: 10 },
    );
    const bigRatio = big.route.bytesPerSecond / big.direct.bytesPerSecond;
    const smallRatio = small.route.rps / small.direct.rps;
    return [
      `storage: GET 10 MB object, c=4   route ${fmt(big.route.bytesPerSecond / MB, 0)} MB/s  direct R2 ${fmt(big.direct.bytesPerSecond / MB, 0)} MB/s  route/direct = ${fmt(bigRatio * 100, 0)}% (target >= 80%)`,
      `storage: GET 1 KB objects, c=16  route ${fmt(small.route.rps, 0)} req/s  direct R2 ${fmt(small.direct.rps, 0)} req/s  route/direct = ${fmt(smallRatio * 100, 0)}% (target >= 80%)`,
    ];
  } finally {
    await edge.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
