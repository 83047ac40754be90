import path from "node:path";
import { decodeWavToMono } from "../../media/audio";
import { readOutput, runFfmpeg, SIZE_LIMIT_ARGS, withWorkdir, writeInput } from "../audio/ffmpeg";
import { KernelInputError, type KernelContext } from "../types";
import { SILERO_WINDOW, SileroStream } from "../vad/silero";
import { speechSegments, type SampleSegment } from "../vad/speech-timestamps";
import { VAD_MODEL } from "../vad/index";
import { MOONSHINE_SAMPLE_RATE } from "./moonshine";

/** Longest audio one request may carry: long enough for a meeting excerpt, short enough to bound CPU time. */
export const MAX_AUDIO_SECONDS = 30 * 60;
/**
 * Longest piece Moonshine hears at once. Moonshine is trained on short utterances and its tiny decoder has 194
 * positions (about 30 s of speech at its 6 tokens per second), so longer audio is split on silence.
 */
export const MAX_CHUNK_SECONDS = 30;

/**
 * The audio as 16 kHz mono floats: WAV (PCM or float) is read directly; anything else, or a WAV the reader
 * refuses (ADPCM, mu-law ...), goes through ffmpeg. More than MAX_AUDIO_SECONDS is refused.
 */
export async function speechSamples(bytes: Uint8Array, ctx: KernelContext): Promise<Float32Array> {
  if (bytes.byteLength === 0) throw new KernelInputError("audio is empty");
  let samples: Float32Array;
  try {
    samples = decodeWavToMono(bytes, MOONSHINE_SAMPLE_RATE);
  } catch (err) {
    if (!(err instanceof KernelInputError)) throw err;
    samples = await viaFfmpeg(bytes, ctx);
  }
  if (samples.length > MAX_AUDIO_SECONDS * MOONSHINE_SAMPLE_RATE) {
    throw new KernelInputError(`audio is longer than ${MAX_AUDIO_SECONDS / 60} minutes; speech recognition on the runner takes at most that`);
  }
  return samples;
}

function viaFfmpeg(bytes: Uint8Array, ctx: KernelContext): Promise<Float32Array> {
  return withWorkdir(async (dir) => {
    const input = await writeInput(dir, "input", bytes);
    const output = path.join(dir, "speech.wav");
    // One second past the limit, so that too long audio is recognised as such rather than silently cut.
    const seconds = String(MAX_AUDIO_SECONDS + 1);
    const args = ["-i", input, "-map", "0:a:0", "-vn", "-t", seconds, "-ac", "1", "-ar", String(MOONSHINE_SAMPLE_RATE), "-c:a", "pcm_s16le", ...SIZE_LIMIT_ARGS, output];
    await runFfmpeg(args, ctx, { cwd: dir, what: "decoding the audio" });
    return decodeWavToMono(await readOutput(output, "decoding the audio"), MOONSHINE_SAMPLE_RATE);
  });
}

/** Where speech is, by Silero VAD: generous padding and pauses, since cutting a word costs more than silence. */
export async function speechStretches(samples: Float32Array, ctx: KernelContext): Promise<SampleSegment[]> {
  const stream = new SileroStream(await ctx.session(VAD_MODEL));
  const windows = Math.ceil(samples.length / SILERO_WINDOW);
  const probabilities = new Float32Array(windows);
  for (let w = 0; w < windows; w++) {
    if (w > 0 && w % 256 === 0) ctx.checkCancelled();
    probabilities[w] = await stream.next(samples.subarray(w * SILERO_WINDOW, (w + 1) * SILERO_WINDOW));
  }
  return speechSegments(probabilities, SILERO_WINDOW, samples.length, MOONSHINE_SAMPLE_RATE, {
    threshold: 0.5,
    min_speech_duration_ms: 250,
    min_silence_duration_ms: 300,
    speech_pad_ms: 200,
  });
}

/**
 * Pieces of at most `maxSamples` covering the speech: neighbouring stretches are joined while the piece stays
 * within the limit (the pause between them included), and a stretch longer than the limit is cut into equal
 * parts (which may split a word: Moonshine cannot hear more at once).
 */
export function planChunks(stretches: readonly SampleSegment[], maxSamples: number): SampleSegment[] {
  const joined: SampleSegment[] = [];
  for (const s of stretches) {
    const last = joined.at(-1);
    if (last && s.end - last.start <= maxSamples) last.end = Math.max(last.end, s.end);
    else joined.push({ start: s.start, end: s.end });
  }
  const chunks: SampleSegment[] = [];
  for (const piece of joined) {
    const parts = Math.ceil((piece.end - piece.start) / maxSamples);
    for (let i = 0; i < parts; i++) {
      chunks.push({
        start: piece.start + Math.round(((piece.end - piece.start) * i) / parts),
        end: piece.start + Math.round(((piece.end - piece.start) * (i + 1)) / parts),
      });
    }
  }
  return chunks;
}
