import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM build script, without type declarations
import { buildPage } from "../../scripts/build-page.mjs";
import { migratedStateDir, startEdge, type LocalEdge } from "../e2e/local-edge";
import { launchChromium, openPage, screenshot } from "./harness";

/**
 * `/docs` in Chromium with every request that does not go to this deployment refused: Swagger UI's assets
 * come from the deployment itself (swagger-ui-dist, copied into public/ by scripts/build-page.mjs), so the
 * page renders the API with the network cut off.
 */

const TOKEN = "docs-page-token-0123456789";
let browser: Browser;
let edge: LocalEdge;

beforeAll(async () => {
  await buildPage({ quiet: true });
  browser = await launchChromium();
  edge = await startEdge(migratedStateDir(), { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: TOKEN });
});
afterAll(async () => {
  await browser?.close();
  await edge?.stop();
});

describe("/docs offline", () => {
  it("renders Swagger UI and the API's operations from this deployment alone", async () => {
    const { context, page, errors } = await openPage(browser);
    const origin = new URL(edge.url).origin;
    const refused: string[] = [];
    const served: string[] = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (new URL(url).origin !== origin) {
        refused.push(url);
        return route.abort("internetdisconnected");
      }
      served.push(new URL(url).pathname);
      return route.continue();
    });
    try {
      const res = await page.goto(`${edge.url}/docs`);
      expect(res?.status()).toBe(200);
      await page.waitForSelector(".swagger-ui .info .title");
      expect(await page.textContent(".swagger-ui .info .title")).toContain("nodetool-edge");
      // The operations of the document are listed, the chat proxy's among them.
      await page.waitForSelector(".opblock");
      const paths = await page.$$eval(".opblock-summary-path", (els) => els.map((e) => e.getAttribute("data-path") ?? e.textContent ?? ""));
      expect(paths.join(" ")).toContain("/api/workflows");
      expect(paths.join(" ")).toContain("/v1/chat/completions");
      expect(await page.isVisible(".btn.authorize")).toBe(true);
      await screenshot(page, "docs-offline");
      expect(refused).toEqual([]);
      expect(served).toEqual(expect.arrayContaining(["/docs", "/docs-ui/swagger-ui-bundle.js", "/docs-ui/swagger-ui.css", "/openapi.json"]));
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
