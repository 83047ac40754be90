import type { InferRequest, InferResult } from "../../../../schema/runner";
import type { Kernel } from "../types";
import { MAX_CHUNK_SECONDS, planChunks, speechSamples, speechStretches } from "./audio-input";
import { MOONSHINE_DECODER, MOONSHINE_ENCODER, MOONSHINE_SAMPLE_RATE, transcribeClip } from "./moonshine";

export type AsrRequest = Extract<InferRequest, { kernel: "asr" }>;
export type AsrResult = Extract<InferResult, { kernel: "asr" }>;

/**
 * Speech recognition on the runner, with no provider: Moonshine tiny (English only) from the npm package
 * @usefulsensors/moonshine-js, run by onnxruntime-node. A clip of up to 30 s is heard whole; longer audio is
 * split on silence (Silero VAD) into pieces of at most 30 s, each transcribed on its own. Chunk times are those
 * pieces' bounds: Moonshine gives no word timings. Progress counts pieces.
 */
export const asrKernel: Kernel<AsrRequest, AsrResult> = {
  name: "asr",
  models: [MOONSHINE_ENCODER, MOONSHINE_DECODER],
  async run(request, ctx) {
    ctx.checkCancelled();
    const samples = await speechSamples(request.audio, ctx);
    ctx.checkCancelled();
    const maxSamples = MAX_CHUNK_SECONDS * MOONSHINE_SAMPLE_RATE;
    const pieces = samples.length <= maxSamples ? [{ start: 0, end: samples.length }] : planChunks(await speechStretches(samples, ctx), maxSamples);

    const sessions = { encoder: await ctx.session(MOONSHINE_ENCODER), decoder: await ctx.session(MOONSHINE_DECODER) };
    const seconds = (n: number) => Math.round((n / MOONSHINE_SAMPLE_RATE) * 1000) / 1000;
    const chunks: AsrResult["chunks"] = [];
    for (const [i, piece] of pieces.entries()) {
      ctx.progress(i, pieces.length);
      ctx.checkCancelled();
      const text = await transcribeClip(sessions, samples.subarray(piece.start, piece.end), () => ctx.checkCancelled());
      if (text !== "") chunks.push({ start: seconds(piece.start), end: seconds(piece.end), text });
    }
    ctx.progress(pieces.length, pieces.length);
    return {
      kernel: "asr",
      model: request.model,
      language: "en",
      duration: seconds(samples.length),
      text: chunks.map((c) => c.text).join(" "),
      chunks,
    };
  },
};
