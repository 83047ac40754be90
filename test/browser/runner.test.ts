import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM build script, without type declarations
import { buildPage } from "../../scripts/build-page.mjs";
import { migratedStateDir, startEdge, type LocalEdge } from "../e2e/local-edge";
import { launchChromium, openPage, screenshot, silentWav, solidPng, until, type OpenPage } from "./harness";

/**
 * The runner page at `/` in Debian's Chromium, against the real Worker (wrangler's unstable_startWorker):
 * signing in, the form generated from a workflow's input_schema, a run with live progress and its outputs,
 * cancelling, and a reload in the middle of a run that reconnects to the job and finishes it.
 */

const TOKEN = "browser-test-token-0123456789";

let browser: Browser;
let edge: LocalEdge;
const opened: OpenPage[] = [];

async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${edge.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

async function open(): Promise<OpenPage> {
  const session = await openPage(browser);
  opened.push(session);
  await session.page.goto(`${edge.url}/`);
  return session;
}

async function signIn(page: Page): Promise<void> {
  await page.locator("#token-input").fill(TOKEN);
  await page.locator("#token-save").click();
  await page.locator("#workflow-panel").waitFor({ state: "visible" });
  await page.locator("#token-panel").waitFor({ state: "hidden" });
}

async function chooseWorkflow(page: Page, id: string): Promise<void> {
  await page.locator("#workflow-select").selectOption(id);
  await page.locator("#form-panel").waitFor({ state: "visible" });
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const jobId = async (page: Page) => (await page.locator("#job-info").getAttribute("data-job-id"))!;
const progressOf = async (page: Page, nodeId: string) => {
  const bar = page.locator(`#nodes [data-node-id="${nodeId}"] progress`);
  return { value: Number(await bar.getAttribute("value")), max: Number(await bar.getAttribute("max")) };
};

beforeAll(async () => {
  await buildPage({ quiet: true });
  browser = await launchChromium();
  edge = await startEdge(migratedStateDir(), { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: TOKEN });
  await fetch(`${edge.url}/health`);
});

afterAll(async () => {
  for (const { context } of opened) await context.close().catch(() => {});
  await browser?.close();
  await edge?.stop();
});

describe("the runner page (AUTH_PROVIDER=static)", () => {
  it("is served from the assets at /, while everything else (the API, unknown paths, the page's sources) reaches the Worker", async () => {
    const get = (path: string) => fetch(`${edge.url}${path}`, { redirect: "manual" });
    const page = await get("/");
    expect([page.status, page.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    const bundle = await get("/app.js");
    expect([bundle.status, bundle.headers.get("content-type")?.split(";")[0]]).toEqual([200, "text/javascript"]);
    expect((await get("/style.css")).status).toBe(200);
    // The Worker's own answers: JSON errors from the API and for paths with no file.
    for (const [path, status] of [["/api/workflows", 401], ["/src/main.ts", 404], ["/tsconfig.json", 404], ["/nope", 404]] as const) {
      const res = await get(path);
      expect([path, res.status]).toEqual([path, status]);
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe(status === 401 ? "unauthorized" : "not_found");
    }
    expect((await get("/health")).status).toBe(200);
  });

  it("asks for a token, offers the examples to a user without workflows, and runs hello-world with a parameter", async () => {
    const { page, errors } = await open();
    await page.locator("#token-input").waitFor({ state: "visible" });
    await screenshot(page, "01-token");

    await page.locator("#token-input").fill("not-the-token");
    await page.locator("#token-save").click();
    await page.locator("#token-error").waitFor({ state: "visible" });
    expect(await text(page, "#token-error")).toContain("Token refused");
    expect(await page.locator("#workflow-panel").isHidden()).toBe(true);

    await signIn(page);
    // No workflows yet: the examples are offered, open.
    await page.locator("#examples-empty").waitFor({ state: "visible" });
    await page.locator('[data-example="hello-world"] button').waitFor();
    expect(await page.locator("#examples").getAttribute("open")).not.toBeNull();
    await screenshot(page, "02-examples");

    await page.locator('[data-example="hello-world"] button').click();
    const nameField = page.locator('[data-param="name"] input[type="text"]');
    await nameField.waitFor();
    expect(await nameField.inputValue()).toBe("world"); // the input's default
    expect(await text(page, '[data-param="name"] .hint')).toBe("Who to greet");

    await nameField.fill("Ada");
    await page.locator("#run-button").click();
    await page.locator('#job-status[data-status="completed"]').waitFor();
    expect(await text(page, '[data-output="greeting"] .value')).toBe("Hello, Ada! You have 3 letters in your name.");
    expect(await text(page, '[data-output="loud"] .value')).toBe("HELLO, ADA! YOU HAVE 3 LETTERS IN YOUR NAME.");
    // Every node reported, and every one completed.
    const statuses = await page.locator("#nodes li.node").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-status")));
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    expect(new Set(statuses)).toEqual(new Set(["completed"]));
    await screenshot(page, "03-hello-world-done");

    // The run is the server's: same job, same result.
    const job = await api<{ status: string; params: unknown; result: Record<string, unknown> }>("GET", `/api/jobs/${await jobId(page)}`);
    expect(job).toMatchObject({ status: "completed", params: { name: "Ada" }, result: { greeting: "Hello, Ada! You have 3 letters in your name." } });

    // The token is remembered: a reload signs in by itself and still shows the finished run.
    await page.reload();
    await page.locator('#auth-status[data-auth="token"] #sign-out').waitFor();
    expect(await page.locator("#token-panel").isHidden()).toBe(true);
    await page.locator('#job-status[data-status="completed"]').waitFor();
    expect(await text(page, '[data-output="greeting"] .value')).toBe("Hello, Ada! You have 3 letters in your name.");
    expect(await page.locator("#job-info").getAttribute("data-resumed-from")).toBeNull(); // finished: nothing to reconnect to
    expect(errors).toEqual([]);
  });

  it("builds the form from input_schema (text, slider, checkbox, select, list, files), uploads picked files as assets and shows media outputs", async () => {
    const input = (id: string, type: string, data: Record<string, unknown>) => ({ id, type: `nodetool.input.${type}`, data });
    const output = (id: string, name: string) => ({ id, type: "nodetool.output.Output", data: { name } });
    const wire = (source: string, target: string, targetHandle = "value", sourceHandle = "output") => ({
      id: `${source}-${target}`,
      source,
      sourceHandle,
      target,
      targetHandle,
    });
    await api("PUT", "/api/workflows/form-kinds", {
      name: "Form kinds",
      description: "One input of each kind, each echoed to an output",
      graph: {
        nodes: [
          input("title", "StringInput", { name: "title", value: "hi", max_length: 20 }),
          input("count", "IntegerInput", { name: "count", value: 3, min: 1, max: 10 }),
          input("ratio", "FloatInput", { name: "ratio", value: 0.5, min: 0, max: 1 }),
          input("flag", "BooleanInput", { name: "flag", value: false }),
          input("colour", "SelectInput", { name: "colour", value: "green", options: ["red", "green", "blue"] }),
          input("tags", "StringListInput", { name: "tags", value: ["x"] }),
          input("picture", "ImageInput", { name: "picture" }),
          input("sound", "AudioInput", { name: "sound" }),
          { id: "meta", type: "nodetool.image.GetMetadata", data: {} },
          { id: "save", type: "nodetool.image.SaveImage", data: { name: "copy.png" } },
          output("o-title", "title_out"),
          output("o-count", "count_out"),
          output("o-ratio", "ratio_out"),
          output("o-flag", "flag_out"),
          output("o-colour", "colour_out"),
          output("o-tags", "tags_out"),
          output("o-picture", "picture_out"),
          output("o-width", "width"),
          output("o-saved", "saved"),
          output("o-sound", "sound_out"),
        ],
        edges: [
          wire("title", "o-title"),
          wire("count", "o-count"),
          wire("ratio", "o-ratio"),
          wire("flag", "o-flag"),
          wire("colour", "o-colour"),
          wire("tags", "o-tags"),
          wire("picture", "o-picture"),
          wire("picture", "meta", "image"),
          wire("meta", "o-width", "value", "width"),
          wire("picture", "save", "image"),
          wire("save", "o-saved"),
          wire("sound", "o-sound"),
        ],
      },
    });

    const { page, errors } = await open();
    await signIn(page);
    await chooseWorkflow(page, "form-kinds");
    const field = (name: string) => page.locator(`[data-param="${name}"]`);

    // One control per input kind, with the schema's bounds and defaults.
    expect(await field("title").getAttribute("data-kind")).toBe("text");
    expect(await field("title").locator("input").getAttribute("maxlength")).toBe("20");
    const count = field("count").locator('input[type="number"]');
    const countSlider = field("count").locator('input[type="range"]');
    expect([await count.inputValue(), await countSlider.getAttribute("min"), await countSlider.getAttribute("max")]).toEqual(["3", "1", "10"]);
    expect(await field("ratio").locator('input[type="range"]').count()).toBe(1);
    expect(await field("flag").locator('input[type="checkbox"]').isChecked()).toBe(false);
    const colour = field("colour").locator("select");
    expect(await colour.locator("option").allInnerTexts()).toEqual(["red", "green", "blue"]);
    expect(await colour.inputValue()).toBe("green");
    expect(await field("tags").locator("textarea").inputValue()).toBe("x");
    expect(await field("picture").locator('input[type="file"]').getAttribute("accept")).toBe("image/*");
    expect(await field("sound").locator('input[type="file"]').getAttribute("accept")).toBe("audio/*");

    // Fill it in: the slider drives the number, the others as a person would.
    await field("title").locator("input").fill("hi there");
    await countSlider.fill("7");
    expect(await count.inputValue()).toBe("7");
    await field("ratio").locator('input[type="number"]').fill("0.25");
    await field("flag").locator('input[type="checkbox"]').check();
    await colour.selectOption("blue");
    await field("tags").locator("textarea").fill("alpha\nbeta");
    await field("picture")
      .locator('input[type="file"]')
      .setInputFiles({ name: "dot.png", mimeType: "image/png", buffer: solidPng(48, 32, [220, 40, 40]) });
    await field("sound")
      .locator('input[type="file"]')
      .setInputFiles({ name: "beep.wav", mimeType: "audio/wav", buffer: silentWav(0.25) });
    await screenshot(page, "04-form-kinds-filled");

    await page.locator("#run-button").click();
    await page.locator('#job-status[data-status="completed"]').waitFor();
    const out = (name: string) => text(page, `[data-output="${name}"] .value`);
    expect(await out("title_out")).toBe("hi there");
    expect(await out("count_out")).toBe("7");
    expect(await out("ratio_out")).toBe("0.25");
    expect(await out("flag_out")).toBe("true");
    expect(await out("colour_out")).toBe("blue");
    expect(JSON.parse(await out("tags_out"))).toEqual(["alpha", "beta"]);
    expect(await out("width")).toBe("48");
    // Media outputs are shown as what they are: the input image loaded from storage, the saved copy from the
    // bytes that came inline in the MessagePack frame, the audio in a player that reads its length.
    await until(page, `(() => { const img = document.querySelector('[data-output="picture_out"] img'); return img && img.complete && img.naturalWidth === 48; })()`);
    expect(await page.locator('[data-output="picture_out"] img').getAttribute("src")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/storage\//); // absolute: under the page's origin
    await until(page, `(() => { const img = document.querySelector('[data-output="saved"] img'); return img && img.complete && img.naturalWidth === 48; })()`);
    expect(await page.locator('[data-output="saved"] img').getAttribute("src")).toMatch(/^blob:/);
    await until(page, `(() => { const a = document.querySelector('[data-output="sound_out"] audio'); return a && a.readyState >= 1 && Math.abs(a.duration - 0.25) < 0.01; })()`);
    await screenshot(page, "05-form-kinds-done");

    // The file went up as an asset, and the job got its asset:// reference.
    const job = await api<{ params: { picture: { uri: string; asset_id: string } } }>("GET", `/api/jobs/${await jobId(page)}`);
    expect(job.params.picture.uri).toMatch(/^asset:\/\/[A-Za-z0-9_-]+\.png$/);
    const asset = await api<{ name: string; content_type: string; size: number }>("GET", `/api/assets/${job.params.picture.asset_id}`);
    expect(asset).toMatchObject({ name: "dot.png", content_type: "image/png", size: solidPng(48, 32, [220, 40, 40]).length });
    expect(errors).toEqual([]);
  });

  it("shows a long job's progress and cancels it", async () => {
    await api("POST", "/api/examples/countdown/copy", { id: "countdown" });
    const { page, errors } = await open();
    await signIn(page);
    await chooseWorkflow(page, "countdown");
    await page.locator('[data-param="ticks"] input[type="number"]').fill("300");
    await page.locator('[data-param="interval ms"] input[type="number"]').fill("20");
    await page.locator("#run-button").click();

    await until(page, `Number(document.querySelector('#nodes [data-node-id="ticker"] progress')?.getAttribute("value")) >= 5`);
    expect((await progressOf(page, "ticker")).max).toBe(300);
    expect(await page.locator("#cancel-button").isEnabled()).toBe(true);
    expect(await page.locator("#run-button").isDisabled()).toBe(true);
    await screenshot(page, "06-countdown-running");

    await page.locator("#cancel-button").click();
    await page.locator('#job-status[data-status="cancelled"]').waitFor();
    expect((await progressOf(page, "ticker")).value).toBeLessThan(300);
    expect(await page.locator('#nodes [data-node-id="ticker"]').getAttribute("data-status")).toBe("cancelled");
    expect(await page.locator('[data-output="ticks"]').count()).toBe(0);
    expect(await page.locator("#cancel-button").isDisabled()).toBe(true);
    expect(await page.locator("#run-button").isEnabled()).toBe(true);
    expect(await text(page, "#run-notice")).toContain("Job cancelled");
    await screenshot(page, "07-countdown-cancelled");

    const job = await api<{ status: string }>("GET", `/api/jobs/${await jobId(page)}`);
    expect(job.status).toBe("cancelled");
    expect(errors).toEqual([]);
  });

  it("survives a reload mid-run: reconnects after the last message it had and finishes with the complete output", async () => {
    await api("PUT", "/api/workflows/ticker-stream", {
      name: "Streaming ticker",
      graph: {
        nodes: [
          { id: "count", type: "nodetool.input.IntegerInput", data: { name: "count", value: 10, min: 1, max: 1000 } },
          { id: "ticker", type: "edge.diagnostics.Ticker", data: { interval_ms: 40, stream: true } },
          { id: "out", type: "nodetool.output.Output", data: { name: "ticks" } },
        ],
        edges: [
          { id: "e1", source: "count", sourceHandle: "output", target: "ticker", targetHandle: "count" },
          { id: "e2", source: "ticker", sourceHandle: "output", target: "out", targetHandle: "value" },
        ],
      },
    });
    const { page, errors } = await open();
    await signIn(page);
    await chooseWorkflow(page, "ticker-stream");
    await page.locator('[data-param="count"] input[type="number"]').fill("150");
    await page.locator("#run-button").click();
    await until(page, `Number(document.querySelector('#nodes [data-node-id="ticker"] progress')?.getAttribute("value")) >= 10`);
    const before = await jobId(page);
    await screenshot(page, "08-reload-before");

    await page.reload();
    // Back with the saved view, following the same job from where it was.
    await page.locator("#job-info[data-resumed-from]").waitFor({ state: "attached" });
    expect(await jobId(page)).toBe(before);
    const resumedFrom = Number(await page.locator("#job-info").getAttribute("data-resumed-from"));
    expect(resumedFrom).toBeGreaterThan(0);
    expect(await page.locator("#job-info").getAttribute("data-resumed-status")).toBe("running");
    // The view from before the reload is there already (restored, not replayed).
    expect((await progressOf(page, "ticker")).value).toBeGreaterThanOrEqual(1);
    expect(await page.locator("#cancel-button").isEnabled()).toBe(true);
    await screenshot(page, "09-reload-reconnected");

    await page.locator('#job-status[data-status="completed"]').waitFor();
    expect(await progressOf(page, "ticker")).toEqual({ value: 150, max: 150 });
    expect(JSON.parse(await text(page, '[data-output="ticks"] .value'))).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(await page.locator("#run-warning").isHidden()).toBe(true); // no message went missing
    await screenshot(page, "10-reload-finished");

    // One job, run once; the page saw every message up to the job's last.
    const job = await api<{ status: string; last_seq: number }>("GET", `/api/jobs/${before}`);
    expect(job.status).toBe("completed");
    expect(Number(await page.locator("#job-info").getAttribute("data-last-seq"))).toBe(job.last_seq);
    expect(resumedFrom).toBeLessThan(job.last_seq);
    const jobs = await api<{ jobs: { id: string }[] }>("GET", "/api/jobs?workflow_id=ticker-stream");
    expect(jobs.jobs.map((j) => j.id)).toEqual([before]);
    expect(errors).toEqual([]);
  });

  it("reconnects by itself when the connection drops mid-run, and misses nothing", async () => {
    const session = await openPage(browser);
    opened.push(session);
    const { page, errors } = session;
    // Keep a handle on the page's sockets so the test can drop the connection under it.
    await page.addInitScript(`{
      const Native = WebSocket;
      window.__sockets = [];
      window.WebSocket = class extends Native {
        constructor(...args) { super(...args); window.__sockets.push(this); }
      };
    }`);
    await page.goto(`${edge.url}/`);
    await signIn(page);
    await chooseWorkflow(page, "ticker-stream");
    await page.locator('[data-param="count"] input[type="number"]').fill("100");
    await page.locator("#run-button").click();
    await until(page, `Number(document.querySelector('#nodes [data-node-id="ticker"] progress')?.getAttribute("value")) >= 10`);
    const before = await jobId(page);

    await page.evaluate(`window.__sockets.forEach((s) => s.close(4000, "dropped by the test"))`);
    await page.locator("#job-info[data-resumed-from]").waitFor({ state: "attached" });
    expect(await page.evaluate("window.__sockets.length")).toBe(2);
    expect(Number(await page.locator("#job-info").getAttribute("data-resumed-from"))).toBeGreaterThan(0);
    await page.locator('#job-status[data-status="completed"]').waitFor();
    expect(await jobId(page)).toBe(before);
    expect(JSON.parse(await text(page, '[data-output="ticks"] .value'))).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(await page.locator("#run-warning").isHidden()).toBe(true);
    const job = await api<{ last_seq: number }>("GET", `/api/jobs/${before}`);
    expect(Number(await page.locator("#job-info").getAttribute("data-last-seq"))).toBe(job.last_seq);
    expect(errors).toEqual([]);
  });
});

describe("the runner page (AUTH_PROVIDER=local)", () => {
  let local: LocalEdge;
  beforeAll(async () => {
    local = await startEdge(migratedStateDir(), { AUTH_PROVIDER: "local" });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it("needs no token: the token field stays hidden and a copied example runs", async () => {
    const session = await openPage(browser);
    opened.push(session);
    const { page, errors } = session;
    await page.goto(`${local.url}/`);
    await page.locator('#auth-status[data-auth="open"]').waitFor();
    expect(await text(page, "#auth-status")).toBe("No token needed");
    expect(await page.locator("#token-panel").isHidden()).toBe(true);

    await page.locator('[data-example="temperature"] button').click();
    const celsius = page.locator('[data-param="celsius"] input[type="number"]');
    await celsius.waitFor();
    const slider = page.locator('[data-param="celsius"] input[type="range"]');
    expect([await slider.getAttribute("min"), await slider.getAttribute("max")]).toEqual(["-273.15", "1000"]);
    await celsius.fill("100");
    await page.locator("#run-button").click();
    await page.locator('#job-status[data-status="completed"]').waitFor();
    expect(await text(page, '[data-output="fahrenheit"] .value')).toBe("212");
    await screenshot(page, "11-local-temperature");
    expect(errors).toEqual([]);
  });
});
