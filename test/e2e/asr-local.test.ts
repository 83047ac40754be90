import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import type { InferenceService } from "../../engine/inference/types";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import { OpenAIMediaService } from "../../engine/providers/media/service";
import { RunnerPool } from "../../host/runners/pool";
import { graph, registry } from "../engine/helpers";
import { randomToken, startRunnerProcess, type ChildRunner } from "../runner/helpers/runner";
import { SPOKEN_SENTENCE, SPOKEN_SENTENCE_WAV, wordErrorRate } from "../runner/helpers/word-error-rate";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

/**
 * Speech recognition with no provider at all: NodeTool's AutomaticSpeechRecognition on the Worker (no
 * OPENAI_API_KEY, no CHAT_PROVIDERS) sends the audio to a real gpu-runner process, whose asr kernel runs
 * Moonshine tiny; and the engine's own choices between the runner's model and a provider.
 */

const SERVER_TOKEN = "asr-local-e2e-server-token";
const RUNNER_TOKEN = randomToken();
let runner: ChildRunner;
let edge: LocalEdge;
let pool: RunnerPool;

beforeAll(async () => {
  process.env.WRANGLER_CI_DISABLE_CONFIG_WATCHING = "true";
  runner = await startRunnerProcess({ GPU_RUNNER_TOKEN: RUNNER_TOKEN, GPU_RUNNER_WORKERS: "1" });
  pool = new RunnerPool({ urls: [runner.url], token: RUNNER_TOKEN, idleTimeoutMs: 10_000 });
  edge = await startEdge(migratedStateDir(), { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: SERVER_TOKEN, GPU_RUNNER_URLS: runner.url, GPU_RUNNER_TOKEN: RUNNER_TOKEN });
}, 180_000);

afterAll(async () => {
  await edge?.stop();
  await runner?.kill("SIGKILL");
});

const api = (path: string, init: RequestInit = {}) => fetch(`${edge.url}${path}`, { ...init, headers: { Authorization: `Bearer ${SERVER_TOKEN}`, ...(init.headers ?? {}) } });
const edge_ = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({ id: `${source}-${target}`, source, sourceHandle, target, targetHandle });
const inference = (jobId: string): InferenceService => ({ infer: (request, options) => pool.infer({ ...request, job_id: jobId }, options) });
const sentence = () => ({ type: "audio", uri: `data:audio/wav;base64,${Buffer.from(SPOKEN_SENTENCE_WAV).toString("base64")}` });

describe("AutomaticSpeechRecognition with the runner's Moonshine tiny", () => {
  it("transcribes an uploaded WAV on a Worker with no provider configured (NodeTool's Transcribe Audio shape, model {})", async () => {
    const form = new FormData();
    form.append("file", new Blob([SPOKEN_SENTENCE_WAV], { type: "audio/wav" }), "sentence.wav");
    const uploaded = await api("/api/assets", { method: "POST", body: form });
    expect(uploaded.status, await uploaded.clone().text()).toBe(201);
    const asset = (await uploaded.json()) as { uri: string };
    const workflow = {
      nodes: [
        { id: "in", type: "nodetool.input.AudioInput", data: { name: "audio" } },
        { id: "asr", type: "nodetool.text.AutomaticSpeechRecognition", data: { model: {} } },
        { id: "out", type: "nodetool.output.StringOutput", data: { name: "text" } },
      ],
      edges: [edge_("in", "output", "asr", "audio"), edge_("asr", "text", "out", "value")],
    };
    const created = await api("/api/workflows", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "transcribe locally", graph: workflow }) });
    expect(created.status, await created.clone().text()).toBeLessThan(300);
    const { id } = (await created.json()) as { id: string };
    const res = await api(`/api/workflows/${id}/run`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ params: { audio: { type: "audio", uri: asset.uri } } }) });
    const body = await res.text();
    expect(res.status, body).toBe(200);
    const text = (JSON.parse(body) as { text: string }).text;
    expect(typeof text).toBe("string");
    expect(wordErrorRate(SPOKEN_SENTENCE, text), text).toBeLessThanOrEqual(0.2);
  }, 180_000);

  it("falls back from NodeTool's default model when no provider is configured, and says so in the log", async () => {
    const media = new OpenAIMediaService({ providers: [], aliases: {}, problems: [] });
    const messages: unknown[] = [];
    const model = { type: "asr_model", provider: "fal_ai", id: "openai/whisper-large-v3", name: "", path: null };
    const g = graph(
      [
        { id: "asr", type: "nodetool.text.AutomaticSpeechRecognition", data: { model, audio: sentence() } },
        { id: "out", type: "nodetool.output.Output", data: { name: "text" } },
      ],
      [["asr", "text", "out", "value"]],
    );
    const result = await runWorkflow(g, {}, { registry, emit: (m) => messages.push(m), services: { blobs: new MemoryBlobStore(), media, inference: inference("job-asr-fallback") } });
    expect(result.status, result.error).toBe("completed");
    expect(wordErrorRate(SPOKEN_SENTENCE, String(result.outputs.text.at(-1))), String(result.outputs.text.at(-1))).toBeLessThanOrEqual(0.2);
    expect(JSON.stringify(messages)).toContain("transcribing with the runner's moonshine-tiny (English only) instead of 'openai/whisper-large-v3'");
  });

  it("runs moonshine-tiny when a node names it, even with a provider configured (which is never called)", async () => {
    // A provider at a closed port: any request to it would fail the node.
    const media = new OpenAIMediaService({ providers: [{ name: "openai", kind: "openai", baseUrl: "http://127.0.0.1:9/v1", apiKey: "unused" }], aliases: {}, problems: [] });
    const g = graph(
      [
        { id: "asr", type: "nodetool.text.AutomaticSpeechRecognition", data: { model: { type: "asr_model", provider: "local", id: "moonshine-tiny" }, audio: sentence() } },
        { id: "out", type: "nodetool.output.Output", data: { name: "text" } },
      ],
      [["asr", "text", "out", "value"]],
    );
    const result = await runWorkflow(g, {}, { registry, emit: () => undefined, services: { media, inference: inference("job-asr-explicit") } });
    expect(result.status, result.error).toBe("completed");
    expect(wordErrorRate(SPOKEN_SENTENCE, String(result.outputs.text.at(-1))), String(result.outputs.text.at(-1))).toBeLessThanOrEqual(0.2);

    // Without a runner, naming it fails with the usual "no gpu-runner" error rather than going to the provider.
    const none = await runWorkflow(g, {}, { registry, emit: () => undefined, services: { media } });
    expect(none.status).toBe("failed");
    expect(none.error).toMatch(/no gpu-runner available: moonshine-tiny runs on a gpu-runner/);
  });
});
