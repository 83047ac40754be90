import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { authorizeSocket } from "../auth/middleware";
import { ApiError } from "../errors/api-error";
import { toApiError } from "../errors/handler";
import { CLOSE_INTERNAL_ERROR, CLOSE_POLICY_VIOLATION, closeSafely } from "../sockets/close";

/**
 * `GET /updates` (WebSocket): the caller's job status changes as NodeTool `job_update` messages
 * (edge/updates/publisher.ts). The socket lives on the user's queue object, which sees every change.
 */
export function updatesRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  app.get("/updates", async (c) => {
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      const body = new ApiError("invalid_request", "This endpoint speaks WebSocket: send a GET with 'Upgrade: websocket'").toBody();
      body.error.code = 426;
      return Response.json(body, { status: 426 });
    }
    let userId: string;
    try {
      userId = (await authorizeSocket(c.req.raw, c.env)).userId;
    } catch (err) {
      // As on /ws: a browser sees close codes, not HTTP statuses, so a refusal is an accepted socket closed at once.
      const apiError = toApiError(err);
      const { 0: client, 1: server } = new WebSocketPair();
      server.accept();
      const refused = apiError.type === "unauthorized" || apiError.type === "forbidden";
      closeSafely(server, refused ? CLOSE_POLICY_VIOLATION : CLOSE_INTERNAL_ERROR, apiError.message);
      return new Response(null, { status: 101, webSocket: client });
    }
    const stub = c.env.QUEUES.get(c.env.QUEUES.idFromName(userId));
    return stub.fetch("https://queue/updates", { headers: { Upgrade: "websocket", "X-Nodetool-Updates-User": userId } });
  });
  return app;
}
