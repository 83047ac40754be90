import llamaTokenizer from "llama-tokenizer-js";
import * as ort from "onnxruntime-node";

/**
 * Moonshine tiny (UsefulSensors, English, MIT) as ONNX: an encoder that takes raw 16 kHz samples (no mel
 * spectrogram) and a merged decoder whose `use_cache_branch` input picks between the first step (no cache) and
 * the following ones (key/value cache). Greedy decoding, as the reference implementations do.
 */
export const MOONSHINE_SAMPLE_RATE = 16000;
export const MOONSHINE_ENCODER = "moonshine-tiny/encoder";
export const MOONSHINE_DECODER = "moonshine-tiny/decoder";

const START_TOKEN = 1;
const EOS_TOKEN = 2;
/** The tiny decoder's shape: 6 layers, each with self (decoder) and cross (encoder) attention caches of 8 heads x 36. */
const LAYERS = 6;
const KV_HEADS = 8;
const HEAD_DIM = 36;
/**
 * Moonshine's token budget: about 6 tokens per second of speech is more than speech needs (UsefulSensors'
 * reference code uses the same factor), so a decoder that starts repeating itself stops there.
 */
const TOKENS_PER_SECOND = 6;
const MIN_TOKENS = 4;
/** The tiny decoder has 194 positions (max_position_embeddings); the start token takes one. */
const MAX_TOKENS = 192;
/** The encoder's three strided convolutions need about 900 samples; shorter clips are padded with silence to this. */
const MIN_ENCODER_SAMPLES = MOONSHINE_SAMPLE_RATE / 2;
/** Less than this is no speech at all: the clip is not decoded. */
const MIN_SPEECH_SAMPLES = MOONSHINE_SAMPLE_RATE / 10;
/** How many decoder steps run between cancellation checks. */
const STEPS_PER_CHECK = 8;

export interface MoonshineSessions {
  encoder: ort.InferenceSession;
  decoder: ort.InferenceSession;
}

/** Text of one clip of 16 kHz mono samples (at most about 30 s: longer audio is split by the caller). */
export async function transcribeClip(sessions: MoonshineSessions, samples: Float32Array, checkCancelled: () => void): Promise<string> {
  if (samples.length < MIN_SPEECH_SAMPLES) return "";
  const input = samples.length >= MIN_ENCODER_SAMPLES ? samples : padded(samples, MIN_ENCODER_SAMPLES);
  const encoded = await sessions.encoder.run({ input_values: new ort.Tensor("float32", input, [1, input.length]) });
  const hidden = encoded.last_hidden_state;
  checkCancelled();

  const budget = Math.min(MAX_TOKENS, Math.max(MIN_TOKENS, Math.ceil((samples.length / MOONSHINE_SAMPLE_RATE) * TOKENS_PER_SECOND)));
  let cache = emptyCache();
  const tokens: number[] = [];
  let next = START_TOKEN;
  for (let step = 0; step < budget; step++) {
    if (step > 0 && step % STEPS_PER_CHECK === 0) checkCancelled();
    const outputs = await sessions.decoder.run({
      input_ids: new ort.Tensor("int64", BigInt64Array.of(BigInt(next)), [1, 1]),
      encoder_hidden_states: hidden,
      use_cache_branch: new ort.Tensor("bool", [step > 0], [1]),
      ...cache,
    });
    next = argmaxLastRow(outputs.logits);
    if (next === EOS_TOKEN) break;
    tokens.push(next);
    cache = nextCache(cache, outputs, step === 0);
  }
  return decodeTokens(tokens);
}

/**
 * The first step computes both caches; later steps only extend the self-attention (decoder) one, and the
 * cross-attention (encoder) cache of the first step is fed back unchanged.
 */
function nextCache(previous: Record<string, ort.Tensor>, outputs: ort.InferenceSession.OnnxValueMapType, first: boolean): Record<string, ort.Tensor> {
  const cache: Record<string, ort.Tensor> = {};
  for (const name of Object.keys(previous)) {
    const present = outputs[name.replace("past_key_values.", "present.")] as ort.Tensor | undefined;
    if (!present) throw new Error(`the Moonshine decoder returned no ${name.replace("past_key_values.", "present.")}`);
    cache[name] = first || name.includes(".decoder.") ? present : previous[name];
  }
  return cache;
}

function emptyCache(): Record<string, ort.Tensor> {
  const cache: Record<string, ort.Tensor> = {};
  for (let layer = 0; layer < LAYERS; layer++) {
    for (const attention of ["decoder", "encoder"]) {
      for (const kind of ["key", "value"]) {
        cache[`past_key_values.${layer}.${attention}.${kind}`] = new ort.Tensor("float32", new Float32Array(0), [1, KV_HEADS, 0, HEAD_DIM]);
      }
    }
  }
  return cache;
}

function argmaxLastRow(logits: ort.Tensor): number {
  const data = logits.data as Float32Array;
  const vocab = logits.dims[logits.dims.length - 1];
  const offset = data.length - vocab;
  let best = 0;
  for (let i = 1; i < vocab; i++) if (data[offset + i] > data[offset + best]) best = i;
  return best;
}

/**
 * Moonshine's tokenizer is Llama's SentencePiece vocabulary (32000 pieces) plus special tokens above it, which
 * carry no text and are dropped, as are unknown/start/end (0-2).
 */
function decodeTokens(tokens: number[]): string {
  const vocabulary = llamaTokenizer.vocabById.length;
  const pieces = tokens.filter((t) => t > EOS_TOKEN && t < vocabulary);
  if (pieces.length === 0) return "";
  return llamaTokenizer.decode(pieces, false, false).trim();
}

function padded(samples: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(samples);
  return out;
}
