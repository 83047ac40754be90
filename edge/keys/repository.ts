import { and, desc, eq, sql } from "drizzle-orm";
import type { ApiKey, CreateKeyRequest, KeyLimits, Scope } from "../../schema/accounts";
import { apiKeys, webhookSecrets, type ApiKeyRow } from "../../schema/tables";
import type { Db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { newWebhookSecret } from "../webhooks/sign";
import { newId } from "../workflows/repository";
import { displayPrefix, hashSecret, newKeySecret } from "./secret";

export function presentKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes as Scope[],
    limits: row.limits,
    created_at: row.created_at,
    expires_at: row.expires_at,
    revoked_at: row.revoked_at,
    last_used_at: row.last_used_at,
  };
}

/** Creates a key; the secret and webhook secret are returned here and never again. */
export async function createKey(db: Db, userId: string, req: CreateKeyRequest): Promise<{ row: ApiKeyRow; secret: string }> {
  const secret = newKeySecret();
  const now = new Date();
  const expires = req.expires_at ? new Date(req.expires_at) : req.expires_in ? new Date(now.getTime() + req.expires_in * 1000) : null;
  const row: ApiKeyRow = {
    id: newId(),
    user_id: userId,
    name: req.name,
    prefix: displayPrefix(secret),
    hash: await hashSecret(secret),
    scopes: [...new Set(req.scopes)],
    limits: req.limits ?? {},
    webhook_secret: newWebhookSecret(),
    created_at: now.toISOString(),
    expires_at: expires ? expires.toISOString() : null,
    revoked_at: null,
    last_used_at: null,
  };
  await db.insert(apiKeys).values(row);
  return { row, secret };
}

export async function listKeys(db: Db, userId: string): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).where(eq(apiKeys.user_id, userId)).orderBy(desc(apiKeys.created_at), desc(apiKeys.id)).limit(1000);
}

/** Revokes a key of the user: from the next request on it authenticates nothing (every request reads its row). */
export async function revokeKey(db: Db, userId: string, id: string): Promise<ApiKeyRow | undefined> {
  const now = new Date().toISOString();
  const [row] = await db
    .update(apiKeys)
    .set({ revoked_at: sql`coalesce(${apiKeys.revoked_at}, ${now})` })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.user_id, userId)))
    .returning();
  return row;
}

export async function findKeyByHash(db: Db, hash: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.hash, hash)).limit(1);
  return row;
}

/** Throws a 401 when the key was revoked or has expired (for connections that outlive a request). */
export async function assertKeyActive(db: Db, id: string): Promise<void> {
  const [row] = await db.select({ revoked_at: apiKeys.revoked_at, expires_at: apiKeys.expires_at }).from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  if (!row || row.revoked_at !== null) throw new ApiError("unauthorized", "This API key was revoked");
  if (row.expires_at !== null && Date.parse(row.expires_at) <= Date.now()) throw new ApiError("unauthorized", "This API key has expired");
}

export async function touchKey(db: Db, id: string, at: string): Promise<void> {
  await db.update(apiKeys).set({ last_used_at: at }).where(eq(apiKeys.id, id));
}

/** The secret that signs a job's webhooks: its key's, else the user's own (created on first use). */
export async function webhookSecretFor(db: Db, userId: string, keyId: string | undefined): Promise<string> {
  if (keyId) {
    const [row] = await db.select({ s: apiKeys.webhook_secret }).from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.user_id, userId))).limit(1);
    if (row) return row.s;
  }
  const [own] = await db.select().from(webhookSecrets).where(eq(webhookSecrets.user_id, userId)).limit(1);
  if (own) return own.secret;
  // Created on first use so that a run with a webhook never fails for want of one; POST /api/webhooks/secret
  // replaces it with one the user sees.
  const secret = newWebhookSecret();
  await db.insert(webhookSecrets).values({ user_id: userId, secret, created_at: new Date().toISOString() }).onConflictDoNothing();
  const [row] = await db.select().from(webhookSecrets).where(eq(webhookSecrets.user_id, userId)).limit(1);
  return row?.secret ?? secret;
}

/** A new user webhook secret, replacing the old one; shown once. */
export async function rotateUserWebhookSecret(db: Db, userId: string): Promise<{ secret: string; created_at: string }> {
  const secret = newWebhookSecret();
  const created_at = new Date().toISOString();
  await db
    .insert(webhookSecrets)
    .values({ user_id: userId, secret, created_at })
    .onConflictDoUpdate({ target: webhookSecrets.user_id, set: { secret, created_at } });
  return { secret, created_at };
}

export type { KeyLimits };
