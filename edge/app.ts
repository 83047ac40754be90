import { OpenAPIHono } from "@hono/zod-openapi";
import { HealthSchema } from "../schema/requests";
import type { AppEnv } from "./app-env";
import { assetRoutes } from "./assets/routes";
import { requireAuth } from "./auth/middleware";
import { catalogRoutes } from "./catalog/routes";
import { chatRoutes } from "./chat/routes";
import { corsMiddleware } from "./cors/cors";
import type { Env } from "./config/env";
import { errorResponse, onError, onNotFound } from "./errors/handler";
import { requestLimits } from "./limits/middleware";
import { docsRoutes } from "./docs/routes";
import { exampleRoutes } from "./examples/routes";
import { executionRoutes } from "./execution/routes";
import { graphRoutes } from "./graph/routes";
import { presetRoutes } from "./presets/routes";
import { customNodeRoutes } from "./custom-nodes/routes";
import { pluginRoutes } from "./plugins/routes";
import { validationHook } from "./openapi/hook";
import { jobRoutes } from "./jobs/routes";
import { keyRoutes } from "./keys/routes";
import { usageRoutes } from "./usage/routes";
import { webhookRoutes } from "./webhooks/routes";
import { modelRoutes } from "./models/routes";
import { runnerModelRoutes } from "./models/runner-routes";
import { runnerBlobRoutes } from "./runners/blob-routes";
import { runRoutes } from "./runs/routes";
import { socketRoutes } from "./sockets/routes";
import { storageRoutes } from "./storage/routes";
import { threadRoutes } from "./threads/routes";
import { updatesRoutes } from "./updates/routes";
import { workflowRoutes } from "./workflows/routes";

const VERSION = "0.1.0";

/** Builds the Worker's HTTP app: public health routes, then everything else behind auth and a body limit. */
export function createApp(chat = chatRoutes()) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(onNotFound);
  app.use("*", corsMiddleware);

  const health = () => ({ status: "healthy" as const, timestamp: new Date().toISOString() });
  app.get("/health", (c) => c.json(health()));
  app.get("/ping", (c) => c.json(health()));
  app.route("/", chat); // ahead of the body limit below: /v1 answers every error, 413 included, in OpenAI's shape

  // gpu-runners' media by reference: ahead of the body limit (uploads stream under MAX_UPLOAD_BYTES) and of user auth.
  app.route("/", runnerBlobRoutes());
  // Every bound on what a request carries (MAX_BODY_BYTES, MAX_JSON_DEPTH, graph size), before any route reads it.
  app.use("*", requestLimits(errorResponse));
  // Ahead of user auth: gpu-runners fetch model files with the runner token, which is no user's token.
  app.route("/", runnerModelRoutes());
  for (const prefix of ["/api/*", "/workflows", "/workflows/*"]) app.use(prefix, requireAuth);
  app.use("/admin/*", requireAuth);

  app.route("/", docsRoutes());
  app.route("/", catalogRoutes());
  app.route("/", graphRoutes());
  app.route("/", presetRoutes());
  app.route("/", customNodeRoutes());
  app.route("/", pluginRoutes());
  // Before the workflow routes: /api/workflows/examples is not the workflow with id "examples".
  app.route("/", exampleRoutes());
  app.route("/", workflowRoutes());
  app.route("/", runRoutes());
  // Account features (docs/accounts.md); the job webhooks route ahead of the job routes.
  app.route("/", keyRoutes());
  app.route("/", usageRoutes());
  app.route("/", webhookRoutes());
  app.route("/", jobRoutes());
  app.route("/", executionRoutes());
  app.route("/", socketRoutes());
  app.route("/", updatesRoutes());
  app.route("/", threadRoutes());
  app.route("/", storageRoutes());
  app.route("/", assetRoutes());
  app.route("/", modelRoutes());

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "nodetool-edge",
      version: VERSION,
      description: "Hosted, NodeTool-compatible API for AI workflows. Authenticate with `Authorization: Bearer <token>`.",
    },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.openAPIRegistry.register("Health", HealthSchema);
  return app;
}

/**
 * The Worker's fetch handler. `/v1` and `/v1/...` go straight to the chat proxy's own app, which answers all of it
 * (its catch-all included) exactly as it does mounted in the full app: the full app's router, over a hundred
 * routes, cost a proxied chat request more than the proxy's own code. The full app still mounts the chat
 * routes, so the OpenAPI document and the app's own fetch cover them too.
 */
export function createWorkerFetch(): (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response> {
  const chat = chatRoutes();
  const app = createApp(chat);
  return (request, env, ctx) => (isChatPath(request.url) ? chat.fetch(request, env, ctx) : app.fetch(request, env, ctx));
}

/** Whether a URL's path is `/v1` or under `/v1/`: what the chat app's `/v1/*` patterns match. */
function isChatPath(url: string): boolean {
  const path = url.indexOf("/", url.indexOf("//") + 2);
  if (path < 0 || !url.startsWith("/v1", path)) return false;
  const next = url.charAt(path + 3);
  return next === "" || next === "/" || next === "?" || next === "#";
}
