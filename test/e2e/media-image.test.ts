import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunnerPool } from "../../host/runners/pool";
import { runWorkflow } from "../../engine/executor/run-workflow";
import type { InferenceService } from "../../engine/inference/types";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import type { EngineMessage } from "../../schema/messages";
import { randomToken, startRunnerProcess, type ChildRunner } from "../runner/helpers/runner";
import { graph, registry } from "../engine/helpers";

/**
 * Image nodes end to end with nothing stood in below the engine: the engine (in Node) declares the nodes and
 * sends their pixels through the edge's real runner pool (edge/runners: dispatch, streaming frames, failover)
 * to a real gpu-runner process, whose worker thread runs the image kernel on sharp. Media moves by reference:
 * inputs and outputs live in a blob store; only the runner sees pixels.
 */

const TOKEN = randomToken();
let runner: ChildRunner;
let pool: RunnerPool;

beforeAll(async () => {
  runner = await startRunnerProcess({ GPU_RUNNER_TOKEN: TOKEN, GPU_RUNNER_WORKERS: "1" });
  pool = new RunnerPool({ urls: [runner.url], token: TOKEN, idleTimeoutMs: 10_000 });
});
afterAll(async () => {
  await runner?.kill("SIGKILL");
});

const inference = (jobId: string): InferenceService => ({ infer: (request, options) => pool.infer({ ...request, job_id: jobId }, options) });

function solidPng(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const img = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) img.data.set([...rgb, 255], i * 4);
  return new Uint8Array(PNG.sync.write(img));
}

describe("image workflows through a real gpu-runner", () => {
  it("BrightnessContrast -> RenderText -> SliceImageGrid -> CombineImageGrid, as NodeTool's examples chain them", async () => {
    const blobs = new MemoryBlobStore();
    const input = blobs.add(solidPng(64, 48, [100, 150, 30]), "image/png");
    const g = graph(
      [
        { id: "in", type: "nodetool.input.ImageInput", data: { name: "image" } },
        { id: "bc", type: "lib.image.color.BrightnessContrast", data: { brightness: 0.1, contrast: 1.2 } },
        { id: "title", type: "lib.image.draw.RenderText", data: { text: "Hi", x: 4, y: 4, size: 16, color: { type: "color", value: "#FFFFFF" }, font: { type: "font", name: "DejaVuSans-Bold" } } },
        { id: "slice", type: "lib.grid.SliceImageGrid", data: { columns: 2, rows: 2 } },
        { id: "combine", type: "lib.grid.CombineImageGrid", data: { columns: 2 } },
        { id: "out", type: "nodetool.output.ImageOutput", data: { name: "result" } },
      ],
      [
        ["in", "output", "bc", "image"],
        ["bc", "output", "title", "image"],
        ["title", "output", "slice", "image"],
        ["slice", "output", "combine", "tiles"],
        ["combine", "output", "out", "value"],
      ],
    );
    const messages: EngineMessage[] = [];
    const result = await runWorkflow(g, { image: { type: "image", uri: input } }, { registry, emit: (m) => messages.push(m), services: { blobs, inference: inference("job-image-1") } });
    expect(result.status, result.error).toBe("completed");
    const ref = result.outputs.result.at(-1) as { type: string; uri: string };
    expect(ref.type).toBe("image");
    expect(ref.uri).toMatch(/^asset:\/\//);
    const stored = await blobs.read(ref.uri);
    expect(stored.contentType).toBe("image/png");
    const img = PNG.sync.read(Buffer.from(stored.bytes));
    expect([img.width, img.height]).toEqual([64, 48]);
    // NodeTool's formula, by hand: clamp((v / 255 - 0.5) * 1.2 + 0.5 + 0.1) * 255, rounded.
    const expected = [100, 150, 30].map((v) => Math.round(Math.min(1, Math.max(0, (v / 255 - 0.5) * 1.2 + 0.6)) * 255));
    const px = (x: number, y: number) => [...img.data.subarray((y * 64 + x) * 4, (y * 64 + x) * 4 + 4)];
    expect(px(60, 44)).toEqual([...expected, 255]);
    expect(px(33, 25)).toEqual([...expected, 255]);
    // The white title sits in the top-left tile, below y = 4.
    let white = 0;
    for (let y = 0; y < 24; y++) for (let x = 0; x < 32; x++) if (px(x, y).slice(0, 3).every((v) => v === 255)) white++;
    expect(white).toBeGreaterThan(10);
    for (let x = 0; x < 64; x++) expect(px(x, 3).slice(0, 3)).toEqual(expected);
    // The runner's progress reached the nodes.
    expect(messages.some((m) => m.type === "node_progress")).toBe(true);
  });

  it("a Pillow filter chain from a data: URI; a broken image fails the node with the runner's message", async () => {
    const src = solidPng(8, 8, [10, 200, 90]);
    const g = graph(
      [
        { id: "inv", type: "lib.pillow.filter.Invert", data: { image: { type: "image", uri: `data:image/png;base64,${Buffer.from(src).toString("base64")}` } } },
        { id: "bright", type: "lib.pillow.enhance.Brightness", data: { factor: 0.5 } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [
        ["inv", "output", "bright", "image"],
        ["bright", "output", "out", "value"],
      ],
    );
    const ok = await runWorkflow(g, {}, { registry, emit: () => undefined, services: { inference: inference("job-image-2") } });
    expect(ok.status, ok.error).toBe("completed");
    // No blob store in this run: the result stays inline, as bytes.
    const bytes = (ok.outputs.out.at(-1) as { data: Uint8Array }).data;
    expect(bytes).toBeInstanceOf(Uint8Array);
    const img = PNG.sync.read(Buffer.from(bytes));
    // Brightness(0.5) of the inverse: trunc((255 - v) * 0.5).
    expect([...img.data.subarray(0, 3)]).toEqual([122, 27, 82]);

    const bad = graph(
      [
        { id: "inv", type: "lib.pillow.filter.Invert", data: { image: { type: "image", uri: `data:image/png;base64,${Buffer.from("not a png").toString("base64")}` } } },
        { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ],
      [["inv", "output", "out", "value"]],
    );
    const failed = await runWorkflow(bad, {}, { registry, emit: () => undefined, services: { inference: inference("job-image-3") } });
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/not a readable image/);
  });
});
