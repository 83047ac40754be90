import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/** The JWT secret the workerd test project signs its users' tokens with (test/edge/users.ts). */
export const TEST_JWT_SECRET = "test-secret-for-the-workerd-suite-000000";

export default defineConfig({
  test: {
    // One scratch directory for the run's local state, removed at the end (test/fixtures/scratch.ts).
    globalSetup: ["./test/fixtures/scratch.ts"],
    projects: [
      {
        test: { name: "engine", include: ["test/engine/**/*.test.ts"], environment: "node" },
      },
      {
        // Route tests inside workerd with real D1 and Durable Objects. Supabase HS256 auth lets a test act as
        // several users; the other auth modes are covered black-box in test/e2e.
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                AUTH_PROVIDER: "supabase",
                SUPABASE_JWT_SECRET: TEST_JWT_SECRET,
                MAX_BODY_BYTES: "65536",
                SSE_KEEPALIVE_MS: "100",
                // Small, so the queue can be tested with a few jobs (per user: other tests are unaffected).
                MAX_CONCURRENT_JOBS_PER_USER: "2",
                // Small, so storage tests can cross it; remote media is allowed so its address checks are reached.
                MAX_UPLOAD_BYTES: "2097152",
                ALLOW_REMOTE_MEDIA_FETCH: "true",
                // Small, so model uploads can cross it (tests that need more pass their own env to the app).
                MAX_MODEL_BYTES: "1048576",
                // Opens the runner model route; no GPU_RUNNER_URLS, so GPU nodes here find no runner.
                GPU_RUNNER_TOKEN: "test-runner-token-for-the-workerd-suite",
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
              },
            },
          })),
        ],
        test: { name: "workers", include: ["test/edge/**/*.test.ts"], setupFiles: ["./test/edge/apply-migrations.ts"] },
      },
      {
        // The gpu-runner: real onnxruntime-node sessions, worker threads and HTTP (gpu-runner/, test/runner).
        test: { name: "runner", include: ["test/runner/**/*.test.ts"], environment: "node", testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], environment: "node", testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        // The runner page in Debian's Chromium (playwright-core) against the real Worker; see test/browser/harness.ts.
        // groupOrder 1: after the other projects, so Chromium does not compete with their Workers for the CPU.
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
