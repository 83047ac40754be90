// `npm run bench -- media`: the image kernel through a gpu-runner process against the same kernel (the same
// sharp calls and pixel loops) run in this process, on a 2048 x 2048 JPEG: decode, resize to 1024 x 1024,
// Contrast(1.3), encode JPEG, with the same output. Both sides run in turns, and the runner is reached two
// ways: with fetch, as the runner pool does in Node, and with node:http, which leaves out what undici's fetch
// costs the client. Printed as ratios (target: under 1.10) with each side's CPU time, plus the throughput of 32
// concurrent small (256 x 256) image jobs on the runner against the same 32 run one after another in process.
import http from "node:http";
import v8 from "node:v8";
import vm from "node:vm";
import { decode, encode } from "@msgpack/msgpack";
import sharp from "sharp";
import { imageKernel } from "../gpu-runner/src/kernels/image";
import { InferRequestSchema, type InferRequestInput } from "../schema/runner";
import { randomToken, startRunnerProcess } from "../test/runner/helpers/runner";
import { available, cpuMs } from "./process-cpu";
import { fmt, median } from "./stats";

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

/** The kernel in this process, on a fresh copy of the bytes: the runner also decodes a buffer it has never seen. */
async function inProcess(image: Uint8Array): Promise<number> {
  const parsed = InferRequestSchema.parse(request(image.slice()));
  if (parsed.kernel !== "image") throw new Error("unreachable");
  const result = await imageKernel.run(parsed, ctx);
  return result.images[0].data.length;
}

const msgpackHeaders = (token: string) => ({ Authorization: `Bearer ${token}`, "Content-Type": "application/x-msgpack" });

/** What the runner pool does in Node (host/runners): encode the request as msgpack, POST it with fetch, decode the answer. */
async function viaFetch(url: string, token: string, image: Uint8Array): Promise<number> {
  const res = await fetch(`${url}/v1/infer`, { method: "POST", headers: msgpackHeaders(token), body: encode(request(image), { ignoreUndefined: true }) });
  if (res.status !== 200) throw new Error(`runner answered ${res.status}: ${await res.text()}`);
  const result = decode(new Uint8Array(await res.arrayBuffer())) as { images: { data: Uint8Array }[] };
  return result.images[0].data.length;
}

const agent = new http.Agent({ keepAlive: true });

/**
 * The same request and answer over node:http. Uploading a body of megabytes costs undici's fetch several times
 * the CPU of node:http in the client (profiled: the body is copied, cloneAsUint8Array, and wrapped in a web
 * stream, extractBody), which nothing in the runner can change; this side shows what the runner itself adds.
 */
function viaHttp(url: string, token: string, image: Uint8Array): Promise<number> {
  const body = encode(request(image), { ignoreUndefined: true });
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/v1/infer`, { method: "POST", agent, headers: { ...msgpackHeaders(token), "Content-Length": body.byteLength } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const bytes = Buffer.concat(chunks);
        if (res.statusCode !== 200) return reject(new Error(`runner answered ${res.statusCode}: ${bytes.toString()}`));
        resolve((decode(bytes) as { images: { data: Uint8Array }[] }).images[0].data.length);
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

// Every timed run starts on a collected heap: the sides share this process, and without it one side's
// garbage (megabyte request buffers, decoded pixels) is collected, and counted, in another side's run.
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Side {
  wall: number[];
  /** CPU of this process (all its threads, libvips' included) while the side ran. */
  selfCpu: number;
  /** CPU of the runner process while the side ran. */
  runnerCpu: number;
}

/**
 * The sides take turns, one run each per round (the order rotating every round), so all see the same load on
 * a shared machine: timing one side's runs after another's lets a change in the load decide the ratio.
 */
async function interleaved(rounds: number, runnerPid: number, sides: (() => Promise<unknown>)[]): Promise<Side[]> {
  const out: Side[] = sides.map(() => ({ wall: [], selfCpu: 0, runnerCpu: 0 }));
  const cpu = available();
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < sides.length; j++) {
      const k = (round + j) % sides.length;
      const side = out[k];
      collectGarbage();
      const self0 = selfCpuMs();
      const runner0 = cpu ? cpuMs([runnerPid]) : 0;
      const t = performance.now();
      await sides[k]();
      side.wall.push(performance.now() - t);
      side.selfCpu += selfCpuMs() - self0;
      side.runnerCpu += cpu ? cpuMs([runnerPid]) - runner0 : 0;
    }
  }
  return out;
}

const photo = (side: number) => sharp({ create: { width: side, height: side, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } }).jpeg({ quality: 90 }).toBuffer();

export async function benchMedia(): Promise<string[]> {
  const big = new Uint8Array(await photo(2048));
  const small = new Uint8Array(await photo(256));
  const token = randomToken();
  // One worker: the comparison is one pipeline against one pipeline, not the runner's parallelism.
  const runner = await startRunnerProcess({ GPU_RUNNER_TOKEN: token, GPU_RUNNER_WORKERS: "1" });
  try {
    for (let i = 0; i < 2; i++) {
      await inProcess(big);
      await viaFetch(runner.url, token, big);
      await viaHttp(runner.url, token, big);
    }
    const rounds = 9;
    const [local, fetched, posted] = await interleaved(rounds, runner.pid, [
      () => inProcess(big),
      () => viaFetch(runner.url, token, big),
      () => viaHttp(runner.url, token, big),
    ]);
    const l = median(local.wall);
    const f = median(fetched.wall);
    const h = median(posted.wall);
    const lines = [
      `media: 2048x2048 JPEG decode-resize-contrast-encode, ${rounds} interleaved rounds (medians): in process ${fmt(l)} ms; through the runner ${fmt(h)} ms with a node:http client, ratio ${(h / l).toFixed(2)} (target < 1.10); ${fmt(f)} ms with fetch, ratio ${(f / l).toFixed(2)}`,
    ];
    if (available()) {
      const per = (ms: number) => fmt(ms / rounds, 1);
      lines.push(
        `media: CPU per image: in process ${per(local.selfCpu)} ms; through the runner ${per(posted.runnerCpu)} ms in the runner + ${per(posted.selfCpu)} ms in the node:http client, or ${per(fetched.runnerCpu)} + ${per(fetched.selfCpu)} ms with fetch`,
      );
    }

    const many = await startRunnerProcess({ GPU_RUNNER_TOKEN: token });
    try {
      await Promise.all(Array.from({ length: 4 }, () => viaFetch(many.url, token, small)));
      for (let i = 0; i < 4; i++) await inProcess(small);
      let t = performance.now();
      for (let i = 0; i < 32; i++) await inProcess(small);
      const serial = performance.now() - t;
      t = performance.now();
      await Promise.all(Array.from({ length: 32 }, () => viaFetch(many.url, token, small)));
      const concurrent = performance.now() - t;
      lines.push(`media: 32 concurrent 256x256 image jobs on a runner (default workers): ${fmt((32 / concurrent) * 1000)} jobs/s vs ${fmt((32 / serial) * 1000)} jobs/s serial in process (x${(serial / concurrent).toFixed(2)})`);
    } finally {
      await many.kill("SIGTERM");
    }
    return lines;
  } finally {
    await runner.kill("SIGTERM");
    agent.destroy();
  }
}
