/** Webhook delivery settings (README "Configuration"). */
export interface WebhookEnv {
  WEBHOOK_MAX_ATTEMPTS?: string;
  WEBHOOK_RETRY_BASE_SECONDS?: string;
  WEBHOOK_TIMEOUT_SECONDS?: string;
}

export interface WebhookSettings {
  /** Attempts per delivery, the first included; then it is recorded as `failed`. */
  maxAttempts: number;
  /** The wait before the first retry; each later one waits twice as long (capped at an hour). */
  retryBaseMs: number;
  /** How long one attempt may take. */
  timeoutMs: number;
}

function positive(raw: string | undefined, fallback: number): number {
  const n = raw === undefined || raw.trim() === "" ? NaN : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export function webhookSettings(env: WebhookEnv): WebhookSettings {
  return {
    maxAttempts: Math.min(30, Math.floor(positive(env.WEBHOOK_MAX_ATTEMPTS, 8))),
    retryBaseMs: positive(env.WEBHOOK_RETRY_BASE_SECONDS, 10) * 1000,
    timeoutMs: positive(env.WEBHOOK_TIMEOUT_SECONDS, 15) * 1000,
  };
}

const MAX_BACKOFF_MS = 3600_000;

/** Exponential backoff with a little jitter, so that many failed deliveries do not retry in step. */
export function backoffMs(settings: WebhookSettings, attempts: number): number {
  const base = Math.min(MAX_BACKOFF_MS, settings.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (1 + Math.random() * 0.1));
}
