import { freePort } from "../helpers/free-port";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../gpu-runner/src/config";
import { BUILTIN_MODELS } from "../../gpu-runner/src/kernels/builtin-models";
import { createLogger } from "../../gpu-runner/src/log";
import { type RunningServer, startServer } from "../../gpu-runner/src/server";
import { signedGetPath, signedPutTemplate } from "../../edge/runners/blob-urls";
import { RunnerPool } from "../../host/runners/pool";
import type { RunnerHealth } from "../../schema/runner";
import { randomToken, tempCacheDir } from "../runner/helpers/runner";
import { migratedStateDir, startDeployedBundle, type LocalEdge } from "./local-edge";

/**
 * Media by reference end to end: the Worker (workerd, real R2) and a real gpu-runner process. A 3000x3000 PNG,
 * far above GPU_RUNNER_INLINE_MEDIA_BYTES, goes through an image node: the runner fetches it from the edge's
 * signed blob route and puts the result back the same way, so the runner's request and result stay a few KiB
 * (its /health counters say so) while the pixels come back exactly inverted.
 */

const SERVER_TOKEN = "media-by-reference-e2e-server-token";
const RUNNER_TOKEN = randomToken();
const W = 3000;
const H = 3000;

let edge: LocalEdge;
let runner: RunningServer | undefined;
let edgeUrl: string;
const cache = tempCacheDir();

const api = (method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}) =>
  fetch(`${edgeUrl}${path}`, { method, body, headers: { Authorization: `Bearer ${SERVER_TOKEN}`, ...headers } });

async function runGraph(name: string, graph: unknown): Promise<{ status: string; results: Record<string, unknown>; error?: string }> {
  const saved = await api("POST", "/api/workflows", JSON.stringify({ name, graph }), { "Content-Type": "application/json" });
  expect(saved.status, await saved.clone().text()).toBe(201);
  const { id } = (await saved.json()) as { id: string };
  const res = await api("POST", `/workflows/${id}/run`, JSON.stringify({ params: {} }), { "Content-Type": "application/json" });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { status: string; results: Record<string, unknown>; error?: string };
}

async function runnerHealth(): Promise<RunnerHealth> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${runner!.url}/health`, { headers: { Authorization: `Bearer ${RUNNER_TOKEN}`, Connection: "close" } });
      return (await res.json()) as RunnerHealth;
    } catch (err) {
      if (attempt >= 2) throw err;
    }
  }
}

/** A pattern with structure and detail in every channel, so a wrong pixel anywhere shows. */
function pixels(width: number, height: number): Buffer {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = (x * 7 + y * 3) & 255;
      raw[i + 1] = (x ^ y) & 255;
      raw[i + 2] = ((x * y) >> 3) & 255;
    }
  }
  return raw;
}

const invertGraph = (uri: string) => ({
  nodes: [
    { id: "inv", type: "lib.pillow.filter.Invert", data: { image: { type: "image", uri } } },
    { id: "o", type: "nodetool.output.Output", data: { name: "out" } },
  ],
  edges: [{ id: "e1", source: "inv", sourceHandle: "output", target: "o", targetHandle: "value" }],
});

/** Stores a PNG through the storage API and returns its storage path. */
async function storePng(key: string, raw: Buffer, width: number, height: number): Promise<{ uri: string; size: number }> {
  const png = await sharp(raw, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
  const res = await api("PUT", `/admin/storage/temp/${key}`, new Uint8Array(png), { "Content-Type": "image/png" });
  expect(res.status, await res.clone().text()).toBe(201);
  return { uri: `/storage/temp/${key}`, size: png.length };
}

/** The output image as RGB pixels (decoded with sharp, independently of the runner). */
async function rgbOf(ref: { uri: string }): Promise<{ data: Buffer; width: number; height: number }> {
  const res = await fetch(ref.uri.startsWith("http") ? ref.uri : `${edgeUrl}${ref.uri}`);
  expect(res.status).toBe(200);
  const { data, info } = await sharp(Buffer.from(await res.arrayBuffer())).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

beforeAll(async () => {
  // The edge as deployed (workerd on the bundle: no dev server that reloads when sources change), told where
  // the runner will listen; the runner, in this process with real worker threads, is told where the edge is.
  const runnerPort = await freePort();
  edge = await startDeployedBundle(migratedStateDir(), {
    AUTH_PROVIDER: "static",
    SERVER_AUTH_TOKEN: SERVER_TOKEN,
    GPU_RUNNER_URLS: `http://127.0.0.1:${runnerPort}`,
    GPU_RUNNER_TOKEN: RUNNER_TOKEN,
  });
  edgeUrl = edge.url;
  const config = loadConfig({
    GPU_RUNNER_TOKEN: RUNNER_TOKEN,
    GPU_RUNNER_PORT: String(runnerPort),
    GPU_RUNNER_WORKERS: "1",
    GPU_RUNNER_LOG_LEVEL: "warn",
    EDGE_URL: edgeUrl,
    MODEL_CACHE_DIR: cache.dir,
  });
  runner = await startServer(config, createLogger(config.logLevel), BUILTIN_MODELS);
  const deadline = Date.now() + 60_000;
  let health = await runnerHealth();
  while (!health.media?.by_reference && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    health = await runnerHealth();
  }
  expect(health.media, JSON.stringify(health.media)).toMatchObject({ by_reference: true });
}, 180_000);

afterAll(async () => {
  await edge?.stop();
  await runner?.close();
  cache.remove();
});

describe("media by reference through a real gpu-runner", () => {
  it("a 3000x3000 PNG goes to the runner and back by reference; the pixels are exactly inverted", async () => {
    const raw = pixels(W, H);
    const input = await storePng("e2e/big.png", raw, W, H);
    expect(input.size).toBeGreaterThan(256 * 1024);
    const before = (await runnerHealth()).media!;

    const out = await runGraph("invert big", invertGraph(input.uri));
    expect(out.status, out.error).toBe("completed");
    const ref = out.results.out as { type: string; uri: string; data?: unknown };
    expect(ref.type).toBe("image");
    // Stored by the runner itself, in the job's temp folder, and handed on as a URL only.
    expect(ref.uri).toMatch(/\/storage\/temp\/[^/]+\/r-[0-9a-f]+\/0\.png$/);
    expect(ref.data ?? null).toBeNull();

    const media = (await runnerHealth()).media!;
    expect(media.blobs_downloaded - before.blobs_downloaded).toBe(1);
    expect(media.blob_bytes_downloaded - before.blob_bytes_downloaded).toBe(input.size);
    expect(media.blobs_uploaded - before.blobs_uploaded).toBe(1);
    expect(media.blob_bytes_uploaded - before.blob_bytes_uploaded).toBeGreaterThan(256 * 1024);
    // The request and the result carried paths and numbers, not pixels.
    expect(media.last_request_bytes).toBeLessThan(4096);
    expect(media.last_result_bytes).toBeLessThan(4096);

    const img = await rgbOf(ref);
    expect([img.width, img.height]).toEqual([W, H]);
    let wrong = 0;
    for (let i = 0; i < raw.length; i++) if (img.data[i] !== 255 - raw[i]) wrong++;
    expect(wrong).toBe(0);
  }, 240_000);

  it("a small image stays inline in the request and the result", async () => {
    const raw = pixels(40, 30);
    const input = await storePng("e2e/small.png", raw, 40, 30);
    expect(input.size).toBeLessThan(256 * 1024);
    const before = (await runnerHealth()).media!;
    const out = await runGraph("invert small", invertGraph(input.uri));
    expect(out.status, out.error).toBe("completed");
    const media = (await runnerHealth()).media!;
    expect(media.blobs_downloaded).toBe(before.blobs_downloaded);
    expect(media.blobs_uploaded).toBe(before.blobs_uploaded);
    expect(media.last_request_bytes).toBeGreaterThan(input.size);
    const img = await rgbOf(out.results.out as { uri: string });
    expect([...img.data.subarray(0, 6)]).toEqual([...raw.subarray(0, 6)].map((v) => 255 - v));
  });

  it("an input that is not there fails the node naming it, before any runner is asked", async () => {
    const out = await runGraph("invert missing", invertGraph("/storage/temp/e2e/nope.png"));
    expect(out.status).toBe("failed");
    expect(out.error).toMatch(/nope\.png.*not found/);
  });

  it("a refused blob URL (expired, wrong signature, unknown key, wrong folder) fails the request with the edge's reason", async () => {
    const input = await storePng("e2e/refused.png", pixels(600, 600), 600, 600);
    const key = "temp/e2e/refused.png";
    const pool = new RunnerPool({ urls: [`http://127.0.0.1:${new URL(runner!.url).port}`], token: RUNNER_TOKEN, idleTimeoutMs: 30_000 });
    const now = Math.floor(Date.now() / 1000);
    const image = (url: string, size = input.size) => ({ kernel: "image", images: [{ blob: { url, size } }], ops: [{ op: "invert" }], job_id: "refused" });
    const good = await signedGetPath(RUNNER_TOKEN, key, now + 600);
    const sig = new URL(good, edgeUrl).searchParams.get("sig")!;
    const tampered = good.replace(`sig=${sig}`, `sig=${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`);
    const cases: [Record<string, unknown>, RegExp][] = [
      [image(await signedGetPath(RUNNER_TOKEN, key, now - 1)), /the edge refused media input 0: HTTP 403: .*expired at/],
      [image(tampered), /the edge refused media input 0: HTTP 403: .*signature does not match/],
      [image(await signedGetPath(RUNNER_TOKEN, "temp/e2e/none.png", now + 600)), /the edge refused media input 0: HTTP 404: Blob not found/],
      [image(good, input.size - 1), /larger than the \d+ bytes the request declared/],
      [
        { ...image(good), upload: { url: (await signedPutTemplate(RUNNER_TOKEN, "temp/e2e/out/", now + 600)).replace("/out/", "/elsewhere/"), inline_max_bytes: 0 } },
        /the edge refused output 0: HTTP 403: .*signature does not match/,
      ],
    ];
    for (const [request, message] of cases) await expect(pool.infer(request), JSON.stringify(request).slice(0, 200)).rejects.toThrow(message);
  }, 120_000);
});
