import { Hono } from "hono";
import type { AppEnv } from "../app-env";

/** Where the page's Swagger UI assets are served from: copied out of swagger-ui-dist into public/ by scripts/build-page.mjs. */
export const DOCS_ASSETS = "/docs-ui";

/**
 * The page: Swagger UI (the swagger-ui-dist package, served by this deployment as static assets, so /docs
 * works with no outside network) rendering `/openapi.json`. "Authorize" takes the bearer token for "Try it out".
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="nodetool-edge API: interactive OpenAPI documentation">
<title>nodetool-edge API</title>
<!-- Swagger UI from swagger-ui-dist, served by this deployment (scripts/build-page.mjs copies it into public/). -->
<link rel="stylesheet" href="${DOCS_ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_ASSETS}/swagger-ui-bundle.js"></script>
<script>
window.onload = () => {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    persistAuthorization: true,
    displayRequestDuration: true,
    deepLinking: true,
  });
};
</script>
</body>
</html>
`;

/** `/docs`: the OpenAPI document rendered interactively. Public, like the document itself. */
export function docsRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/docs", (c) => c.html(PAGE));
  app.get("/docs/", (c) => c.html(PAGE));
  return app;
}
