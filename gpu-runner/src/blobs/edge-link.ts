import { shortMessage } from "../errors";
import type { Logger } from "../log";

/**
 * Whether this runner takes media by reference (schema/runner.ts BlobInputSchema): it does when its EDGE_URL
 * answers `GET /api/runner/blobs` with 2xx for the runner token, which proves the edge is reachable from here,
 * is new enough to have the blob routes, and shares the token. The answer is reported in /health
 * (`media.by_reference`), which is what the edge's pool decides by, per runner. Checked at start and again
 * when /health is read and the answer is old (sooner while it is no), so a runner started before its edge
 * switches over by itself; a transfer that cannot connect marks it no at once.
 * GPU_RUNNER_MEDIA_BY_REFERENCE=off keeps every request inline.
 */
const RECHECK_OK_MS = 60_000;
const RECHECK_FAILED_MS = 30_000;
const CHECK_TIMEOUT_MS = 10_000;

export class EdgeLink {
  private ok = false;
  private reason = "the edge has not been checked yet";
  private checkedAt = Number.NEGATIVE_INFINITY;
  private checking: Promise<void> | undefined;

  constructor(
    readonly edgeUrl: string,
    readonly token: string,
    private readonly enabled: boolean,
    private readonly log: Logger,
  ) {
    if (!enabled) this.reason = "GPU_RUNNER_MEDIA_BY_REFERENCE is off";
  }

  /** What /health reports; starts a check in the background when the last one is old. */
  state(): { by_reference: boolean; reason?: string } {
    if (this.enabled && performance.now() - this.checkedAt > (this.ok ? RECHECK_OK_MS : RECHECK_FAILED_MS)) void this.check();
    return this.ok ? { by_reference: true } : { by_reference: false, reason: this.reason };
  }

  get usable(): boolean {
    return this.enabled && this.ok;
  }

  /** A transfer could not connect: inline until the next check says otherwise. */
  lost(reason: string): void {
    if (this.ok) this.log.warn("edge_unreachable", { edge_url: this.edgeUrl, reason });
    this.ok = false;
    this.reason = reason;
    this.checkedAt = performance.now();
  }

  check(): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    this.checking ??= this.probe().finally(() => {
      this.checking = undefined;
      this.checkedAt = performance.now();
    });
    return this.checking;
  }

  private async probe(): Promise<void> {
    const was = this.ok;
    try {
      const res = await fetch(`${this.edgeUrl}/api/runner/blobs`, { headers: { Authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
      await res.body?.cancel().catch(() => undefined);
      this.ok = res.ok;
      this.reason = res.ok ? "" : `${this.edgeUrl}/api/runner/blobs answered HTTP ${res.status}${res.status === 401 ? " (a different GPU_RUNNER_TOKEN?)" : ""}`;
    } catch (err) {
      this.ok = false;
      this.reason = `cannot reach the edge at ${this.edgeUrl} (EDGE_URL): ${shortMessage(err, 200)}`;
    }
    if (this.ok !== was) this.log.info("media_by_reference", { enabled: this.ok, edge_url: this.edgeUrl, ...(this.ok ? {} : { reason: this.reason }) });
  }
}
