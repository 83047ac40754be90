import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM build script, without type declarations
import { buildPage, DEMO_PAGE } from "../../scripts/build-page.mjs";
import { migratedStateDir, startEdge, type LocalEdge } from "../e2e/local-edge";
import { launchChromium, openPage, screenshot, type OpenPage } from "./harness";

/**
 * The API demo page (public/demo.html): one self-contained file that asks for the endpoint and a token, lists
 * the workflows and runs one over the MessagePack `/predict` WebSocket. Loaded in Chromium from `file://`,
 * from a second origin (a loopback server of its own), and from the server at `/demo`.
 */

const TOKEN = "demo-page-token-0123456789";
let browser: Browser;
let edge: LocalEdge;
let other: Server;
let otherUrl: string;
let workflowId: string;
const opened: OpenPage[] = [];

const greeter = {
  name: "Greeter",
  graph: {
    nodes: [
      { id: "in", type: "nodetool.input.StringInput", data: { name: "name", value: "nobody" } },
      { id: "out", type: "nodetool.output.Output", data: { name: "greeting" } },
    ],
    edges: [{ source: "in", sourceHandle: "output", target: "out", targetHandle: "value" }],
  },
};

beforeAll(async () => {
  await buildPage({ quiet: true });
  browser = await launchChromium();
  edge = await startEdge(migratedStateDir(), { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: TOKEN });
  const res = await fetch(`${edge.url}/api/workflows`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" }, body: JSON.stringify(greeter) });
  expect(res.status).toBe(201);
  workflowId = ((await res.json()) as { id: string }).id;
  // The second origin: another loopback port serving the same file.
  const html = readFileSync(DEMO_PAGE as string);
  other = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise<void>((r) => other.listen(0, "127.0.0.1", () => r()));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  for (const { context } of opened) await context.close().catch(() => {});
  await browser?.close();
  await edge?.stop();
  other?.closeAllConnections();
  await new Promise((r) => other?.close(r));
});

async function runGreeter(page: Page, endpoint: string | null): Promise<void> {
  if (endpoint !== null) await page.locator("#endpoint").fill(endpoint);
  await page.locator("#token").fill(TOKEN);
  await page.locator("#list").click();
  await page.locator(`#workflows option[value="${workflowId}"]`).waitFor({ state: "attached" });
  await page.locator("#workflows").selectOption(workflowId);
  await page.locator("#params").fill('{"name": "Ada"}');
  await page.locator("#run").click();
  await page.locator('#outputs .output[data-name="greeting"]').waitFor();
  expect(await page.locator('#outputs .output[data-name="greeting"]').innerText()).toBe("greeting: Ada");
  expect(await page.locator("#status").innerText()).toBe("Job completed");
  expect(Number(await page.locator("#progress").getAttribute("value"))).toBe(1);
  expect(await page.locator("#log").innerText()).toContain("completed");
}

describe("the API demo page", () => {
  it("runs from file://: lists workflows over CORS and runs one over the /predict WebSocket", async () => {
    const session = await openPage(browser);
    opened.push(session);
    await session.page.goto(pathToFileURL(DEMO_PAGE as string).href);
    await runGreeter(session.page, edge.url);
    await screenshot(session.page, "demo-file");
    expect(session.errors).toEqual([]);
  });

  it("runs from a second origin", async () => {
    const session = await openPage(browser);
    opened.push(session);
    await session.page.goto(otherUrl);
    expect(new URL(otherUrl).origin).not.toBe(new URL(edge.url).origin);
    await runGreeter(session.page, edge.url);
    expect(session.errors).toEqual([]);
  });

  it("is served at /demo (the endpoint filled in) with a download link, and says why a bad token fails", async () => {
    const served = await fetch(`${edge.url}/demo`);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toContain("text/html");
    const body = await served.text();
    expect(body).toContain('download="nodetool-edge-demo.html"');
    expect(body).not.toMatch(/<script[^>]+src=/);
    expect((await fetch(`${edge.url}/demo/demo.ts`)).status).toBe(404);

    const session = await openPage(browser);
    opened.push(session);
    await session.page.goto(`${edge.url}/demo`);
    expect(await session.page.locator("#endpoint").inputValue()).toBe(new URL(edge.url).origin);
    await session.page.locator("#token").fill("wrong-token");
    await session.page.locator("#list").click();
    await session.page.locator("#status", { hasText: "Could not list workflows" }).waitFor();
    await runGreeter(session.page, null);
  });
});
