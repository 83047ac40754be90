import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCliConfig } from "../../cli/config";
import { parseCli } from "../../cli/args";
import { parseConfig } from "../../edge/config/config";
import { WORKER_VARIABLES } from "../../edge/config/schema";

// The settings schemas (edge/config/schema.ts, cli/config.ts, host/config): defaults, problems as sentences
// instead of crashes, and the list of variables that `npm start` forwards and the docs describe.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("the Worker's settings", () => {
  it("has every documented default when nothing is set (and one problem: static auth without a token)", () => {
    const c = parseConfig({});
    expect(c.problems).toEqual(["AUTH_PROVIDER=static needs SERVER_AUTH_TOKEN (or WORKER_AUTH_TOKEN) to be set"]);
    expect(c).toMatchObject({
      authProvider: "static",
      maxBodyBytes: 5 * 1024 * 1024,
      sseKeepaliveMs: 15_000,
      wsHeartbeatMs: 25_000,
      jobMaxRunSeconds: 3600,
      jobLogRetentionSeconds: 86_400,
      jobWatchdogSeconds: 30,
      maxConcurrentJobsPerUser: 32,
      maxModelBytes: 256 * 1024 * 1024,
      gpuRunnerUrls: [],
      gpuRunnerTimeoutSeconds: 30,
      runnerMedia: { inlineMaxBytes: 256 * 1024, urlTtlSeconds: 3600 },
      corsOrigins: "*",
      limits: { maxBodyBytes: 5 * 1024 * 1024, maxJsonDepth: 64, maxGraphNodes: 5000, maxGraphEdges: 20_000 },
      storage: {
        maxUploadBytes: 100 * 1024 * 1024,
        tempRetentionSeconds: 86_400,
        captureRetentionSeconds: 86_400,
        allowRemoteMediaFetch: false,
        publicBaseUrl: null,
        workspaceMaxFileBytes: 25 * 1024 * 1024,
      },
      rateLimits: { keyRequestsPerMinute: 600, keyConcurrentJobs: 0, userRequestsPerMinute: 0, userConcurrentJobs: 0 },
      webhooks: { maxAttempts: 8, retryBaseMs: 10_000, timeoutMs: 15_000 },
      chat: { providers: [], aliases: {}, problems: [], upstreamTimeoutMs: 600_000 },
      fetch: { maxBytes: 20 * 1024 * 1024, timeoutMs: 30_000 },
      search: null,
    });
    expect(c.embeddingModel).toBeUndefined();
  });

  it("reads valid values with their units", () => {
    const c = parseConfig({
      AUTH_PROVIDER: " Supabase ",
      SUPABASE_URL: "https://p.supabase.co",
      WS_HEARTBEAT_MS: "0",
      MAX_CONCURRENT_JOBS_PER_USER: "3.7",
      MAX_GRAPH_NODES: "10",
      CORS_ORIGINS: "https://a.example.com, http://localhost:5173/",
      GPU_RUNNER_URLS: "http://gpu-1:8788/, https://gpu-2.example.com,http://gpu-1:8788",
      GPU_RUNNER_TOKEN: "t",
      GPU_RUNNER_BLOB_URL_TTL_SECONDS: "60",
      ALLOW_REMOTE_MEDIA_FETCH: "yes",
      PUBLIC_BASE_URL: "https://api.example.com/base/",
      KEY_MAX_CONCURRENT_JOBS: "0",
      WEBHOOK_MAX_ATTEMPTS: "99",
      WEBHOOK_TIMEOUT_SECONDS: "2.5",
      FETCH_ALLOW_HOSTS: "127.0.0.1:9000",
      SEARCH_API_KEY: "k",
      OPENAI_API_KEY: "sk",
      EMBEDDING_MODEL: " my-embedder ",
    });
    expect(c.problems).toEqual([]);
    expect(c).toMatchObject({
      authProvider: "supabase",
      wsHeartbeatMs: 0,
      maxConcurrentJobsPerUser: 3,
      corsOrigins: ["https://a.example.com", "http://localhost:5173"],
      gpuRunnerUrls: ["http://gpu-1:8788", "https://gpu-2.example.com"],
      runnerMedia: { urlTtlSeconds: 60 },
      limits: { maxGraphNodes: 10 },
      storage: { allowRemoteMediaFetch: true, publicBaseUrl: "https://api.example.com/base" },
      rateLimits: { keyConcurrentJobs: 0 },
      webhooks: { maxAttempts: 30, timeoutMs: 2500 },
      search: { baseUrl: "https://serpapi.com", apiKey: "k" },
      embeddingModel: "my-embedder",
    });
    expect([...c.fetch.allowed]).toEqual(["127.0.0.1:9000"]);
    expect(c.chat.providers.map((p) => p.name)).toEqual(["openai"]);
  });

  it("turns every invalid value into a sentence naming the variable, the value and what is used instead", () => {
    const c = parseConfig({
      AUTH_PROVIDER: "magic",
      SERVER_AUTH_TOKEN: "s",
      MAX_BODY_BYTES: "-5",
      MAX_JSON_DEPTH: "2.5",
      WS_HEARTBEAT_MS: "soon",
      KEY_REQUESTS_PER_MINUTE: "-1",
      ALLOW_REMOTE_MEDIA_FETCH: "maybe",
      PUBLIC_BASE_URL: "ftp://x",
      CORS_ORIGINS: "https://ok.example.com,https://x.example.com/path",
      GPU_RUNNER_URLS: "http://user:pw@gpu:1/",
      GPU_RUNNER_INLINE_MEDIA_BYTES: "-1",
      CAPTURE_RETENTION_SECONDS: "never",
      FETCH_MAX_BYTES: "0",
      CHAT_UPSTREAM_TIMEOUT_SECONDS: "x",
      MAX_MODEL_BYTES: "big",
    });
    expect(c.problems).toEqual([
      "AUTH_PROVIDER must be one of none, local, static, supabase, got 'magic'; using static",
      "MAX_BODY_BYTES must be a positive number, got '-5'; using 5242880",
      "MAX_JSON_DEPTH must be a positive integer, got '2.5'; using 64",
      "CORS_ORIGINS entries must be origins like https://app.example.com (or *), got 'https://x.example.com/path'",
      "WS_HEARTBEAT_MS must be a positive number (0: off), got 'soon'; using 25000",
      "KEY_REQUESTS_PER_MINUTE must be a whole number (0: no limit), got '-1'; using 600",
      "CHAT_UPSTREAM_TIMEOUT_SECONDS: expected a positive number of seconds, got 'x'",
      "CAPTURE_RETENTION_SECONDS must be a positive number, got 'never'; using 86400",
      "ALLOW_REMOTE_MEDIA_FETCH must be true or false, got 'maybe'; using false",
      "PUBLIC_BASE_URL must be an http(s) URL such as https://api.example.com (no query or credentials), got 'ftp://x'; using each request's origin",
      "FETCH_MAX_BYTES must be a positive number, got '0'; using 20971520",
      "MAX_MODEL_BYTES must be a positive number, got 'big'; using 268435456",
      "GPU_RUNNER_URLS entries must be http(s) base URLs without query or credentials, got 'http://***@gpu:1/'",
      "GPU_RUNNER_INLINE_MEDIA_BYTES must be a whole number of at least 0, got '-1'; using 262144",
    ]);
    // The defaults apply; the valid entries of a list still do.
    expect(c).toMatchObject({ authProvider: "static", maxBodyBytes: 5 * 1024 * 1024, corsOrigins: ["https://ok.example.com"], storage: { publicBaseUrl: null } });
    // Chat calls fail with their own problems only; the rate limiter keeps its own too.
    expect(c.chat.problems).toEqual(["CHAT_UPSTREAM_TIMEOUT_SECONDS: expected a positive number of seconds, got 'x'"]);
    expect(c.rateLimits.problems).toHaveLength(1);
  });

  it("checks settings that depend on each other", () => {
    expect(parseConfig({ AUTH_PROVIDER: "supabase" }).problems).toEqual(["AUTH_PROVIDER=supabase needs SUPABASE_JWT_SECRET (HS256) or SUPABASE_URL (JWKS) to be set"]);
    expect(parseConfig({ AUTH_PROVIDER: "none", GPU_RUNNER_URLS: "http://gpu:1" }).problems).toEqual([
      "GPU_RUNNER_URLS needs GPU_RUNNER_TOKEN (the runners' shared token) to be set",
    ]);
    const chat = parseConfig({ AUTH_PROVIDER: "none", CHAT_DEFAULT_MODEL: "nosuch:model", CHAT_MODEL_ALIASES: "a=anthropic:x" });
    expect(chat.problems).toEqual([expect.stringMatching(/^CHAT_DEFAULT_MODEL 'nosuch:model': /)]);
    expect(chat.chat.problems).toEqual(chat.problems);
    expect(chat.warnings).toEqual([expect.stringMatching(/^CHAT_MODEL_ALIASES: 'a' cannot be used/)]);
  });
});

describe("the list of Worker variables", () => {
  it("is exactly the '## Worker variables' section of docs/configuration.md", () => {
    const markdown = readFileSync(path.join(ROOT, "docs/configuration.md"), "utf8");
    const section = /^## Worker variables$([\s\S]*?)(?=^## )/m.exec(markdown)?.[1] ?? "";
    const documented = [...section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`/gm)].map((m) => m[1]);
    expect([...WORKER_VARIABLES].sort()).toEqual([...new Set(documented)].sort());
  });

  it("is what `npm start` forwards (scripts/start.mjs imports it rather than keeping a copy)", () => {
    const start = readFileSync(path.join(ROOT, "scripts/start.mjs"), "utf8");
    expect(start).toMatch(/WORKER_VARIABLES: FORWARDED \} = await tsImport\("\.\.\/edge\/config\/schema\.ts"/);
    expect(start).not.toMatch(/"MAX_BODY_BYTES",/);
    expect(WORKER_VARIABLES).toEqual(expect.arrayContaining(["MAX_JSON_DEPTH", "MAX_GRAPH_NODES", "MAX_GRAPH_EDGES", "CORS_ORIGINS", "WS_HEARTBEAT_MS", "EMBEDDING_MODEL"]));
  });
});

describe("the CLI's settings", () => {
  it("reads the runner pool, chat, fetch and search settings as the Worker does", () => {
    const c = parseCliConfig({
      GPU_RUNNER_URLS: "http://127.0.0.1:8788/,http://127.0.0.1:8789",
      GPU_RUNNER_TOKEN: "tok",
      GPU_RUNNER_TIMEOUT_SECONDS: "5",
      OPENAI_API_KEY: "sk",
      EMBEDDING_MODEL: "e",
      FETCH_TIMEOUT_SECONDS: "2",
      SEARCH_API_BASE_URL: "http://search.example/",
    });
    expect(c.problems).toEqual([]);
    expect(c.runners).toEqual({ urls: ["http://127.0.0.1:8788", "http://127.0.0.1:8789"], token: "tok", idleTimeoutMs: 5000 });
    expect(c.chat.providers.map((p) => p.name)).toEqual(["openai"]);
    expect(c).toMatchObject({ embeddingModel: "e", fetch: { timeoutMs: 2000 }, search: { baseUrl: "http://search.example", apiKey: "" } });
  });

  it("reports invalid values and keeps the defaults", () => {
    const c = parseCliConfig({ GPU_RUNNER_URLS: "gpu-without-scheme", GPU_RUNNER_TIMEOUT_SECONDS: "0", CHAT_PROVIDERS: "x" });
    expect(c.problems).toEqual([
      "GPU_RUNNER_URLS entries must be http(s) base URLs without query or credentials, got 'gpu-without-scheme'",
      "GPU_RUNNER_TIMEOUT_SECONDS must be a positive number, got '0'; using 30",
      "CHAT_PROVIDERS entries are written name=value, got 'x'",
    ]);
    expect(c.runners).toEqual({ urls: [], token: "", idleTimeoutMs: 30_000 });
    expect(c.chat.problems).toEqual(["CHAT_PROVIDERS entries are written name=value, got 'x'"]);
  });

  it("takes the server and token from NODETOOL_EDGE_URL / NODETOOL_EDGE_TOKEN unless flags name them", () => {
    const env = { NODETOOL_EDGE_URL: " https://edge.example.com/ ", NODETOOL_EDGE_TOKEN: "secret" };
    expect(parseCli(["list"], env)).toMatchObject({ url: "https://edge.example.com", token: "secret" });
    expect(parseCli(["list", "--url", "http://127.0.0.1:9", "--token", "t"], env)).toMatchObject({ url: "http://127.0.0.1:9", token: "t" });
    expect(parseCli(["list"], {})).toMatchObject({ url: "http://127.0.0.1:8787", token: undefined });
    expect(() => parseCli(["list"], { NODETOOL_EDGE_URL: "edge.example.com" })).toThrow(/--url must be an http\(s\) URL/);
  });
});
