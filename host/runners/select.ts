/**
 * The pool's decisions, kept free of I/O so they can be read (and tested) on their own: which runners need a
 * health probe, and which runner gets a request.
 */
export interface RunnerView {
  url: string;
  /** null: never probed. */
  healthy: boolean | null;
  /** When the last probe finished (ms). */
  checkedAt: number;
  /** `in_flight` from the runner's last /health (which counts requests of ours running at that moment). */
  reportedInFlight: number;
  /** Requests this isolate sent it since that probe: the part of the load the runner has not reported yet. */
  sentSinceProbe: number;
  /** Requests of this isolate running on it now. */
  inFlight: number;
}

export interface HealthPolicy {
  /** A healthy runner's state is trusted this long. */
  healthyTtlMs: number;
  /** An unhealthy runner is left alone this long while others are healthy. */
  unhealthyRetryMs: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = { healthyTtlMs: 2000, unhealthyRetryMs: 5000 };

/**
 * Whether a runner's state is too old to dispatch on. When no runner is healthy, unhealthy ones are
 * re-probed at once: the request has nowhere else to go, and a runner that was frozen or restarted a moment
 * ago may be back (a probe is bounded by the health timeout, and concurrent requests share it).
 */
export function needsProbe(r: RunnerView, now: number, anyHealthy: boolean, policy: HealthPolicy = DEFAULT_HEALTH_POLICY): boolean {
  if (r.healthy === null) return true;
  const age = now - r.checkedAt;
  if (r.healthy) return age >= policy.healthyTtlMs;
  return !anyHealthy || age >= policy.unhealthyRetryMs;
}

/** A runner's load as the pool sees it. */
export function loadOf(r: RunnerView): number {
  return r.reportedInFlight + r.sentSinceProbe;
}

/**
 * The least-loaded healthy runner not in `exclude`; ties go to the one this isolate uses least, then to
 * chance, so isolates that share a view of the runners do not all pile onto the first in the list.
 */
export function pickRunner<T extends RunnerView>(runners: readonly T[], exclude: ReadonlySet<string> = new Set(), random: () => number = Math.random): T | null {
  let best: T[] = [];
  for (const r of runners) {
    if (r.healthy !== true || exclude.has(r.url)) continue;
    if (best.length === 0) {
      best = [r];
      continue;
    }
    const b = best[0];
    const cmp = loadOf(r) - loadOf(b) || r.inFlight - b.inFlight;
    if (cmp < 0) best = [r];
    else if (cmp === 0) best.push(r);
  }
  if (best.length === 0) return null;
  return best[Math.min(best.length - 1, Math.floor(random() * best.length))];
}
