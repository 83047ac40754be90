import { describe, expect, it } from "vitest";
import { chooseLocalAsr } from "../../engine/inference/local-asr";
import { OpenAIMediaService } from "../../engine/providers/media/service";
import type { ChatSettings } from "../../engine/providers/types";
import { runWorkflow } from "../../engine/executor/run-workflow";
import type { EngineServices } from "../../engine/registry/types";
import { graph, registry } from "./helpers";

async function transcribe(model: unknown, svc: Partial<EngineServices>): Promise<{ status: string; error?: string }> {
  const audio = { type: "audio", uri: "", data: new Uint8Array([82, 73, 70, 70]) };
  const g = graph([{ id: "n", type: "nodetool.text.AutomaticSpeechRecognition", data: { model, audio } }]);
  return runWorkflow(g, {}, { registry, emit: () => undefined, services: svc });
}

const NONE: ChatSettings = { providers: [], aliases: {}, problems: [] };
const OPENAI: ChatSettings = { providers: [{ name: "openai", kind: "openai", baseUrl: "http://127.0.0.1:9/v1", apiKey: "k" }], aliases: {}, problems: [] };
const BROKEN: ChatSettings = { ...NONE, problems: ["CHAT_PROVIDERS is not valid JSON"] };
const services = (settings?: ChatSettings) => (settings ? new OpenAIMediaService(settings) : undefined);
const NODETOOL_DEFAULT = { type: "asr_model", provider: "fal_ai", id: "openai/whisper-large-v3" };

describe("the choice between the runner's moonshine-tiny and a speech recognition provider", () => {
  it("takes moonshine-tiny when a model value names it under a local (or no) provider, whatever is configured", () => {
    for (const ref of [{ provider: "local", id: "moonshine-tiny" }, { id: "moonshine-tiny" }, { provider: "empty", id: "UsefulSensors/moonshine-tiny" }, { provider: "LOCAL", id: " Moonshine-Tiny " }]) {
      expect(chooseLocalAsr(ref, services(OPENAI)), JSON.stringify(ref)).toEqual({ local: true, explicit: true });
    }
    // Under another provider the id is that provider's model name.
    expect(chooseLocalAsr({ provider: "openai", id: "moonshine-tiny" }, services(OPENAI))).toEqual({ local: false });
  });

  it("falls back to it for any model when no speech recognition provider is configured at all", () => {
    expect(chooseLocalAsr({}, services())).toEqual({ local: true, explicit: false });
    expect(chooseLocalAsr({}, services(NONE))).toEqual({ local: true, explicit: false });
    expect(chooseLocalAsr(NODETOOL_DEFAULT, services(NONE))).toEqual({ local: true, explicit: false });
  });

  it("leaves everything else to the providers: a configured one, an unknown provider's error, invalid settings", () => {
    expect(chooseLocalAsr({}, services(OPENAI))).toEqual({ local: false });
    expect(chooseLocalAsr({ provider: "openai", id: "whisper-1" }, services(OPENAI))).toEqual({ local: false });
    // fal_ai is not configured here, but openai is: the node fails naming the configured providers, as before.
    expect(chooseLocalAsr(NODETOOL_DEFAULT, services(OPENAI))).toEqual({ local: false });
    expect(chooseLocalAsr({}, services(BROKEN))).toEqual({ local: false });
  });

  it("fails the node clearly when neither a provider nor a gpu-runner is there", async () => {
    const fallback = await transcribe({}, { media: new OpenAIMediaService(NONE) });
    expect(fallback.status).toBe("failed");
    expect(fallback.error).toMatch(/no speech recognition provider is configured on this server .*no gpu-runner is available for the built-in moonshine-tiny model/);
    const named = await transcribe({ provider: "local", id: "moonshine-tiny" }, { media: new OpenAIMediaService(OPENAI) });
    expect(named.error).toMatch(/no gpu-runner available: moonshine-tiny runs on a gpu-runner/);
  });
});
