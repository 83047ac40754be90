import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ModelListQuerySchema, ModelListSchema, ModelSchema, type Model } from "../../schema/models";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { badRequestError, commonErrors, error } from "../openapi/responses";
import { manifestKey, manifestPrefix, modelNameFromPath, modelNameProblem } from "./keys";
import { headModel, presentModel, readManifest } from "./manifest";
import { serveModel } from "./serve";
import { receiveModelUpload } from "./upload";

const UPLOAD_PATHS = ["/api/models/upload", "/api/models/upload/"];
const DOWNLOAD_PREFIX = "/api/models/download/";
const MODEL_PREFIX = "/api/models/";

/** The still percent-encoded path after a prefix; names are decoded once, by keys.ts, never by the router. */
const pathAfter = (c: Context, prefix: string) => new URL(c.req.url).pathname.slice(prefix.length);

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

const listModels = (path: string) =>
  createRoute({
    method: "get",
    path,
    tags: ["models"],
    summary: "List the caller's uploaded models, by name",
    request: { query: ModelListQuerySchema },
    responses: { 200: json(ModelListSchema, "One page; pass `next` as `cursor` for the next"), ...badRequestError, ...commonErrors },
  });

/**
 * Cursors name the last model of a page (base64url of its name): R2 lists from just after it. They are
 * checked like names, so a forged one is a 400, and they can only ever move within the caller's own prefix.
 */
function encodeCursor(name: string): string {
  const bytes = new TextEncoder().encode(name);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeCursor(raw: string): string {
  try {
    const binary = atob(raw.replace(/-/g, "+").replace(/_/g, "/"));
    const name = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    if (modelNameProblem(name) === null) return name;
  } catch {
    // reported below
  }
  throw new ApiError("invalid_request", "Invalid cursor: pass the `next` value of a previous page unchanged");
}

async function listPage(bucket: R2Bucket, userId: string, limit: number, cursor: string | undefined): Promise<{ models: Model[]; next: string | null }> {
  const prefix = manifestPrefix(userId);
  const startAfter = cursor === undefined ? undefined : prefix + decodeCursor(cursor);
  const models: Model[] = [];
  let r2Cursor: string | undefined;
  let page: R2Objects;
  let last: string | undefined;
  do {
    // `include` is honoured at our compatibility date; the default workers-types entry point predates it.
    const options = { prefix, limit, startAfter, cursor: r2Cursor, include: ["customMetadata", "httpMetadata"] };
    page = await bucket.list(options as R2ListOptions);
    for (const object of page.objects) {
      last = object.key.slice(prefix.length);
      const data = readManifest(object);
      if (data) models.push(presentModel(object, data));
    }
    // R2 may answer a truncated page with no objects (metadata fills its response); go on from its own cursor.
    r2Cursor = page.truncated ? page.cursor : undefined;
  } while (page.objects.length === 0 && r2Cursor);
  return { models, next: page.truncated && last !== undefined ? encodeCursor(last) : null };
}

const NameParam = z.object({
  name: z.string().openapi({
    param: { name: "name", in: "path" },
    description: "The model's name; may contain `/`. Decoded once; empty, `.`/`..` segments, backslash, NUL/control characters and double encoding are 400s.",
    example: "team/v1/net.onnx",
  }),
});

/** The model file API (`/api/models`). Auth is applied by the app. */
export function modelRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  for (const path of ["/api/models", "/api/models/"]) {
    app.openapi(listModels(path), async (c) => {
      const q = c.req.valid("query");
      return c.json(await listPage(c.env.STORAGE, c.get("userId"), q.limit, q.cursor), 200);
    });
  }
  // The upload streams: a zod body validator would buffer it, so it is a plain handler, documented below.
  for (const path of UPLOAD_PATHS) {
    app.post(path, async (c) => {
      const { model, replaced } = await receiveModelUpload(c.env, c.req.raw, c.get("userId"));
      return c.json(model, replaced ? 200 : 201);
    });
  }
  app.on(["GET", "HEAD"], `${DOWNLOAD_PREFIX}*`, async (c) => {
    const name = modelNameFromPath(pathAfter(c, DOWNLOAD_PREFIX));
    return serveModel(c.env.STORAGE, manifestKey(c.get("userId"), name), c.req.raw, { name, download: true });
  });
  app.delete(`${MODEL_PREFIX}*`, async (c) => {
    const name = modelNameFromPath(pathAfter(c, MODEL_PREFIX));
    const bucket = c.env.STORAGE;
    const key = manifestKey(c.get("userId"), name);
    const model = await headModel(bucket, key);
    if (!model) throw ApiError.notFound(`Model '${name}'`);
    // The manifest first: once it is gone the model is gone, whatever happens to the file delete.
    await bucket.delete(key);
    await bucket.delete(model.data.file);
    return c.body(null, 204);
  });

  const registry = app.openAPIRegistry;
  registry.registerPath({
    method: "post",
    path: "/api/models/upload",
    tags: ["models"],
    summary: "Upload an ONNX model (streamed to storage; up to MAX_MODEL_BYTES); replaces a model of the same name once the upload succeeded",
    description:
      "Either `multipart/form-data` with a `file` part and an optional `name` field (else `?name=`, else the part's file name), or a raw `application/octet-stream` body with `?name=`. The file is checked while it streams: it must be an ONNX ModelProto (valid protobuf fields at the top level, an ir_version and a graph). Its SHA-256 is computed on the way.",
    security: [{ bearer: [] }],
    request: {
      query: z.object({ name: z.string().optional().openapi({ description: "The model's name (may contain `/`)", example: "team/v1/net.onnx" }) }),
      body: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: z.object({
              file: z.string().openapi({ format: "binary", description: "The .onnx file" }),
              name: z.string().optional().openapi({ description: "The model's name (may contain `/`)" }),
            }),
          },
          "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) },
        },
      },
    },
    responses: {
      200: json(ModelSchema, "Replaced an existing model of that name"),
      201: json(ModelSchema, "Stored"),
      400: error("Neither multipart nor octet-stream, no 'file' part, malformed multipart, no or an invalid name"),
      401: error("Missing or invalid bearer token"),
      413: error("Larger than MAX_MODEL_BYTES"),
      422: error("Not an ONNX model (`details[0].code` is `invalid_model`); nothing was stored"),
      503: error("MAX_MODEL_BYTES is invalid"),
    },
  });
  for (const method of ["get", "head"] as const) {
    registry.registerPath({
      method,
      path: "/api/models/download/{name}",
      tags: ["models"],
      summary: `${method.toUpperCase()} one of the caller's model files (as an attachment)`,
      security: [{ bearer: [] }],
      request: { params: NameParam },
      responses: {
        200: { description: "The file, streamed; `X-Model-SHA256` carries its SHA-256", content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } } },
        206: { description: "The requested byte range (`Range: bytes=a-b`, `a-`, `-n`), with `Content-Range`" },
        304: { description: "Not modified (`If-None-Match` / `If-Modified-Since`)" },
        400: error("An unsafe name (traversal, backslash, NUL, double encoding)"),
        401: error("Missing or invalid bearer token"),
        404: error("No such model (another user's models included)"),
        416: { description: "Range not satisfiable; `Content-Range: bytes */<size>`" },
      },
    });
  }
  registry.registerPath({
    method: "delete",
    path: "/api/models/{name}",
    tags: ["models"],
    summary: "Delete one of the caller's models",
    security: [{ bearer: [] }],
    request: { params: NameParam },
    responses: {
      204: { description: "Deleted" },
      400: error("An unsafe name"),
      401: error("Missing or invalid bearer token"),
      404: error("No such model (another user's models included)"),
    },
  });
  return app;
}

/** The upload route streams under MAX_MODEL_BYTES instead of the app's MAX_BODY_BYTES limit. */
export function isModelUpload(method: string, path: string): boolean {
  return method === "POST" && UPLOAD_PATHS.includes(path);
}
