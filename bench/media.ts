// `npm run bench -- media`: the image kernel through a gpu-runner process against the same kernel (the same
// sharp calls and pixel loops) run in this process, on a 2048 x 2048 JPEG: decode, resize to 1024 x 1024,
// Contrast(1.3), encode JPEG. Printed as a ratio (target: under 1.10), plus the throughput of 32 concurrent
// small (256 x 256) image jobs on the runner against the same 32 run one after another in process.
import { decode, encode } from "@msgpack/msgpack";
import sharp from "sharp";
import { imageKernel } from "../gpu-runner/src/kernels/image";
import { InferRequestSchema, type InferRequestInput } from "../schema/runner";
import { randomToken, startRunnerProcess } from "../test/runner/helpers/runner";
import { fmt } from "./stats";

const ctx = { session: () => Promise.reject(new Error("no models")), progress: () => undefined, checkCancelled: () => undefined };

/** Decode, resize to half the side, Contrast(1.3), encode JPEG. */
function request(image: Uint8Array): InferRequestInput {
  const side = image.length > 1_000_000 ? 1024 : 128;
  return {
    kernel: "image",
    images: [image],
    ops: [
      { op: "resize", width: side, height: side },
      { op: "enhance", kind: "contrast", factor: 1.3 },
    ],
    output: { format: "jpeg", quality: 85 },
  };
}

async function inProcess(image: Uint8Array): Promise<number> {
  const parsed = InferRequestSchema.parse(request(image));
  if (parsed.kernel !== "image") throw new Error("unreachable");
  const result = await imageKernel.run(parsed, ctx);
  return result.images[0].data.length;
}

async function viaRunner(url: string, token: string, image: Uint8Array): Promise<number> {
  const res = await fetch(`${url}/v1/infer`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-msgpack" }, body: encode(request(image)) });
  if (res.status !== 200) throw new Error(`runner answered ${res.status}: ${await res.text()}`);
  const result = decode(new Uint8Array(await res.arrayBuffer())) as { images: { data: Uint8Array }[] };
  return result.images[0].data.length;
}

async function median(runs: number, f: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

const photo = (side: number) => sharp({ create: { width: side, height: side, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } }).jpeg({ quality: 90 }).toBuffer();

export async function benchMedia(): Promise<string[]> {
  const big = new Uint8Array(await photo(2048));
  const small = new Uint8Array(await photo(256));
  const token = randomToken();
  // One worker: the comparison is one pipeline against one pipeline, not the runner's parallelism.
  const runner = await startRunnerProcess({ GPU_RUNNER_TOKEN: token, GPU_RUNNER_WORKERS: "1" });
  try {
    await inProcess(big);
    await viaRunner(runner.url, token, big);
    const local = await median(7, () => inProcess(big));
    const remote = await median(7, () => viaRunner(runner.url, token, big));
    const lines = [`media: 2048x2048 JPEG decode-resize-contrast-encode: in process ${fmt(local)} ms, through the runner ${fmt(remote)} ms, ratio ${(remote / local).toFixed(2)} (target < 1.10)`];

    const many = await startRunnerProcess({ GPU_RUNNER_TOKEN: token });
    try {
      await Promise.all(Array.from({ length: 4 }, () => viaRunner(many.url, token, small)));
      let t = performance.now();
      for (let i = 0; i < 32; i++) await inProcess(small);
      const serial = performance.now() - t;
      t = performance.now();
      await Promise.all(Array.from({ length: 32 }, () => viaRunner(many.url, token, small)));
      const concurrent = performance.now() - t;
      lines.push(`media: 32 concurrent 256x256 image jobs on a runner (default workers): ${fmt((32 / concurrent) * 1000)} jobs/s vs ${fmt((32 / serial) * 1000)} jobs/s serial in process (x${(serial / concurrent).toFixed(2)})`);
    } finally {
      await many.kill("SIGTERM");
    }
    return lines;
  } finally {
    await runner.kill("SIGTERM");
  }
}
