import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  AssetCreateSchema,
  AssetIdSchema,
  AssetListQuerySchema,
  AssetListSchema,
  AssetSchema,
  ImageListQuerySchema,
  ImageListSchema,
  ImageSchema,
} from "../../schema/assets";
import type { AssetRow } from "../../schema/tables";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { badRequestError, commonErrors, error, notFoundError } from "../openapi/responses";
import { publicBase } from "../storage/public-base";
import { serveObject } from "../storage/serve";
import { assetFileName, presentAsset } from "./present";
import { AssetRepository } from "./repository";
import { receiveUpload } from "./upload";

/** Malformed path parameters (traversal attempts included) are 400s here; other validation failures 422s. */
function hook(result: { success: boolean; error?: z.ZodError; target: string }): void {
  if (!result.success && result.error && result.target === "param") {
    const issue = result.error.issues[0];
    throw new ApiError("invalid_request", `Invalid path parameter ${issue.path.join(".")}: ${issue.message}`);
  }
  validationHook(result);
}

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const IdParam = z.object({ id: AssetIdSchema.openapi({ param: { name: "id", in: "path" }, example: "3f2b8c1d9e0a4b7c8d6e5f4a3b2c1d0e" }) });
const FilenameParam = z.object({
  filename: z
    .string()
    .max(160)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]{1,12})?$/, "an image file name is <asset_id>.<ext>")
    .openapi({ param: { name: "filename", in: "path" }, example: "3f2b8c1d9e0a4b7c8d6e5f4a3b2c1d0e.png" }),
});
const badPath = { 400: error("A malformed id or file name (including traversal attempts), a malformed cursor or body") } as const;
const fileResponse = {
  description: "The file, streamed; supports Range (206/416) and If-None-Match / If-Modified-Since (304)",
  content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
};

const listAssets = (path: string) =>
  createRoute({
    method: "get",
    path,
    tags: ["assets"],
    summary: "List the caller's assets, newest first",
    request: { query: AssetListQuerySchema },
    responses: { 200: json(AssetListSchema, "One page; pass `next` as `cursor` for the next"), ...badRequestError, ...commonErrors },
  });
const getAsset = createRoute({
  method: "get",
  path: "/api/assets/{id}",
  tags: ["assets"],
  summary: "Get one of the caller's assets",
  request: { params: IdParam },
  responses: { 200: json(AssetSchema, "The asset"), ...badPath, ...notFoundError, ...commonErrors },
});
const downloadAsset = createRoute({
  method: "get",
  path: "/api/assets/{id}/download",
  tags: ["assets"],
  summary: "Download an asset's file (as an attachment)",
  request: { params: IdParam },
  responses: { 200: fileResponse, ...badPath, ...notFoundError, ...commonErrors },
});
const deleteAsset = createRoute({
  method: "delete",
  path: "/api/assets/{id}",
  tags: ["assets"],
  summary: "Delete an asset and its file (a folder with everything in it)",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...badPath, ...notFoundError, ...commonErrors },
});
const listImages = createRoute({
  method: "get",
  path: "/api/images",
  tags: ["images"],
  summary: "List the caller's images (image assets), newest first",
  request: { query: ImageListQuerySchema },
  responses: { 200: json(ImageListSchema, "One page; pass `next` as `cursor` for the next"), ...badRequestError, ...commonErrors },
});
const downloadImage = createRoute({
  method: "get",
  path: "/api/images/download/{filename}",
  tags: ["images"],
  summary: "Download one of the caller's images by `<asset_id>.<ext>`",
  request: { params: FilenameParam },
  responses: { 200: fileResponse, ...badPath, ...notFoundError, ...commonErrors },
});
const deleteImage = createRoute({
  method: "delete",
  path: "/api/images/{filename}",
  tags: ["images"],
  summary: "Delete one of the caller's images by `<asset_id>.<ext>`",
  request: { params: FilenameParam },
  responses: { 204: { description: "Deleted" }, ...badPath, ...notFoundError, ...commonErrors },
});

const uploadBodyDoc = {
  required: true,
  content: {
    "multipart/form-data": {
      schema: z.object({
        file: z.string().openapi({ format: "binary", description: "The file (streamed to storage; up to MAX_UPLOAD_BYTES)" }),
        json: z.string().optional().openapi({ description: "AssetCreate as JSON: name, parent_id, content_type, metadata, workflow_id" }),
      }),
    },
  },
};
const uploadErrors = {
  400: error("Not multipart/form-data, no 'file' field, malformed multipart or JSON metadata"),
  401: error("Missing or invalid bearer token"),
  404: error("Unknown parent folder"),
  413: error("Larger than MAX_UPLOAD_BYTES"),
  422: error("Metadata failed validation"),
};

function repoOf(c: Context<AppEnv>): AssetRepository {
  return new AssetRepository(db(c.env.DB), c.get("userId"));
}

const originOf = (c: Context<AppEnv>) => publicBase(c.env, c.req.url);

async function deleteRows(c: Context<AppEnv>, rows: AssetRow[]): Promise<void> {
  const keys = rows.map((r) => r.storage_key).filter((k): k is string => k !== null);
  for (let i = 0; i < keys.length; i += 1000) await c.env.STORAGE.delete(keys.slice(i, i + 1000));
}

function presentImage(row: AssetRow, origin: string) {
  const asset = presentAsset(row, origin);
  return {
    filename: assetFileName(row)!,
    asset_id: row.id,
    name: row.name,
    content_type: row.content_type,
    size: row.size,
    url: asset.get_url!,
    uri: asset.uri!,
    created_at: row.created_at,
  };
}

/** The caller's image asset named `<asset_id>.<ext>`; anything else (another user's, not an image, wrong extension) is a 404. */
async function imageByFilename(repo: AssetRepository, filename: string): Promise<AssetRow & { storage_key: string }> {
  const id = filename.includes(".") ? filename.slice(0, filename.indexOf(".")) : filename;
  const row = await repo.find(id);
  if (!row || row.storage_key === null || !row.content_type.startsWith("image/") || assetFileName(row) !== filename) {
    throw ApiError.notFound(`Image '${filename}'`);
  }
  return row as AssetRow & { storage_key: string };
}

/** The assets API (`/api/assets`) and the seed-compatible image routes (`/api/images`). Auth is applied by the app. */
export function assetRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: hook });

  for (const path of ["/api/assets", "/api/assets/"]) {
    app.openapi(listAssets(path), async (c) => {
      const q = c.req.valid("query");
      const { rows, next } = await repoOf(c).list({ limit: q.limit, cursor: q.cursor, contentType: q.content_type, parentId: q.parent_id });
      return c.json({ assets: rows.map((r) => presentAsset(r, originOf(c))), next }, 200);
    });
  }
  // Uploads stream: a zod body validator would buffer the whole form, so these are plain handlers,
  // documented below.
  for (const path of ["/api/assets", "/api/assets/"]) {
    app.post(path, async (c) => {
      const row = await receiveUpload(c.env, c.req.raw, c.get("userId"), { allowFolder: true });
      return c.json(presentAsset(row, originOf(c)), 201);
    });
  }
  app.openapi(getAsset, async (c) => c.json(presentAsset(await repoOf(c).get(c.req.valid("param").id), originOf(c)), 200));
  app.openapi(downloadAsset, async (c) => {
    const row = await repoOf(c).getFile(c.req.valid("param").id);
    return (await serveObject(c.env.STORAGE, row.storage_key, c.req.raw, { downloadName: row.name, what: `The file of asset '${row.id}'` })) as never;
  });
  app.openapi(deleteAsset, async (c) => {
    await deleteRows(c, await repoOf(c).delete(c.req.valid("param").id));
    return c.body(null, 204);
  });

  app.openapi(listImages, async (c) => {
    const q = c.req.valid("query");
    const { rows, next } = await repoOf(c).list({ limit: q.limit, cursor: q.cursor, contentType: "image" });
    return c.json({ images: rows.map((r) => presentImage(r, originOf(c))), next }, 200);
  });
  app.post("/api/images/upload", async (c) => {
    const row = await receiveUpload(c.env, c.req.raw, c.get("userId"), { imagesOnly: true });
    return c.json(presentImage(row, originOf(c)), 201);
  });
  app.openapi(downloadImage, async (c) => {
    const row = await imageByFilename(repoOf(c), c.req.valid("param").filename);
    return (await serveObject(c.env.STORAGE, row.storage_key, c.req.raw, { downloadName: row.name, what: `Image '${c.req.valid("param").filename}'` })) as never;
  });
  app.openapi(deleteImage, async (c) => {
    const repo = repoOf(c);
    const row = await imageByFilename(repo, c.req.valid("param").filename);
    await deleteRows(c, await repo.delete(row.id));
    return c.body(null, 204);
  });

  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/api/assets",
    tags: ["assets"],
    summary: "Upload a file (multipart: `file` plus optional `json` metadata), or create a folder (JSON body or `json` field with content_type 'folder')",
    security: [{ bearer: [] }],
    request: { body: { ...uploadBodyDoc, content: { ...uploadBodyDoc.content, "application/json": { schema: AssetCreateSchema } } } },
    responses: { 201: json(AssetSchema, "The created asset"), ...uploadErrors },
  });
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/api/images/upload",
    tags: ["images"],
    summary: "Upload an image (multipart `file`); it becomes an image asset",
    security: [{ bearer: [] }],
    request: { body: uploadBodyDoc },
    responses: { 201: json(ImageSchema, "The stored image"), ...uploadErrors },
  });
  return app;
}
