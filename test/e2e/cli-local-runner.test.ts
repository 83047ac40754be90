import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * `nodetool-edge run --local` of the bundled ML examples with no runner configured: the CLI starts a gpu-runner
 * in its own process for the run, and the examples' sample media (shipped inside the files) run as they are.
 */

const ROOT = path.resolve(__dirname, "..", "..");

function cli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
    const child = spawn(process.execPath, [path.join(ROOT, "cli", "bin.mjs"), ...args], { cwd: ROOT, env: childEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const lastResult = (stdout: string) => {
  const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; status?: string; result?: Record<string, unknown> });
  return lines.filter((m) => m.type === "job_update" && m.status === "completed").at(-1)?.result;
};

describe("run --local with GPU nodes and no runner configured", () => {
  it("reads the OCR example's sample image on a runner of its own", async () => {
    const run = await cli(["run", "--local", "image-ocr", "--jsonl"], { GPU_RUNNER_URLS: undefined, GPU_RUNNER_TOKEN: undefined });
    expect(run.code, run.stderr).toBe(0);
    expect(lastResult(run.stdout)?.text).toBe("Hello from the edge");
  }, 120_000);

  it("finds the speech in the speech example's sample recording", async () => {
    const run = await cli(["run", "--local", "detect-speech", "--jsonl"], { GPU_RUNNER_URLS: undefined, GPU_RUNNER_TOKEN: undefined });
    expect(run.code, run.stderr).toBe(0);
    const result = lastResult(run.stdout) as { segments: { start: number; end: number }[]; speech_seconds: number };
    expect(result.segments.length).toBeGreaterThan(0);
    expect(result.speech_seconds).toBeGreaterThan(1.5);
    expect(result.speech_seconds).toBeLessThan(2.3);
  }, 120_000);

  it("runs without a runner when GPU_RUNNER_URLS is set empty", async () => {
    const run = await cli(["run", "--local", "detect-speech"], { GPU_RUNNER_URLS: "" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no gpu-runner available/);
  }, 120_000);
});
