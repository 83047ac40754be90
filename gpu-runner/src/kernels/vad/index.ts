import type { InferRequest, InferResult } from "../../../../schema/runner";
import { decodeWavToMono } from "../../media/audio";
import type { Kernel } from "../types";
import { SILERO_SAMPLE_RATE, SILERO_WINDOW, SileroStream } from "./silero";
import { speechSegments } from "./speech-timestamps";

export type VadRequest = Extract<InferRequest, { kernel: "vad" }>;
export type VadResult = Extract<InferResult, { kernel: "vad" }>;

export const VAD_MODEL = "silero-vad";

/** Windows between progress reports and cancellation checks: 32 windows are about one second of audio. */
const WINDOWS_PER_STEP = 32;

/**
 * Silero VAD: the WAV is mixed to mono and resampled to 16 kHz, scored in 32 ms windows, and the probabilities
 * turned into speech segments (seconds from the start, millisecond precision). Progress counts windows.
 */
export const vadKernel: Kernel<VadRequest, VadResult> = {
  name: "vad",
  models: [VAD_MODEL],
  async run(request, ctx) {
    ctx.checkCancelled();
    const audio = decodeWavToMono(request.audio, SILERO_SAMPLE_RATE);
    ctx.checkCancelled();

    const stream = new SileroStream(await ctx.session(VAD_MODEL));
    const windows = Math.ceil(audio.length / SILERO_WINDOW);
    const probabilities = new Float32Array(windows);
    for (let w = 0; w < windows; w++) {
      if (w > 0 && w % WINDOWS_PER_STEP === 0) {
        ctx.progress(w, windows);
        ctx.checkCancelled();
      }
      probabilities[w] = await stream.next(audio.subarray(w * SILERO_WINDOW, (w + 1) * SILERO_WINDOW));
    }
    ctx.progress(windows, windows);

    const toSeconds = (samples: number) => Math.round((samples / SILERO_SAMPLE_RATE) * 1000) / 1000;
    const segments = speechSegments(probabilities, SILERO_WINDOW, audio.length, SILERO_SAMPLE_RATE, request.options);
    return {
      kernel: "vad",
      sample_rate: SILERO_SAMPLE_RATE,
      duration: toSeconds(audio.length),
      segments: segments.map((s) => ({ start: toSeconds(s.start), end: toSeconds(s.end) })),
    };
  },
};
