/**
 * `GET /health` of one runner, with a short timeout. A runner is healthy when it answers 2xx with
 * `status: "ok"`; its `in_flight` feeds least-loaded selection, its `media.by_reference` whether it gets media
 * by reference (schema/runner.ts BlobInputSchema) or inline. The rest of RunnerHealth is informative, so a
 * runner whose report gains or lacks a field is still used rather than dropped from the pool.
 */
export type ProbeResult = { healthy: true; inFlight: number; mediaByReference: boolean } | { healthy: false; reason: string };

export async function probeRunner(url: string, token: string, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<ProbeResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetchImpl(`${url}/health`, { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" }, signal: controller.signal });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      return { healthy: false, reason: `refused the runner token (HTTP ${res.status}; check GPU_RUNNER_TOKEN)` };
    }
    if (!res.ok) {
      await res.body?.cancel();
      return { healthy: false, reason: `health check answered HTTP ${res.status}` };
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return { healthy: false, reason: "health check answered something that is not JSON" };
    }
    const report = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    if (report.status !== "ok") return { healthy: false, reason: `health check reported status ${JSON.stringify(report.status ?? null)}` };
    const inFlight = typeof report.in_flight === "number" && report.in_flight >= 0 ? report.in_flight : 0;
    const media = (typeof report.media === "object" && report.media !== null ? report.media : {}) as Record<string, unknown>;
    return { healthy: true, inFlight, mediaByReference: media.by_reference === true };
  } catch (err) {
    if (controller.signal.aborted) return { healthy: false, reason: `health check timed out after ${timeoutMs / 1000} s` };
    return { healthy: false, reason: `unreachable (${describeFetchError(err)})` };
  } finally {
    clearTimeout(timer);
  }
}

/** A fetch failure in a few words, with its cause when the runtime gives one (undici: ECONNREFUSED...). */
export function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? ((cause as { code?: string }).code ?? cause.message) : undefined;
  return causeText && !err.message.includes(causeText) ? `${err.message}: ${causeText}` : err.message;
}
