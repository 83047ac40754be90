import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { RunnerHealthSchema } from "../../../schema/runner";
import { getJson, postInfer, waitFor } from "../helpers/client";
import { linearModel, modelRef, seededFloats, slowModel } from "../helpers/onnx-models";
import { type ChildRunner, REPO_ROOT, RUNNER_MAIN, seedModel, startRunnerProcess } from "../helpers/runner";
import { f32 } from "../helpers/tensors";

// The runner as the process `npm start` and containers run: `node --import tsx gpu-runner/src/main.ts`.
const started: ChildRunner[] = [];
const start = async (env: Record<string, string> = {}) => {
  const child = await startRunnerProcess(env);
  started.push(child);
  return child;
};
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.kill("SIGKILL")));
});

const health = async (runner: ChildRunner) => RunnerHealthSchema.parse((await getJson(runner, "/health")).body);

describe("the runner process", () => {
  it("refuses to start without GPU_RUNNER_TOKEN, saying what to set", () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.GPU_RUNNER_TOKEN;
    const result = spawnSync(process.execPath, ["--import", "tsx", RUNNER_MAIN], { cwd: REPO_ROOT, env, encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("GPU_RUNNER_TOKEN is required");
  });

  it("refuses to start with an invalid setting, naming it", () => {
    const env = { ...process.env, GPU_RUNNER_TOKEN: "t", GPU_RUNNER_PROVIDERS: "tpu", GPU_RUNNER_BATCHING: "{not json" };
    const result = spawnSync(process.execPath, ["--import", "tsx", RUNNER_MAIN], { cwd: REPO_ROOT, env, encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("GPU_RUNNER_PROVIDERS");
    expect(result.stderr).toContain("GPU_RUNNER_BATCHING");
  });

  it("with GPU_RUNNER_PROVIDERS=cuda,cpu on a machine without CUDA, runs on CPU after exactly one warning", async () => {
    const runner = await start({ GPU_RUNNER_PROVIDERS: "cuda,cpu", GPU_RUNNER_WORKERS: "2" });
    const h = await health(runner);
    expect(h.execution_provider).toBe("cpu");
    expect(h.requested_providers).toEqual(["cuda", "cpu"]);
    expect(h.worker_threads).toBe(2);
    const model = linearModel(8, 4, 41);
    seedModel(runner.cacheDir, model.bytes);
    const res = await postInfer(runner, { kernel: "tensor", model: modelRef(model.bytes, "linear"), inputs: { x: f32(seededFloats(8, 1), [1, 8]) } });
    expect(res.status).toBe(200);
    const warnings = runner.output().split("\n").filter((l) => l.includes("execution_provider_fallback"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/WARN execution_provider_fallback requested=cuda,cpu using=cpu reason=/);
    // onnxruntime's own stderr lines about the missing CUDA library are kept out of the log.
    expect(runner.output()).not.toContain("[E:onnxruntime");
  });

  it("a client whose runner is killed (-9) mid-request sees a connection error", async () => {
    const runner = await start();
    const slow = slowModel(512, 48);
    seedModel(runner.cacheDir, slow);
    // Settled into a value at once, so the rejection is never unhandled while the kill is awaited.
    const outcome = postInfer(runner, { kernel: "tensor", model: modelRef(slow, "slow"), inputs: { x: f32(new Float32Array(4096 * 512), [4096, 512]) } }).then(
      (res) => res,
      (err: unknown) => err,
    );
    await waitFor(async () => (await health(runner)).busy_workers === 1);
    expect(await runner.kill("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
    const err = await outcome;
    expect(err).toBeInstanceOf(TypeError);
    expect((err as TypeError).message).toBe("fetch failed");
    expect(((err as TypeError).cause as { code?: string }).code).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
  });

  it("stops on SIGTERM with exit code 0", async () => {
    const runner = await start();
    expect((await health(runner)).status).toBe("ok");
    expect(await runner.kill("SIGTERM")).toEqual({ code: 0, signal: null });
    expect(runner.output()).toContain("INFO stopping signal=SIGTERM");
  });
});
