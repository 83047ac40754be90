import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import type { Principal } from "../auth/authenticate";
import { authorizeSocket } from "../auth/middleware";
import type { Env } from "../config/env";
import { ApiError } from "../errors/api-error";
import { toApiError } from "../errors/handler";
import { CLOSE_INTERNAL_ERROR, CLOSE_POLICY_VIOLATION, closeSafely } from "./close";
import { executionDefaults, SOCKET_EXECUTION_HEADER } from "../execution/socket";
import { SOCKET_FLAVOR_HEADER, SOCKET_KEY_HEADER, SOCKET_USER_HEADER, SOCKET_ORIGIN_HEADER } from "./session";

/**
 * The WebSocket endpoints (docs/websocket-protocol.md): `/predict` and `/ws` speak the same protocol; `/chat` too,
 * and also takes NodeTool's bare chat Message frames.
 */
export const SOCKET_PATHS = ["/predict", "/ws", "/chat", "/ws/execution"] as const;

/**
 * A plain request to a socket endpoint: 426 with the contract's error body. The error type stays
 * `invalid_request` (the contract has no type of its own for 426) while status and `code` say what to do.
 * No `Upgrade` response header: workerd drops it as hop-by-hop, so the message names the protocol instead.
 */
function upgradeRequired(): Response {
  const body = new ApiError("invalid_request", "This endpoint speaks WebSocket: send a GET with 'Upgrade: websocket'").toBody();
  body.error.code = 426;
  return Response.json(body, { status: 426 });
}

/**
 * A refused upgrade is accepted and then closed at once: a browser cannot read an HTTP error status on a
 * failed WebSocket, but it does see a close code and reason. 1008 for a missing or wrong token; 1011 when
 * the server cannot check tokens at all (authentication not configured: the HTTP 503) or failed doing so.
 */
function refuseSocket(err: ApiError): Response {
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  const refused = err.type === "unauthorized" || err.type === "forbidden";
  closeSafely(server, refused ? CLOSE_POLICY_VIOLATION : CLOSE_INTERNAL_ERROR, err.message);
  return new Response(null, { status: 101, webSocket: client });
}

/** Hands an authenticated upgrade to a new connection object, with the user in a header only the Worker sets. */
function openConnection(env: Env, principal: Principal, path: (typeof SOCKET_PATHS)[number], url: URL): Promise<Response> {
  const stub = env.CONNECTIONS.get(env.CONNECTIONS.newUniqueId());
  // A fresh request: the client's token (header or query) stays here; the object only needs the user (and key).
  const headers: Record<string, string> = { Upgrade: "websocket", [SOCKET_USER_HEADER]: principal.userId, [SOCKET_ORIGIN_HEADER]: url.origin };
  if (path === "/chat") headers[SOCKET_FLAVOR_HEADER] = "chat";
  if (path === "/ws/execution") {
    headers[SOCKET_FLAVOR_HEADER] = "execution";
    headers[SOCKET_EXECUTION_HEADER] = JSON.stringify(executionDefaults(url));
  }
  if (principal.key) headers[SOCKET_KEY_HEADER] = JSON.stringify({ id: principal.key.id, limits: principal.key.limits });
  return stub.fetch("https://connection/socket", { headers });
}

export function socketRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  for (const path of SOCKET_PATHS) {
    app.get(path, async (c) => {
      if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") return upgradeRequired();
      let principal: Principal;
      try {
        // API keys need the `jobs:run` scope here (edge/keys/scopes.ts) and count against their rate limit.
        principal = await authorizeSocket(c.req.raw, c.env);
      } catch (err) {
        return refuseSocket(toApiError(err));
      }
      return openConnection(c.env, principal, path, new URL(c.req.url));
    });
  }
  return app;
}
