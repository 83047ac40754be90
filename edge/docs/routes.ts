import { swaggerUI } from "@hono/swagger-ui";
import { Hono } from "hono";
import type { AppEnv } from "../app-env";

/**
 * `/docs`: the OpenAPI document (`/openapi.json`) rendered interactively by Swagger UI (@hono/swagger-ui;
 * the page loads Swagger UI's assets from the jsDelivr CDN). Public, like the document itself; "Authorize"
 * takes the bearer token for "Try it out".
 */
export function docsRoutes() {
  const app = new Hono<AppEnv>();
  const ui = swaggerUI<AppEnv>({
    url: "/openapi.json",
    title: "nodetool-edge API",
    version: "5",
    persistAuthorization: true,
    displayRequestDuration: true,
    deepLinking: true,
  });
  app.get("/docs", ui);
  app.get("/docs/", ui);
  return app;
}
