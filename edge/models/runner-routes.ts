import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { bearerToken } from "../auth/authenticate";
import { tokensEqual } from "../auth/static-token";
import { getConfig } from "../config/config";
import { ApiError } from "../errors/api-error";
import { validationHook } from "../openapi/hook";
import { error } from "../openapi/responses";
import { manifestKeyFromRunnerPath, MANIFEST_PREFIX } from "./keys";
import { serveModel } from "./serve";

const PREFIX = "/api/runner/models/";

/**
 * Only the shared runner token opens this route: not a user token, whatever AUTH_PROVIDER says. Without a
 * configured token the route is closed (503) rather than open.
 */
async function requireRunnerToken(c: Context<AppEnv>): Promise<void> {
  const expected = getConfig(c.env).gpuRunnerToken;
  if (!expected) throw new ApiError("unavailable", "The runner model route is not available: GPU_RUNNER_TOKEN is not set");
  const given = bearerToken(c.req.raw);
  if (!given) throw new ApiError("unauthorized", "Missing runner token: send 'Authorization: Bearer <GPU_RUNNER_TOKEN>'");
  if (!tokensEqual(given, expected)) throw new ApiError("unauthorized", "Invalid runner token");
}

/**
 * `GET /api/runner/models/{key}`: what gpu-runners fetch a ModelRef from (schema/runner.ts). `key` is
 * `<owner>/<model name>`; the runner checks size and SHA-256 (also sent as `X-Model-SHA256`) before caching.
 * Registered ahead of the user auth middleware: it answers for itself.
 */
export function runnerModelRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.on(["GET", "HEAD"], `${PREFIX}*`, async (c) => {
    await requireRunnerToken(c);
    const manifestKey = manifestKeyFromRunnerPath(new URL(c.req.url).pathname.slice(PREFIX.length));
    const ownerAndName = manifestKey.slice(MANIFEST_PREFIX.length);
    return serveModel(c.env.STORAGE, manifestKey, c.req.raw, { name: ownerAndName.slice(ownerAndName.indexOf("/") + 1), download: false });
  });

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/api/runner/models/{key}",
    tags: ["runners"],
    summary: "A model file for a gpu-runner (runner token only; not a user route)",
    description:
      "Authorized only by `Authorization: Bearer <GPU_RUNNER_TOKEN>` (compared in constant time). `key` is a ModelRef key, `<owner>/<model name>`; it may contain `/`. Supports Range and conditional requests; `X-Model-SHA256` carries the file's SHA-256.",
    security: [{ bearer: [] }],
    request: {
      params: z.object({ key: z.string().openapi({ param: { name: "key", in: "path" }, example: "1/team/v1/net.onnx" }) }),
    },
    responses: {
      200: { description: "The model file, streamed", content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } } },
      206: { description: "The requested byte range" },
      304: { description: "Not modified" },
      400: error("An unsafe key (traversal, backslash, NUL, double encoding) or one without an owner segment"),
      401: error("Missing or wrong runner token (user tokens are not accepted)"),
      404: error("No such model"),
      416: { description: "Range not satisfiable" },
      503: error("GPU_RUNNER_TOKEN is not configured"),
    },
  });
  return app;
}
