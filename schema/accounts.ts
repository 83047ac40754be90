import { z } from "zod";

/**
 * Account features of the hosted API: scoped API keys, their limits, webhooks and usage (docs/accounts.md).
 * `admin` holds every other scope, and is the one that manages keys and reads usage.
 */
export const SCOPES = ["workflows:read", "workflows:write", "jobs:run", "jobs:read", "storage:read", "storage:write", "chat", "admin"] as const;
export type Scope = (typeof SCOPES)[number];
export const ScopeSchema = z.enum(SCOPES);

/** Per-key overrides of the server's defaults; 0 means "no limit" for this key. */
export const KeyLimitsSchema = z
  .object({
    requests_per_minute: z.number().int().min(0).max(1_000_000).optional(),
    concurrent_jobs: z.number().int().min(0).max(10_000).optional(),
  })
  .strict()
  .meta({ id: "KeyLimits", description: "Overrides of the server defaults for this key; 0 is no limit, absent is the default." });
export type KeyLimits = z.infer<typeof KeyLimitsSchema>;

export const CreateKeyRequestSchema = z
  .object({
    name: z.string().trim().min(1, "name must not be empty").max(100, "name is at most 100 characters"),
    scopes: z.array(ScopeSchema).min(1, "name at least one scope").max(SCOPES.length),
    /** An ISO 8601 time, or `expires_in` seconds from now. */
    expires_at: z.iso.datetime({ offset: true }).optional(),
    expires_in: z.number().int().positive().max(10 * 365 * 24 * 3600).optional(),
    limits: KeyLimitsSchema.optional(),
  })
  .strict()
  .refine((r) => !(r.expires_at && r.expires_in), { message: "give expires_at or expires_in, not both" })
  .meta({ id: "CreateKeyRequest" });
export type CreateKeyRequest = z.infer<typeof CreateKeyRequestSchema>;

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().meta({ description: "The secret's first characters, to recognise it by; the secret itself is never shown again." }),
    scopes: z.array(ScopeSchema),
    limits: KeyLimitsSchema,
    created_at: z.string(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
  })
  .meta({ id: "ApiKey" });
export type ApiKey = z.infer<typeof ApiKeySchema>;

export const CreatedKeySchema = ApiKeySchema.extend({
  secret: z.string().meta({ description: "The bearer token. Shown only in this answer: only its hash is stored." }),
  webhook_secret: z.string().meta({ description: "`whsec_...`: signs the webhooks of jobs this key starts (Standard Webhooks). Shown once." }),
}).meta({ id: "CreatedKey" });

export const KeyListSchema = z.object({ keys: z.array(ApiKeySchema) }).meta({ id: "KeyList" });

export const WebhookSecretSchema = z
  .object({ webhook_secret: z.string(), created_at: z.string() })
  .meta({ id: "WebhookSecret", description: "The user's webhook signing secret (`whsec_...`), shown once; a new one replaces the old." });

// ---- webhooks ------------------------------------------------------------------------------------------

export const WEBHOOK_EVENTS = ["completed", "failed", "cancelled", "output"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** `webhook` of a run request: where to POST the job's events, and which. */
export const WebhookSpecSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: "webhook.url must be an http(s) URL" }).max(2048, "webhook.url is at most 2048 characters"),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length).default(["completed", "failed", "cancelled"]),
  })
  .strict()
  .meta({
    id: "WebhookSpec",
    description:
      "POSTs the job's events to `url`, signed per the Standard Webhooks spec. Events: completed, failed (timed out included), cancelled, output (every output_update).",
  });
export type WebhookSpec = z.output<typeof WebhookSpecSchema>;

export const WebhookAttemptSchema = z.object({
  at: z.string(),
  status: z.number().int().nullable().meta({ description: "The receiver's HTTP status; null when no answer came." }),
  error: z.string().nullable(),
});

export const WebhookDeliverySchema = z
  .object({
    id: z.string().meta({ description: "The `webhook-id` header: the same on every attempt of one delivery." }),
    job_id: z.string(),
    event: z.enum(WEBHOOK_EVENTS),
    url: z.string(),
    status: z.enum(["pending", "delivered", "failed", "refused"]),
    attempts: z.number().int(),
    last_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    next_attempt_at: z.string().nullable(),
    created_at: z.string(),
    delivered_at: z.string().nullable(),
    history: z.array(WebhookAttemptSchema),
  })
  .meta({ id: "WebhookDelivery" });
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

export const WebhookDeliveryListSchema = z.object({ deliveries: z.array(WebhookDeliverySchema) }).meta({ id: "WebhookDeliveryList" });

// ---- usage ---------------------------------------------------------------------------------------------

export const UsageQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  group_by: z.enum(["key", "workflow", "day"]).default("day"),
  key_id: z.string().max(128).optional(),
});

export const UsageTotalsSchema = z.object({
  jobs: z.number().int(),
  node_seconds: z.number(),
  runner_seconds: z.number(),
  chat_requests: z.number().int(),
  tokens_in: z.number().int(),
  tokens_out: z.number().int(),
});
export type UsageTotals = z.infer<typeof UsageTotalsSchema>;

export const UsageReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    group_by: z.enum(["key", "workflow", "day"]),
    groups: z.array(UsageTotalsSchema.extend({ key: z.string().nullable().meta({ description: "The key id, workflow id or day; null: no key / no workflow." }) })),
    total: UsageTotalsSchema,
  })
  .meta({ id: "UsageReport" });
