import { getConfig, type WebhookValues } from "../config/config";
import type { Env } from "../config/env";

/** Webhook delivery settings (docs/configuration.md), read with the other settings (edge/config). */
export type WebhookSettings = WebhookValues;

export function webhookSettings(env: Env): WebhookSettings {
  return getConfig(env).webhooks;
}

const MAX_BACKOFF_MS = 3600_000;

/** Exponential backoff with a little jitter, so that many failed deliveries do not retry in step. */
export function backoffMs(settings: WebhookSettings, attempts: number): number {
  const base = Math.min(MAX_BACKOFF_MS, settings.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (1 + Math.random() * 0.1));
}
