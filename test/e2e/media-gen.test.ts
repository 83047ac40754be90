import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEDIA_KEY, startMediaUpstream, type MediaUpstream } from "../engine/nodes-generation-upstream";
import { migratedStateDir, startEdge, type LocalEdge } from "./local-edge";

/**
 * Generation nodes on the real Worker: the provider is configured as a deployment configures chat
 * (OPENAI_API_KEY + OPENAI_BASE_URL) and points at a loopback server speaking OpenAI's images and audio
 * protocols. Media goes in and out through the Worker's storage (R2), never inside the provider JSON.
 */

const TOKEN = "media-gen-e2e-token";
const SPEECH_WAV = readFileSync(new URL("../fixtures/speech.wav", import.meta.url));
let upstream: MediaUpstream;
let edge: LocalEdge;

beforeAll(async () => {
  upstream = await startMediaUpstream();
  edge = await startEdge(migratedStateDir(), { AUTH_PROVIDER: "static", SERVER_AUTH_TOKEN: TOKEN, OPENAI_API_KEY: MEDIA_KEY, OPENAI_BASE_URL: `${upstream.url}/v1` });
});
afterAll(async () => {
  await edge?.stop();
  await upstream?.close();
});

function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${edge.url}${path}`, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string>) } });
}

/** Saves a workflow and runs it with `params`; returns the outputs by name. */
async function saveAndRun(name: string, graph: unknown, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const created = await api("/api/workflows", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name, graph }) });
  expect(created.status, await created.clone().text()).toBeLessThan(300);
  const { id } = (await created.json()) as { id: string };
  const res = await api(`/api/workflows/${id}/run`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ params }) });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as Record<string, unknown>;
}

const edge_ = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({ id: `${source}-${target}`, source, sourceHandle, target, targetHandle });

describe("generation through providers on the Worker", () => {
  it("runs TextToImage (empty model, as NodeTool's examples save it) into an image output stored in R2", async () => {
    const before = upstream.requests.length;
    const graph = {
      nodes: [
        { id: "gen", type: "nodetool.image.TextToImage", data: { model: {}, prompt: "a cat holding a sign", width: 1920, height: 1080, guidance_scale: 7.5, num_inference_steps: 30, seed: -1 } },
        { id: "out", type: "nodetool.output.ImageOutput", data: { name: "image" } },
      ],
      edges: [edge_("gen", "output", "out", "value")],
    };
    const result = await saveAndRun("text to image", graph);
    const requests = upstream.requests.slice(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ path: "/v1/images/generations", auth: `Bearer ${MEDIA_KEY}` });
    expect(requests[0].json).toEqual({ model: "gpt-image-1", prompt: "a cat holding a sign", n: 1, size: "1536x1024" });
    const image = result.image as { type: string; uri: string; asset_id: string };
    expect(image.type).toBe("image");
    // An absolute storage URL of this deployment (the request's origin); one tenant in static auth, so no owner segment.
    expect(image.uri).toBe(`${edge.url}/storage/assets/${image.asset_id}.png`);
    const download = await api(new URL(image.uri).pathname);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await download.arrayBuffer()).equals(upstream.sent.get(before)!)).toBe(true);
  }, 120_000); // the first run of a fresh Worker also creates its databases

  it("transcribes a stored WAV with AutomaticSpeechRecognition, the bytes reaching the provider as a multipart file", async () => {
    const form = new FormData();
    form.append("file", new Blob([SPEECH_WAV], { type: "audio/wav" }), "speech.wav");
    const uploaded = await api("/api/assets", { method: "POST", body: form });
    expect(uploaded.status).toBe(201);
    const asset = (await uploaded.json()) as { uri: string };
    const before = upstream.requests.length;
    const graph = {
      nodes: [
        { id: "in", type: "nodetool.input.AudioInput", data: { name: "audio" } },
        { id: "asr", type: "nodetool.text.AutomaticSpeechRecognition", data: { model: {} } },
        { id: "out", type: "nodetool.output.StringOutput", data: { name: "text" } },
      ],
      edges: [edge_("in", "output", "asr", "audio"), edge_("asr", "text", "out", "value")],
    };
    const result = await saveAndRun("transcribe audio", graph, { audio: { type: "audio", uri: asset.uri } });
    const req = upstream.requests.slice(before)[0];
    expect(req.path).toBe("/v1/audio/transcriptions");
    expect(Object.fromEntries(req.fields!)).toEqual({ model: "whisper-1", response_format: "json" });
    expect(req.files!.file.type).toBe("audio/wav");
    expect(req.files!.file.bytes.equals(SPEECH_WAV)).toBe(true);
    expect(result).toEqual({ text: "heard 2.23 s of audio/wav (audio.wav) with whisper-1" });
  });

  it("fails the run with the provider's reason when the model is not there", async () => {
    const graph = {
      nodes: [
        { id: "gen", type: "nodetool.image.TextToImage", data: { model: { type: "image_model", provider: "openai", id: "missing-model" }, prompt: "x" } },
        { id: "out", type: "nodetool.output.ImageOutput", data: { name: "image" } },
      ],
      edges: [edge_("gen", "output", "out", "value")],
    };
    const created = await api("/api/workflows", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "missing", graph }) });
    const { id } = (await created.json()) as { id: string };
    const res = await api(`/api/workflows/${id}/run`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ params: {} }) });
    const text = await res.text();
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(text).toMatch(/model 'missing-model' does not exist on provider 'openai'/);
  });
});
