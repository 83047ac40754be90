import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { freePort } from "../helpers/free-port";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpegPath } from "../../gpu-runner/src/kernels/audio/ffmpeg";
import type { CatalogNode } from "../../schema/catalog";
// @ts-expect-error: plain ESM build script, without type declarations
import { buildPage } from "../../scripts/build-page.mjs";
import { migratedStateDir, startEdge, type LocalEdge } from "../e2e/local-edge";
import { randomToken, startRunnerProcess, type ChildRunner } from "../runner/helpers/runner";
import { launchChromium, openPage, screenshot, until, type OpenPage } from "./harness";

/**
 * The runner page's node catalog ("Nodes" view, from `GET /api/nodes`) and its media outputs played for real:
 * the Worker (wrangler's unstable_startWorker) with one real gpu-runner process, whose ffmpeg and image kernels
 * make the image, the audio and the video that Chromium then has to decode.
 */

const TOKEN = "catalog-media-browser-token-0123";
const RUNNER_TOKEN = randomToken();
/** The clip uploaded through the page's video picker: 64x48 at 10 fps, this long. */
const CLIP_SECONDS = 1.6;
const SILENCE_SECONDS = 1.5;

let browser: Browser;
let edge: LocalEdge;
let runner: ChildRunner;
const opened: OpenPage[] = [];

async function api<T = unknown>(method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${edge.url}${route}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** An H.264 MP4 test pattern made by the packaged ffmpeg now, so no media file is committed. */
function makeClip(): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), "catalog-media-"));
  try {
    const out = path.join(dir, "clip.mp4");
    const source = `testsrc=size=64x48:rate=10:duration=${CLIP_SECONDS}`;
    execFileSync(ffmpegPath(), ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", out]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function signedInPage(hash = ""): Promise<OpenPage> {
  const session = await openPage(browser);
  opened.push(session);
  const { page } = session;
  await page.goto(`${edge.url}/${hash}`);
  await page.locator("#token-input").fill(TOKEN);
  await page.locator("#token-save").click();
  await page.locator("#views").waitFor({ state: "visible" });
  return session;
}

/** The node types whose rows are shown (not filtered out), in page order. */
const shownTypes = (page: Page) =>
  page.locator("#catalog-groups .catalog-node").evaluateAll((rows) => rows.filter((r) => !r.hasAttribute("hidden")).map((r) => r.getAttribute("data-node-type")!));

const row = (page: Page, type: string) => page.locator(`#catalog-groups .catalog-node[data-node-type="${type}"]`);

beforeAll(async () => {
  process.env.WRANGLER_CI_DISABLE_CONFIG_WATCHING = "true";
  await buildPage({ quiet: true });
  browser = await launchChromium();
  // The runner fetches media from the edge and the edge needs the runner's URL: reserve the edge's port first.
  const port = await freePort();
  runner = await startRunnerProcess({ GPU_RUNNER_TOKEN: RUNNER_TOKEN, EDGE_URL: `http://127.0.0.1:${port}`, GPU_RUNNER_WORKERS: "1" });
  edge = await startEdge(migratedStateDir(), { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: TOKEN, GPU_RUNNER_URLS: runner.url, GPU_RUNNER_TOKEN: RUNNER_TOKEN }, port);
});

afterAll(async () => {
  for (const { context } of opened) await context.close().catch(() => {});
  await browser?.close();
  await edge?.stop();
  await runner?.kill("SIGKILL");
});

describe("the node catalog on the runner page", () => {
  it("lists every node type by namespace, filters them like the route's q, and marks gpu-runner nodes and media ports", async () => {
    const all = await api<{ nodes: CatalogNode[]; count: number }>("GET", "/api/nodes");
    const gpuCount = all.nodes.filter((n) => n.runs_on === "gpu-runner").length;
    expect(gpuCount).toBeGreaterThan(0);
    const { page, errors } = await signedInPage();

    // The run view first; the Nodes tab loads the catalog.
    expect(await page.locator("#tab-run").getAttribute("aria-selected")).toBe("true");
    expect(await page.locator("#catalog-panel").isHidden()).toBe(true);
    await page.locator("#tab-nodes").click();
    expect(await page.locator("#tab-nodes").getAttribute("aria-selected")).toBe("true");
    expect(await page.locator("#run-view").isHidden()).toBe(true);
    expect(new URL(page.url()).hash).toBe("#nodes");
    const namespaces = new Set(all.nodes.map((n) => n.namespace));
    await page.locator("#catalog-status", { hasText: `${all.count} node types in ${namespaces.size} namespaces.` }).waitFor();
    expect(await page.locator("#catalog-count").innerText()).toBe(`${all.count} types · ${gpuCount} on gpu-runner`);
    // One folded group per namespace, sorted, each with all of its nodes.
    const groups = await page.locator("#catalog-groups > .catalog-group").evaluateAll((els) =>
      els.map((g) => ({ ns: g.getAttribute("data-namespace"), open: g.hasAttribute("open"), rows: g.querySelectorAll(".catalog-node").length })),
    );
    expect(groups.map((g) => g.ns)).toEqual([...namespaces].sort());
    expect(groups.every((g) => !g.open)).toBe(true);
    expect(groups.reduce((sum, g) => sum + g.rows, 0)).toBe(all.count);
    expect((await shownTypes(page)).sort()).toEqual(all.nodes.map((n) => n.type).sort());
    await screenshot(page, "catalog-01-folded");

    // The text filter narrows to what the server's own q filter answers, and opens the groups that match.
    await page.locator("#catalog-filter").fill("format");
    const byServer = await api<{ nodes: CatalogNode[] }>("GET", "/api/nodes?q=format");
    expect(byServer.nodes.length).toBeGreaterThan(0);
    expect(byServer.nodes.length).toBeLessThan(all.count / 4);
    expect((await shownTypes(page)).sort()).toEqual(byServer.nodes.map((n) => n.type).sort());
    expect(await page.locator("#catalog-status").innerText()).toBe(`${byServer.nodes.length} of ${all.count} node types match.`);
    expect(await page.locator('.catalog-group[data-namespace="nodetool.text"]').getAttribute("open")).not.toBeNull();
    expect(await row(page, "nodetool.text.FormatText").isVisible()).toBe(true);
    expect(await row(page, "lib.math.Add").isVisible()).toBe(false);
    await screenshot(page, "catalog-02-filtered");

    // Where it runs: only gpu-runner nodes, each with its badge; no edge node carries one.
    await page.locator("#catalog-filter").fill("");
    await page.locator("#catalog-runs-on").selectOption("gpu-runner");
    const gpuShown = await shownTypes(page);
    expect(gpuShown.sort()).toEqual(all.nodes.filter((n) => n.runs_on === "gpu-runner").map((n) => n.type).sort());
    const badges = await page.locator("#catalog-groups .catalog-node").evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute("data-runs-on"), r.querySelector('summary .badge[data-runs-on="gpu-runner"]')?.textContent ?? null]),
    );
    expect(badges.filter(([on]) => on === "gpu-runner").every(([, badge]) => badge === "gpu-runner")).toBe(true);
    expect(badges.filter(([on]) => on === "edge").every(([, badge]) => badge === null)).toBe(true);

    // A gpu-runner video node: opened, its ports carry their types and the video mark.
    await page.locator("#catalog-filter").fill("nodetool.video.Resize");
    expect(await shownTypes(page)).toEqual(["nodetool.video.Resize"]);
    const resize = row(page, "nodetool.video.Resize");
    expect(await resize.locator('summary .badge[data-runs-on="gpu-runner"]').innerText()).toBe("gpu-runner");
    await resize.locator("summary").click();
    const inputs = resize.locator('table[data-ports="inputs"]');
    await inputs.waitFor();
    expect(await inputs.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [tr.getAttribute("data-port"), tr.getAttribute("data-port-type"), tr.getAttribute("data-media")]))).toEqual([
      ["video", "video", "video"],
      ["width", "int", null],
      ["height", "int", null],
    ]);
    expect(await inputs.locator('tr[data-port="width"] .catalog-default').innerText()).toBe("-1");
    expect(await inputs.locator('tr[data-port="video"] .media-tag').innerText()).toContain("video");
    expect(await resize.locator('table[data-ports="outputs"] tr[data-port="output"] .media-tag[data-media="video"]').count()).toBe(1);
    expect(await resize.locator(".catalog-description").innerText()).toBe("Resize a video to a specific width and height.");
    expect(await resize.locator(".catalog-keywords").innerText()).toBe("Keywords: video, resize, scale, dimensions");
    await screenshot(page, "catalog-03-video-node");

    // The media filter: nodes with an audio port, here the runner's silence generator, but no text node.
    await page.locator("#catalog-filter").fill("");
    await page.locator("#catalog-runs-on").selectOption("");
    await page.locator("#catalog-media").selectOption("audio");
    const audioShown = await shownTypes(page);
    expect(audioShown).toContain("nodetool.audio.CreateSilence");
    expect(audioShown).not.toContain("nodetool.text.FormatText");
    await row(page, "nodetool.audio.CreateSilence").locator("summary").click();
    const silenceOut = row(page, "nodetool.audio.CreateSilence").locator('table[data-ports="outputs"] tr[data-port="output"]');
    expect(await silenceOut.getAttribute("data-media")).toBe("audio");
    expect(await silenceOut.locator(".media-tag").innerText()).toContain("audio");

    // Cleared: everything again, folded; the view is kept across a reload (the hash) and the keyboard switches tabs.
    await page.locator("#catalog-media").selectOption("");
    expect((await shownTypes(page)).length).toBe(all.count);
    await page.reload();
    await page.locator("#catalog-status", { hasText: `${all.count} node types` }).waitFor();
    expect(await page.locator("#run-view").isHidden()).toBe(true);
    await page.locator("#tab-nodes").press("ArrowLeft");
    expect(await page.locator("#tab-run").getAttribute("aria-selected")).toBe("true");
    expect(await page.evaluate("document.activeElement?.id")).toBe("tab-run");
    expect(await page.locator("#workflow-panel").isVisible()).toBe(true);
    expect(await page.locator("#catalog-panel").isHidden()).toBe(true);
    expect(new URL(page.url()).hash).toBe("");
    expect(errors).toEqual([]);
  });
});

describe("media outputs made by a real gpu-runner", () => {
  it("shows the image loaded, and the audio and video players with their metadata and durations", async () => {
    const output = (id: string, name: string) => ({ id, type: "nodetool.output.Output", data: { name } });
    const wire = (source: string, target: string, targetHandle = "value") => ({ id: `${source}-${target}`, source, sourceHandle: "output", target, targetHandle });
    await api("PUT", "/api/workflows/media-outputs", {
      name: "Media outputs",
      graph: {
        nodes: [
          { id: "clip", type: "nodetool.input.VideoInput", data: { name: "clip" } },
          { id: "bg", type: "lib.pillow.draw.Background", data: { width: 64, height: 48, color: { type: "color", value: "#3366CC" } } },
          { id: "silence", type: "nodetool.audio.CreateSilence", data: { duration: SILENCE_SECONDS } },
          { id: "resize", type: "nodetool.video.Resize", data: { width: 32, height: 24 } },
          output("o-picture", "picture"),
          output("o-sound", "sound"),
          output("o-movie", "movie"),
        ],
        edges: [wire("bg", "o-picture"), wire("silence", "o-sound"), wire("clip", "resize", "video"), wire("resize", "o-movie")],
      },
    });
    const { page, errors } = await signedInPage();
    await page.locator("#workflow-select").selectOption("media-outputs");
    const picker = page.locator('[data-param="clip"] input[type="file"]');
    expect(await picker.getAttribute("accept")).toBe("video/*");
    await picker.setInputFiles({ name: "clip.mp4", mimeType: "video/mp4", buffer: makeClip() });
    await page.locator("#run-button").click();
    await page.locator('#job-status[data-status="completed"]').waitFor({ timeout: 120_000 });
    // Every node ran; the three media nodes on the runner.
    const statuses = await page.locator("#nodes li.node").evaluateAll((rows) => rows.map((r) => [r.getAttribute("data-node-id"), r.getAttribute("data-status")]));
    expect(Object.fromEntries(statuses)).toMatchObject({ bg: "completed", silence: "completed", resize: "completed" });

    // The image decoded, at the size and colour Background was asked for.
    await until(page, `(() => { const img = document.querySelector('[data-output="picture"] img'); return img && img.complete && img.naturalWidth > 0; })()`);
    // (Page code as strings: the project's tsconfig has no DOM types.)
    const image = await page.evaluate(`(() => {
      const img = document.querySelector('[data-output="picture"] img');
      const canvas = document.createElement("canvas");
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0);
      return { width: img.naturalWidth, height: img.naturalHeight, pixel: [...ctx.getImageData(10, 10, 1, 1).data.slice(0, 3)] };
    })()`);
    expect(image).toEqual({ width: 64, height: 48, pixel: [0x33, 0x66, 0xcc] });

    // The audio and the video: players whose metadata loaded, with the durations made.
    const mediaState = (selector: string) =>
      page.evaluate(`(() => {
        const m = document.querySelector(${JSON.stringify(selector)});
        const video = m instanceof HTMLVideoElement;
        return { readyState: m.readyState, duration: m.duration, controls: m.controls, error: m.error ? m.error.code : null, width: video ? m.videoWidth : null, height: video ? m.videoHeight : null };
      })()`) as Promise<{ readyState: number; duration: number; controls: boolean; error: number | null; width: number | null; height: number | null }>;
    await until(page, `(() => { const a = document.querySelector('[data-output="sound"] audio'); return a && (a.readyState >= 1 || a.error); })()`);
    const audio = await mediaState('[data-output="sound"] audio');
    expect(audio).toMatchObject({ readyState: expect.any(Number), controls: true, error: null });
    expect(audio.readyState).toBeGreaterThanOrEqual(1);
    expect(audio.duration).toBeCloseTo(SILENCE_SECONDS, 1);
    await until(page, `(() => { const v = document.querySelector('[data-output="movie"] video'); return v && (v.readyState >= 1 || v.error); })()`);
    const video = await mediaState('[data-output="movie"] video');
    expect(video).toMatchObject({ controls: true, error: null, width: 32, height: 24 });
    expect(video.readyState).toBeGreaterThanOrEqual(1);
    expect(Math.abs(video.duration - CLIP_SECONDS)).toBeLessThan(0.15);

    // And they play: the video decodes frames forward from its start.
    const played = await page.evaluate(`(async () => {
      const v = document.querySelector('[data-output="movie"] video');
      v.muted = true;
      await v.play();
      await new Promise((resolve) => setTimeout(resolve, 400));
      v.pause();
      return v.currentTime;
    })()`);
    expect(played).toBeGreaterThan(0);
    await screenshot(page, "media-01-outputs");
    expect(errors).toEqual([]);
  });
});
