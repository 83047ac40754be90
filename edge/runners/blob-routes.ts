import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { contentTypeForName } from "../../engine/media/content-types";
import type { AppEnv } from "../app-env";
import { bearerToken } from "../auth/authenticate";
import { tokensEqual } from "../auth/static-token";
import { getConfig } from "../config/config";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { error } from "../openapi/responses";
import { getStorageConfig } from "../storage/config";
import { parseStoragePath } from "../storage/keys";
import { tempExpiry } from "../storage/retention";
import { serveObject } from "../storage/serve";
import { contentLengthOf, putBody, tooLarge } from "../storage/upload";
import { BLOB_ROUTE_PREFIX, type BlobMethod, OUTPUT_NAME, signatureProblem } from "./blob-urls";

/** The runner token, and only it (no user token opens these routes); without one configured they are closed. */
function runnerToken(c: Context<AppEnv>): string {
  const expected = getConfig(c.env).gpuRunnerToken;
  if (!expected) throw new ApiError("unavailable", "The runner blob routes are not available: GPU_RUNNER_TOKEN is not set");
  const given = bearerToken(c.req.raw);
  if (!given) throw new ApiError("unauthorized", "Missing runner token: send 'Authorization: Bearer <GPU_RUNNER_TOKEN>'");
  if (!tokensEqual(given, expected)) throw new ApiError("unauthorized", "Invalid runner token");
  return expected;
}

/** The object key a request names, once the token and the signature allow it. */
async function authorizedKey(c: Context<AppEnv>, method: BlobMethod): Promise<{ area: "assets" | "temp"; objectKey: string }> {
  const token = runnerToken(c);
  const url = new URL(c.req.url);
  // Only assets/ and temp/ (model files have their own route); decoded once and checked like storage keys.
  const { area, key } = parseStoragePath(url.pathname.slice(BLOB_ROUTE_PREFIX.length));
  const objectKey = `${area}/${key}`;
  const problem = await signatureProblem(token, method, objectKey, url.searchParams.get("exp"), url.searchParams.get("sig"));
  if (problem) throw new ApiError("forbidden", `Refused: ${problem}`);
  return { area, objectKey };
}

/**
 * `GET`/`PUT /api/runner/blobs/{key}?exp=&sig=`: media by reference for gpu-runners (edge/runners/blob-urls.ts).
 * A GET streams the object from R2 (Range and conditional requests as on /storage); a PUT streams the body
 * into R2 under MAX_UPLOAD_BYTES, to a key named `<index>.<ext>` below the signed folder. Registered ahead of
 * the app's body limit and user auth: it bounds its bodies and checks its credentials itself.
 */
export function runnerBlobRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  // What a runner checks before it says (in /health) that it takes media by reference: reachable, same token.
  app.get(BLOB_ROUTE_PREFIX.slice(0, -1), (c) => {
    runnerToken(c);
    return c.json({ ok: true });
  });

  app.on(["GET", "HEAD"], `${BLOB_ROUTE_PREFIX}*`, async (c) => {
    const { area, objectKey } = await authorizedKey(c, "GET");
    return serveObject(c.env.STORAGE, objectKey, c.req.raw, { what: "Blob", isExpired: area === "temp" ? tempExpiry(c.env) : undefined });
  });

  app.put(`${BLOB_ROUTE_PREFIX}*`, async (c) => {
    const { objectKey } = await authorizedKey(c, "PUT");
    const name = objectKey.slice(objectKey.lastIndexOf("/") + 1);
    if (!OUTPUT_NAME.test(name)) throw new ApiError("invalid_request", `Invalid output name '${name.slice(0, 40)}': expected <index>.<ext>`);
    const { maxUploadBytes } = getStorageConfig(c.env);
    const contentLength = contentLengthOf(c.req.raw);
    if (contentLength !== null && contentLength > maxUploadBytes) throw tooLarge(maxUploadBytes);
    const object = await putBody(c.env.STORAGE, objectKey, c.req.raw.body, { contentLength, contentType: contentTypeForName(name), maxBytes: maxUploadBytes });
    return c.json({ key: objectKey, size: object.size }, 201);
  });

  const params = z.object({ key: z.string().openapi({ param: { name: "key", in: "path" }, example: "temp/job-1/r-0a1b/0.png" }) });
  const query = z.object({ exp: z.string().openapi({ example: "1767225600" }), sig: z.string() });
  const common = {
    400: error("An unsafe key, or an output name that is not <index>.<ext>"),
    401: error("Missing or wrong runner token (user tokens are not accepted)"),
    403: error("A missing, wrong or expired signature"),
    503: error("GPU_RUNNER_TOKEN is not configured"),
  };
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/api/runner/blobs/{key}",
    tags: ["runners"],
    summary: "One input object for a gpu-runner (runner token and a signed URL from an inference request)",
    security: [{ bearer: [] }],
    request: { params, query },
    responses: { 200: { description: "The object, streamed", content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } } }, 404: error("No such object (or an expired temp object)"), ...common },
  });
  app.openAPIRegistry.registerPath({
    method: "put",
    path: "/api/runner/blobs/{key}",
    tags: ["runners"],
    summary: "One output object from a gpu-runner, below the folder its signed URL names",
    security: [{ bearer: [] }],
    request: { params, query },
    responses: {
      201: { description: "Stored", content: { "application/json": { schema: z.object({ key: z.string(), size: z.number().int() }) } } },
      413: error("Larger than MAX_UPLOAD_BYTES"),
      ...common,
    },
  });
  return app;
}
