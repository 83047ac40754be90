import { z } from "zod";
import { entries, httpBaseUrl, positiveNumber, type Setting, type SettingsShape, text } from "./env-settings";

export const DEFAULT_GPU_RUNNER_TIMEOUT_SECONDS = 30;

/** A GPU_RUNNER_URLS entry: an http(s) base URL (no query or credentials), kept without a trailing slash. */
const RunnerUrl = z.string().transform((entry, ctx) => {
  const base = httpBaseUrl(entry);
  if (base !== null) return base;
  // Credentials in a URL are secrets: masked in the sentence, which reaches logs and /health.
  ctx.addIssue({ code: "custom", message: `GPU_RUNNER_URLS entries must be http(s) base URLs without query or credentials, got '${entry.replace(/\/\/[^@/]*@/, "//***@")}'` });
  return z.NEVER;
});

const runnerUrls: Setting<string[]> = {
  read: (name, raw, problems) => [...new Set(entries(RunnerUrl).read(name, raw, problems))],
};

/** The gpu-runner pool's variables, read alike by the Worker (edge/config/schema.ts) and the CLI (cli/config.ts). */
export const RUNNER_SETTINGS = {
  GPU_RUNNER_URLS: runnerUrls,
  GPU_RUNNER_TOKEN: text(),
  GPU_RUNNER_TIMEOUT_SECONDS: positiveNumber(DEFAULT_GPU_RUNNER_TIMEOUT_SECONDS),
} satisfies SettingsShape;
