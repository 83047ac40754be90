import { InferenceError, NO_RUNNER, type InferenceOptions } from "../../engine/inference/types";
import type { InferResult } from "../../schema/runner";
import { BeforeAnswerError, dispatchInference, MidInferenceError } from "./dispatch";
import { probeRunner } from "./health";
import { DEFAULT_HEALTH_POLICY, needsProbe, pickRunner, type HealthPolicy, type RunnerView } from "./select";
import { encodeInferRequest } from "./wire";

/**
 * The pool of gpu-runners one isolate dispatches to (docs/architecture.md#10-gpu-runner).
 *
 * State lives per isolate (module-level, see `runnerPool`), never in a Durable Object: a global coordinator
 * would be a single point of failure and a round trip on every inference, while each isolate's own view is
 * enough to spread load, because the runners report their queue themselves. Health is checked lazily: before
 * a dispatch, runners whose last `GET /health` is older than ~2 s are probed (2 s timeout, concurrent
 * dispatches share one probe); unhealthy runners are probed again after 5 s, or at once when no runner is
 * healthy. A request goes to the least-loaded healthy runner: its reported `in_flight` plus what this isolate
 * sent it since. A request that fails before the runner answered is retried once on another healthy runner;
 * one that fails after is not (the work may have run) and fails the node with a clear error. Every wait is
 * bounded, so "no gpu-runner available" comes in seconds, never as a hang.
 */
export interface RunnerPoolOptions {
  urls: readonly string[];
  token: string;
  /** No frame or heartbeat for this long means the runner is dead (GPU_RUNNER_TIMEOUT_SECONDS). */
  idleTimeoutMs: number;
  /** GET /health. */
  healthTimeoutMs?: number;
  /** Connecting and getting response headers for a small request; larger bodies get time to upload on top. */
  connectTimeoutMs?: number;
  health?: HealthPolicy;
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
}

/** Builds the request for the runner it will go to (see RunnerPool.infer). */
export type PrepareRequest = (runner: { url: string; mediaByReference: boolean }) => Promise<Record<string, unknown>>;

export const DEFAULT_HEALTH_TIMEOUT_MS = 2000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
/** The slowest link to a runner the headers timeout allows for when a request body is large (bytes per second). */
const MIN_UPLOAD_BYTES_PER_SECOND = 4 * 1024 * 1024;

interface RunnerState extends RunnerView {
  /** Its last /health said it fetches and stores media itself (schema/runner.ts RunnerHealth `media`). */
  mediaByReference: boolean;
  lastError?: string;
  probing?: Promise<void>;
}

export interface PoolStatus {
  configured: number;
  healthy: number;
  runners: { url: string; healthy: boolean | null; in_flight: number; error?: string }[];
}

export class RunnerPool {
  private readonly runners: RunnerState[];
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly healthTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly policy: HealthPolicy;

  constructor(private readonly options: RunnerPoolOptions) {
    this.runners = options.urls.map((url) => ({ url, healthy: null, checkedAt: 0, reportedInFlight: 0, sentSinceProbe: 0, inFlight: 0, mediaByReference: false }));
    // Bound lazily, so a test or host that swaps the global fetch later is honoured.
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
    this.healthTimeoutMs = options.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.policy = options.health ?? DEFAULT_HEALTH_POLICY;
  }

  /** What the pool last saw; it probes nothing itself (runnerPoolStatus refreshes first). */
  status(): PoolStatus {
    return {
      configured: this.runners.length,
      healthy: this.runners.filter((r) => r.healthy === true).length,
      runners: this.runners.map((r) => ({ url: r.url, healthy: r.healthy, in_flight: r.reportedInFlight + r.sentSinceProbe, ...(r.lastError ? { error: r.lastError } : {}) })),
    };
  }

  private probe(r: RunnerState): Promise<void> {
    r.probing ??= probeRunner(r.url, this.options.token, this.healthTimeoutMs, this.fetchImpl).then((result) => {
      r.checkedAt = this.now();
      r.probing = undefined;
      if (result.healthy) {
        r.healthy = true;
        r.reportedInFlight = result.inFlight;
        r.mediaByReference = result.mediaByReference;
        r.sentSinceProbe = 0;
        r.lastError = undefined;
      } else {
        this.markUnhealthy(r, result.reason);
      }
    });
    return r.probing;
  }

  private markUnhealthy(r: RunnerState, reason: string): void {
    r.healthy = false;
    r.checkedAt = this.now();
    r.lastError = reason;
  }

  /** Probes what is stale; when every runner that looked healthy fails its probe, probes the others too (bounded: two rounds). */
  async refresh(): Promise<void> {
    const anyHealthy = this.runners.some((r) => r.healthy === true);
    const now = this.now();
    const due = this.runners.filter((r) => r.probing || needsProbe(r, now, anyHealthy, this.policy));
    await Promise.all(due.map((r) => this.probe(r)));
    if (!anyHealthy || this.runners.some((r) => r.healthy === true)) return;
    await Promise.all(this.runners.filter((r) => !due.includes(r)).map((r) => this.probe(r)));
  }

  private unavailable(tried: Map<string, string>): InferenceError {
    const reasons = this.runners.map((r) => `${r.url}: ${tried.get(r.url) ?? (r.healthy ? "not tried (a request is retried once)" : (r.lastError ?? "not healthy"))}`);
    return new InferenceError(`${NO_RUNNER} (${reasons.join("; ")})`, "unavailable");
  }

  /**
   * Runs a wire request (schema/runner.ts InferRequest) on the least-loaded healthy runner. With `prepare`,
   * the request sent is built for each runner tried (media by reference or inline, as that runner takes it),
   * and `request` only names the job.
   */
  async infer(request: { job_id?: string } & Record<string, unknown>, options: InferenceOptions & { prepare?: PrepareRequest } = {}): Promise<InferResult> {
    if (this.runners.length === 0) throw new InferenceError(`${NO_RUNNER}: no runner is configured (GPU_RUNNER_URLS)`, "unavailable");
    const fixed = options.prepare ? undefined : encodeInferRequest(request);
    await this.refresh();
    const tried = new Map<string, string>();
    // One first try plus one retry on another runner, both only for failures before the runner answered.
    for (let attempt = 0; attempt < 2; attempt++) {
      const runner = pickRunner(this.runners, new Set(tried.keys()), this.options.random);
      if (!runner) break;
      runner.inFlight++;
      runner.sentSinceProbe++;
      try {
        const body = fixed ?? encodeInferRequest(await options.prepare!({ url: runner.url, mediaByReference: runner.mediaByReference }));
        return await dispatchInference({
          url: runner.url,
          token: this.options.token,
          body,
          jobId: typeof request.job_id === "string" ? request.job_id : undefined,
          headersTimeoutMs: this.connectTimeoutMs + Math.ceil((body.byteLength / MIN_UPLOAD_BYTES_PER_SECOND) * 1000),
          idleTimeoutMs: this.options.idleTimeoutMs,
          cancelTimeoutMs: this.healthTimeoutMs,
          signal: options.signal,
          onProgress: options.onProgress,
          fetch: this.fetchImpl,
        });
      } catch (err) {
        if (err instanceof BeforeAnswerError) {
          tried.set(runner.url, err.message);
          // An overloaded runner is alive: it only takes no more now.
          if (!err.overloaded) this.markUnhealthy(runner, err.message);
          continue;
        }
        if (err instanceof MidInferenceError) this.markUnhealthy(runner, err.message);
        throw err;
      } finally {
        runner.inFlight--;
      }
    }
    throw this.unavailable(tried);
  }
}

// One pool per configuration per isolate: the state outlives requests and jobs, and a changed setting gets a fresh pool.
const pools = new Map<string, RunnerPool>();

export function runnerPool(options: RunnerPoolOptions): RunnerPool {
  const key = JSON.stringify([options.urls, options.token, options.idleTimeoutMs]);
  let pool = pools.get(key);
  if (!pool) {
    pool = new RunnerPool(options);
    pools.set(key, pool);
  }
  return pool;
}
