import { createRoute, OpenAPIHono, type z } from "@hono/zod-openapi";
import { CreateKeyRequestSchema, CreatedKeySchema, KeyListSchema, ApiKeySchema, WebhookSecretSchema } from "../../schema/accounts";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { badRequestError, commonErrors, error, IdParam, notFoundError } from "../openapi/responses";
import { createKey, listKeys, presentKey, revokeKey, rotateUserWebhookSecret } from "./repository";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const forbidden = { 403: error("An API key without the `admin` scope") } as const;

const createRouteDef = createRoute({
  method: "post",
  path: "/api/keys",
  tags: ["keys"],
  summary: "Create an API key: the secret (and its webhook secret) are in this answer only",
  request: { body: { required: true, content: { "application/json": { schema: CreateKeyRequestSchema } } } },
  responses: { 201: json(CreatedKeySchema, "The new key, with its secret"), ...badRequestError, ...forbidden, ...commonErrors },
});

const listRouteDef = createRoute({
  method: "get",
  path: "/api/keys",
  tags: ["keys"],
  summary: "The caller's API keys, newest first (revoked and expired ones included; never the secrets)",
  responses: { 200: json(KeyListSchema, "The keys"), ...forbidden, ...commonErrors },
});

const deleteRouteDef = createRoute({
  method: "delete",
  path: "/api/keys/{id}",
  tags: ["keys"],
  summary: "Revoke an API key: it authenticates nothing from the next request on",
  request: { params: IdParam },
  responses: { 200: json(ApiKeySchema, "The revoked key"), ...notFoundError, ...forbidden, ...commonErrors },
});

const secretRouteDef = createRoute({
  method: "post",
  path: "/api/webhooks/secret",
  tags: ["keys"],
  summary: "Create (or replace) the caller's own webhook signing secret, used for jobs not started with a key; shown once",
  responses: { 201: json(WebhookSecretSchema, "The new secret"), ...forbidden, ...commonErrors },
});

export function keyRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(createRouteDef, async (c) => {
    const req = c.req.valid("json");
    if (req.expires_at && Date.parse(req.expires_at) <= Date.now()) {
      throw new ApiError("validation_error", "expires_at is in the past", [{ path: "expires_at", message: "must be in the future" }]);
    }
    const { row, secret } = await createKey(db(c.env.DB), c.get("userId"), req);
    return c.json({ ...presentKey(row), secret, webhook_secret: row.webhook_secret }, 201);
  });

  app.openapi(listRouteDef, async (c) => {
    const rows = await listKeys(db(c.env.DB), c.get("userId"));
    return c.json({ keys: rows.map(presentKey) }, 200);
  });

  app.openapi(deleteRouteDef, async (c) => {
    const row = await revokeKey(db(c.env.DB), c.get("userId"), c.req.valid("param").id);
    if (!row) throw ApiError.notFound(`API key '${c.req.valid("param").id}'`);
    return c.json(presentKey(row), 200);
  });

  app.openapi(secretRouteDef, async (c) => {
    const { secret, created_at } = await rotateUserWebhookSecret(db(c.env.DB), c.get("userId"));
    return c.json({ webhook_secret: secret, created_at }, 201);
  });
  return app;
}
