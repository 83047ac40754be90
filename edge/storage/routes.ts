import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { contentTypeForName } from "../../engine/media/content-types";
import { StoredObjectSchema } from "../../schema/assets";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { error } from "../openapi/responses";
import { getStorageConfig } from "./config";
import { checkOwnedKey, keyOwner, parseStoragePath, storageUrl, type StorageArea } from "./keys";
import { publicBase } from "./public-base";
import { tempExpiry } from "./retention";
import { serveObject } from "./serve";
import { contentLengthOf, putBody, tooLarge } from "./upload";

const PUBLIC_PREFIX = "/storage/";
const ADMIN_PREFIX = "/admin/storage/";

/** The still percent-encoded path after a prefix; keys are decoded once, by keys.ts, never by the router. */
function pathAfter(c: Context, prefix: string): string {
  return new URL(c.req.url).pathname.slice(prefix.length);
}

const notFound = () => ApiError.notFound("Object");

function expiry(c: Context<AppEnv>, area: StorageArea) {
  return area === "temp" ? tempExpiry(c.env) : undefined;
}

/** Public read-only access: `GET`/`HEAD /storage/{assets|temp}/{key}`; nothing else in the bucket is reachable. */
async function publicRead(c: Context<AppEnv>): Promise<Response> {
  const { area, key } = parseStoragePath(pathAfter(c, PUBLIC_PREFIX));
  return serveObject(c.env.STORAGE, `${area}/${key}`, c.req.raw, { isExpired: expiry(c, area) });
}

/**
 * Authenticated access to the caller's own objects (edge/storage/keys.ts): with several users the key's first
 * segment must be the caller's owner segment, and any other key is a 403 that says so from the key alone
 * (whatever exists there); in single-tenant auth every key is the caller's.
 */
async function admin(c: Context<AppEnv>): Promise<Response> {
  const { area, key } = parseStoragePath(pathAfter(c, ADMIN_PREFIX));
  checkOwnedKey(keyOwner(c.env, c.get("userId")), area, key);
  const bucket = c.env.STORAGE;
  const objectKey = `${area}/${key}`;
  const isExpired = expiry(c, area);
  const method = c.req.method;

  if (method === "GET" || method === "HEAD") return serveObject(bucket, objectKey, c.req.raw, { isExpired });

  if (method === "DELETE") {
    const existing = await bucket.head(objectKey);
    if (!existing) throw notFound();
    await bucket.delete(objectKey);
    if (isExpired?.(existing)) throw notFound();
    return c.body(null, 204);
  }

  // PUT: streamed to R2 under MAX_UPLOAD_BYTES (the app's MAX_BODY_BYTES limit does not apply here).
  const { maxUploadBytes } = getStorageConfig(c.env);
  const contentLength = contentLengthOf(c.req.raw);
  if (contentLength !== null && contentLength > maxUploadBytes) throw tooLarge(maxUploadBytes);
  const previous = await bucket.head(objectKey);
  const contentType = contentTypeForName(key);
  const object = await putBody(bucket, objectKey, c.req.raw.body, { contentLength, contentType, maxBytes: maxUploadBytes });
  const replaced = previous !== null && !isExpired?.(previous);
  const url = storageUrl(objectKey, publicBase(c.env, c.req.url));
  return c.json({ key, size: object.size, etag: object.httpEtag, content_type: contentType, url }, replaced ? 200 : 201);
}

const KeyParams = z.object({
  area: z.enum(["assets", "temp"]).openapi({ param: { name: "area", in: "path" } }),
  key: z.string().openapi({
    param: { name: "key", in: "path" },
    description:
      "`<owner>/<path>` (with AUTH_PROVIDER=supabase), else any `<path>`; may contain `/`. Decoded once; empty, absolute, `.`/`..`, backslash, NUL/control and double-encoded keys are 400s.",
    example: "1/photos/cat.png",
  }),
});

const objectHeaders = {
  "Content-Type": { description: "From the key's extension; `application/octet-stream` when unknown", schema: { type: "string" as const } },
  "Content-Length": { schema: { type: "integer" as const } },
  "Last-Modified": { schema: { type: "string" as const } },
  ETag: { schema: { type: "string" as const } },
  "Accept-Ranges": { schema: { type: "string" as const } },
};

function readResponses() {
  return {
    200: { description: "The object, streamed", headers: objectHeaders, content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } } },
    206: { description: "The requested byte range (`Range: bytes=a-b`, `a-`, `-n`), with `Content-Range`", headers: objectHeaders },
    304: { description: "Not modified (`If-None-Match` / `If-Modified-Since`)" },
    400: error("An unsafe key (traversal, backslash, NUL, double encoding) or an area other than assets/temp"),
    404: error("No such object (or an expired temp object)"),
    416: { description: "Range not satisfiable; `Content-Range: bytes */<size>`" },
  };
}

/** Storage routes (docs/architecture.md#8-storage-assets-models-and-per-user-state): public reads and the caller's own objects under /admin/storage. */
export function storageRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.on(["GET", "HEAD"], `${PUBLIC_PREFIX}*`, publicRead);
  app.on(["GET", "HEAD", "PUT", "DELETE"], `${ADMIN_PREFIX}*`, admin);

  // Documentation only: the handlers above take keys with slashes, which OpenAPI path templates cannot express.
  const registry = app.openAPIRegistry;
  for (const method of ["get", "head"] as const) {
    registry.registerPath({
      method,
      path: "/storage/{area}/{key}",
      tags: ["storage"],
      summary: `${method.toUpperCase()} a public object (assets or temp; no auth)`,
      request: { params: KeyParams },
      responses: readResponses(),
    });
  }
  for (const method of ["get", "head"] as const) {
    registry.registerPath({
      method,
      path: "/admin/storage/{area}/{key}",
      tags: ["storage"],
      summary: `${method.toUpperCase()} one of the caller's objects`,
      security: [{ bearer: [] }],
      request: { params: KeyParams },
      responses: { ...readResponses(), 401: error("Missing or invalid bearer token"), 403: error("The key is not in the caller's space") },
    });
  }
  registry.registerPath({
    method: "put",
    path: "/admin/storage/{area}/{key}",
    tags: ["storage"],
    summary: "Store an object, streamed to R2 (up to MAX_UPLOAD_BYTES); with several users the key must start with the caller's owner segment",
    security: [{ bearer: [] }],
    request: { params: KeyParams, body: { content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } } } },
    responses: {
      200: { description: "Replaced", content: { "application/json": { schema: StoredObjectSchema } } },
      201: { description: "Created", content: { "application/json": { schema: StoredObjectSchema } } },
      400: error("An unsafe key, or a body that did not match its Content-Length"),
      401: error("Missing or invalid bearer token"),
      403: error("The key is not in the caller's space (the message says how the caller's keys are formed)"),
      413: error("Larger than MAX_UPLOAD_BYTES"),
    },
  });
  registry.registerPath({
    method: "delete",
    path: "/admin/storage/{area}/{key}",
    tags: ["storage"],
    summary: "Delete one of the caller's objects",
    security: [{ bearer: [] }],
    request: { params: KeyParams },
    responses: {
      204: { description: "Deleted" },
      400: error("An unsafe key"),
      401: error("Missing or invalid bearer token"),
      403: error("The key is not in the caller's space"),
      404: error("No such object"),
    },
  });
  return app;
}

/** Routes whose bodies stream to R2 under MAX_UPLOAD_BYTES instead of the app's MAX_BODY_BYTES limit. */
export function isStreamingUpload(method: string, path: string): boolean {
  if (method === "PUT") return path.startsWith(ADMIN_PREFIX);
  if (method === "POST") return path === "/api/assets" || path === "/api/assets/" || path === "/api/images/upload";
  return false;
}
